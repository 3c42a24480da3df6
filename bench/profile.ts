import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self and inclusive time per
 * function, and self time per package, so BENCHMARKS.md can say where a request's time goes
 * without opening DevTools. `tsx bench/profile.ts <file.cpuprofile> [top] [skipMs]`.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  functions: { name: string; selfMs: number; totalMs: number }[];
  packages: { name: string; selfMs: number }[];
}

const root = process.cwd();

/** node_modules/<pkg>, node:internal, (idle)/(gc)/(program), or the project file. */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return 'node core';
  return relative(root, url.replace(/^file:\/\//, ''))
    .split('/')
    .slice(0, 2)
    .join('/');
}

function label(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const file = url ? relative(root, url.replace(/^file:\/\//, '')).replace(/^node_modules\//, '') : '';
  // tsx compiles .ts files without source maps in the profile: their line numbers mean nothing.
  const where = file.endsWith('.ts') ? file : `${file}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'}${file ? ` ${where}` : ''}`;
}

/**
 * `skipMs` leaves out the samples of the first milliseconds (start-up: module loading,
 * migrations), so the summary is of the load alone. Idle time is left out of the total.
 */
export function summarise(profile: CpuProfile, top = 25, skipMs = 0): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  let clock = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    clock += dt;
    const node = byId.get(id);
    if (!node || clock < skipMs || node.callFrame.functionName === '(idle)') return;
    total += dt;
    const key = label(node);
    self.set(key, (self.get(key) ?? 0) + dt);
    const pkg = packageOf(node.callFrame.url, node.callFrame.functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + dt);
    // Each function once per stack, so recursion does not count twice.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = label(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  });
  const functions = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, selfMs: ms, totalMs: inclusive.get(name) ?? ms }));
  return {
    totalMs: total,
    functions,
    packages: [...packages.entries()].sort((a, b) => b[1] - a[1]).map(([name, selfMs]) => ({ name, selfMs })),
  };
}

/** The heaviest inclusive frames from the project's own code (src/, or dist/ as the server runs it): where to start reading. */
export function hotProjectFrames(
  profile: CpuProfile,
  top = 15,
  skipMs = 0,
): { name: string; totalMs: number }[] {
  return summarise(profile, Number.MAX_SAFE_INTEGER, skipMs)
    .functions.map((f) => ({ name: f.name, totalMs: f.totalMs }))
    .sort((a, b) => b.totalMs - a.totalMs)
    .filter((f) => / (?:src|dist)\//.test(f.name))
    .slice(0, top);
}

export function formatSummary(profile: CpuProfile, top = 25, skipMs = 0): string {
  const s = summarise(profile, top, skipMs);
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1)}%`;
  const lines = [
    `Profile: ${(s.totalMs / 1000).toFixed(1)} s of busy samples${skipMs ? ` (the first ${(skipMs / 1000).toFixed(1)} s, start-up, left out)` : ''}`,
    '',
    'Self time by package:',
  ];
  for (const p of s.packages.slice(0, 15)) lines.push(`  ${pct(p.selfMs).padStart(6)}  ${p.name}`);
  lines.push('', `Top ${top} functions by self time (self / inclusive):`);
  for (const f of s.functions)
    lines.push(`  ${pct(f.selfMs).padStart(6)} / ${pct(f.totalMs).padStart(6)}  ${f.name}`);
  lines.push('', 'Heaviest project frames (inclusive):');
  for (const f of hotProjectFrames(profile, 15, skipMs))
    lines.push(`  ${pct(f.totalMs).padStart(6)}  ${f.name}`);
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('profile.ts')) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx bench/profile.ts <file.cpuprofile> [top] [skipMs]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(
    `${formatSummary(profile, Number(process.argv[3] ?? 25), Number(process.argv[4] ?? 0))}\n`,
  );
}
