import { readFileSync } from 'node:fs';
import type { ScenarioSummary } from './report.js';

/**
 * Compares two result files scenario by scenario: `tsx bench/compare.ts base.json other.json`.
 * For the scale target (throughput at 1M articles >= 0.8x at 10k), base is the 10k run.
 * Both req/s and CPU per request are compared: on a shared machine the second moves less.
 */
interface Report {
  date: string;
  dataset: { counts: Record<string, number> };
  summary: ScenarioSummary[];
}

const [baseFile, otherFile] = process.argv.slice(2);
if (!baseFile || !otherFile) {
  process.stderr.write('usage: tsx bench/compare.ts <base.json> <other.json>\n');
  process.exit(2);
}
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Report;
const base = read(baseFile);
const other = read(otherFile);
const articles = (r: Report) => (r.dataset.counts.articles ?? 0).toLocaleString('en-US');

const lines = [
  `base: ${baseFile} (${articles(base)} articles)  other: ${otherFile} (${articles(other)} articles)`,
  '',
  '| scenario | base req/s | other req/s | other / base | base CPU ms/req | other CPU ms/req | base / other by CPU |',
  '|---|--:|--:|--:|--:|--:|--:|',
];
for (const b of base.summary) {
  const o = other.summary.find((s) => s.scenario === b.scenario);
  if (!o) continue;
  const ratio = b.rps ? (o.rps / b.rps).toFixed(2) : '';
  const cpu = o.cpuMsPerOk ? (b.cpuMsPerOk / o.cpuMsPerOk).toFixed(2) : '';
  lines.push(
    `| ${b.scenario} | ${Math.round(b.rps)} | ${Math.round(o.rps)} | ${ratio} | ${b.cpuMsPerOk.toFixed(2)} | ${o.cpuMsPerOk.toFixed(2)} | ${cpu} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
