import type { RunResult } from './measure.js';
import type { Scenario } from './scenarios.js';

export interface ScenarioSummary {
  scenario: string;
  what: string;
  rounds: number;
  /** Median 2xx req/s over the rounds, and the lowest and highest round. */
  rps: number;
  rpsMin: number;
  rpsMax: number;
  /** (max - min) / median, in percent. */
  spreadPct: number;
  p50: number;
  p99: number;
  rssMaxMb: number;
  bytesPerResponse: number;
  cpu: { server: number; loadgen: number; postgres: number | null; other: number };
  serverCpuMsPerOk: number;
  cpuMsPerOk: number;
  non2xx: Record<string, number>;
  errors: number;
  ceiling?: string;
  /** rps / the ceiling's rps (both medians of this run). */
  ratio?: number;
  /** rps / the HTTP ceiling's rps. */
  ratioHttp?: number;
  /** The ceiling's CPU per request / this scenario's: the throughput ratio a machine with no other load would show. */
  cpuRatio?: number;
  target?: number;
  met?: boolean;
}

export function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const CEILING_SCENARIO: Record<string, string> = {
  static: 'ceiling-http',
  item: 'ceiling-item',
  list: 'ceiling-list',
  insert: 'ceiling-insert',
};

export function summarise(scenarios: Scenario[], runs: RunResult[]): ScenarioSummary[] {
  const base = new Map<string, ScenarioSummary>();
  for (const s of scenarios) {
    const mine = runs.filter((r) => r.scenario === s.name);
    if (!mine.length) continue;
    const rps = mine.map((r) => r.rps);
    const med = median(rps);
    const non2xx: Record<string, number> = {};
    for (const r of mine) for (const [k, v] of Object.entries(r.other)) non2xx[k] = (non2xx[k] ?? 0) + v;
    const pg = mine.map((r) => (r.cpu.postgres ?? 0) + (r.cpu.postgresBackground ?? 0));
    base.set(s.name, {
      scenario: s.name,
      what: s.what,
      rounds: mine.length,
      rps: med,
      rpsMin: Math.min(...rps),
      rpsMax: Math.max(...rps),
      spreadPct: med ? (100 * (Math.max(...rps) - Math.min(...rps))) / med : 0,
      p50: median(mine.map((r) => r.p50)),
      p99: median(mine.map((r) => r.p99)),
      rssMaxMb: Math.max(...mine.map((r) => r.rssMaxMb)),
      bytesPerResponse: median(mine.map((r) => r.bytesPerResponse)),
      cpu: {
        server: median(mine.map((r) => r.cpu.server)),
        loadgen: median(mine.map((r) => r.cpu.loadgen)),
        postgres: mine[0]!.cpu.postgres === null ? null : median(pg),
        other: median(mine.map((r) => r.cpu.other)),
      },
      serverCpuMsPerOk: median(mine.map((r) => r.serverCpuMsPerOk)),
      cpuMsPerOk: median(mine.map((r) => r.cpuMsPerOk)),
      non2xx,
      errors: mine.reduce((n, r) => n + r.errors, 0),
      ...(s.ceiling ? { ceiling: CEILING_SCENARIO[s.ceiling] } : {}),
      ...(s.target ? { target: s.target } : {}),
    });
  }
  const http = base.get('ceiling-http');
  for (const s of base.values()) {
    const ref = s.ceiling ? base.get(s.ceiling) : undefined;
    if (ref?.rps) s.ratio = s.rps / ref.rps;
    if (ref?.cpuMsPerOk && s.cpuMsPerOk) s.cpuRatio = ref.cpuMsPerOk / s.cpuMsPerOk;
    if (http?.rps && s !== http) s.ratioHttp = s.rps / http.rps;
    if (s.target !== undefined && s.ratio !== undefined) s.met = s.ratio >= s.target;
  }
  return [...base.values()];
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const n1 = (x: number) => x.toFixed(1);
const n2 = (x: number) => x.toFixed(2);

export function markdownTable(rows: ScenarioSummary[]): string {
  const head = [
    '| scenario | req/s (median) | spread | × ceiling | target | × HTTP | p50 ms | p99 ms | RSS MB | CPU cores srv / gen / pg / other | CPU ms/req srv+pg | × ceiling by CPU | non-2xx |',
    '|---|--:|--:|---|--:|--:|--:|--:|--:|---|--:|--:|---|',
  ];
  const body = rows.map((r) => {
    const ratio = r.ratio === undefined ? '' : `${n2(r.ratio)} (${r.ceiling?.replace('ceiling-', '')})`;
    const target = r.target === undefined ? '' : `≥ ${r.target} ${r.met ? '✅' : '❌'}`;
    const pg = r.cpu.postgres === null ? 'in-proc' : n2(r.cpu.postgres);
    const cpu = `${n2(r.cpu.server)} / ${n2(r.cpu.loadgen)} / ${pg} / ${n2(r.cpu.other)}`;
    const non2xx = Object.entries(r.non2xx)
      .map(([k, v]) => `${k}×${v}`)
      .concat(r.errors ? [`err×${r.errors}`] : [])
      .join(' ');
    return `| ${r.scenario} | ${n0(r.rps)} | ±${n1(r.spreadPct / 2)}% | ${ratio} | ${target} | ${r.ratioHttp === undefined ? '' : n2(r.ratioHttp)} | ${n1(r.p50)} | ${n1(r.p99)} | ${n0(r.rssMaxMb)} | ${cpu} | ${n2(r.cpuMsPerOk)} | ${r.cpuRatio === undefined ? '' : n2(r.cpuRatio)} | ${non2xx} |`;
  });
  return [...head, ...body].join('\n');
}

/** Median cores used by everything else on the machine: how much the numbers were disturbed. */
export function otherLoad(rows: ScenarioSummary[]): number {
  return median(rows.map((r) => r.cpu.other));
}

/** The RSS target: Kopij's peak under the item load against the bare item server's. */
export function rssRatio(
  rows: ScenarioSummary[],
): { kopij: number; ceiling: number; ratio: number } | undefined {
  const kopij = rows.find((r) => r.scenario === 'item-id');
  const ceiling = rows.find((r) => r.scenario === 'ceiling-item');
  if (!kopij || !ceiling?.rssMaxMb) return undefined;
  return { kopij: kopij.rssMaxMb, ceiling: ceiling.rssMaxMb, ratio: kopij.rssMaxMb / ceiling.rssMaxMb };
}
