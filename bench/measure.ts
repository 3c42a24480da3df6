import autocannon from 'autocannon';
import { machineCpuSeconds, postgresProcesses, processCpuSeconds, rssMb } from './procstat.js';

/** One measured run of one scenario: throughput, latency, memory and where the CPU went. */
export interface RunResult {
  scenario: string;
  round: number;
  seconds: number;
  /** 2xx responses per second: errors and 412s do not count as throughput. */
  rps: number;
  ok: number;
  /** Responses by status other than 2xx, e.g. { "412": 31 }. */
  other: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Latency of 2xx responses, ms. */
  p50: number;
  p90: number;
  p99: number;
  /** Mean bytes read per response (headers and body). */
  bytesPerResponse: number;
  rssMaxMb: number;
  rssMeanMb: number;
  /** CPU as cores busy on average (0..nproc). */
  cpu: {
    server: number;
    loadgen: number;
    postgres: number | null;
    postgresBackground: number | null;
    other: number;
  };
  /** Server CPU time per 2xx response (for PGlite it includes the database's work). */
  serverCpuMsPerOk: number;
  /**
   * Server plus bench-database backends' CPU time per 2xx response: the cost of a request
   * wherever it runs, which other people's load on a shared machine disturbs far less than
   * req/s. PostgreSQL's shared background processes are left out (they serve every database).
   */
  cpuMsPerOk: number;
}

export interface Target {
  url: string;
  pid: number;
  /** The bench database's name, to find its PostgreSQL backends; undefined for PGlite. */
  database: string | undefined;
}

function sumCpu(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const s = processCpuSeconds(pid);
    if (s !== undefined) out.set(pid, s);
  }
  return out;
}

const delta = (before: Map<number, number>, after: Map<number, number>) =>
  [...after].reduce((sum, [pid, s]) => sum + (s - (before.get(pid) ?? 0)), 0);

export function load(url: string, requests: autocannon.Request[], connections: number, seconds: number) {
  return autocannon({
    url,
    connections,
    duration: seconds,
    requests,
    excludeErrorStats: true,
    timeout: 30,
  });
}

export async function measure(
  scenario: string,
  round: number,
  target: Target,
  requests: autocannon.Request[],
  opts: { connections: number; duration: number; warmup: number },
  /** Runs before the warm-up and before the measurement (outside the measured time). */
  before: () => Promise<void> = async () => undefined,
): Promise<RunResult> {
  if (opts.warmup > 0) {
    await before();
    await load(target.url, requests, opts.connections, opts.warmup);
  }
  await before();

  const pgBefore = target.database ? postgresProcesses(target.database) : undefined;
  const pgBench0 = sumCpu(pgBefore?.bench ?? []);
  const pgBg0 = sumCpu(pgBefore?.background ?? []);
  const server0 = processCpuSeconds(target.pid) ?? 0;
  const self0 = process.cpuUsage();
  const machine0 = machineCpuSeconds();
  const started = process.hrtime.bigint();
  const rss: number[] = [];
  const sampler = setInterval(() => {
    const mb = rssMb(target.pid);
    if (mb !== undefined) rss.push(mb);
  }, 200);

  const result = await load(target.url, requests, opts.connections, opts.duration);

  clearInterval(sampler);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const self = process.cpuUsage(self0);
  const loadgen = (self.user + self.system) / 1e6;
  const server = (processCpuSeconds(target.pid) ?? server0) - server0;
  const pgAfter = target.database ? postgresProcesses(target.database) : undefined;
  const pgBench = pgAfter ? delta(pgBench0, sumCpu(pgAfter.bench)) : null;
  const pgBg = pgAfter ? delta(pgBg0, sumCpu(pgAfter.background)) : null;
  const machine = machineCpuSeconds();
  const busy = machine.busy - machine0.busy;
  const other = Math.max(0, busy - server - loadgen - (pgBench ?? 0) - (pgBg ?? 0));

  const byStatus = result.statusCodeStats ?? {};
  let ok = 0;
  const otherStatus: Record<string, number> = {};
  for (const [code, { count = 0 } = {}] of Object.entries(byStatus)) {
    if (code.startsWith('2')) ok += count;
    else otherStatus[code] = count;
  }
  const responses = Object.values(byStatus).reduce((n, s) => n + (s?.count ?? 0), 0);
  return {
    scenario,
    round,
    seconds: result.duration,
    rps: ok / result.duration,
    ok,
    other: otherStatus,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    bytesPerResponse: responses ? result.throughput.total / responses : 0,
    rssMaxMb: rss.length ? Math.max(...rss) : 0,
    rssMeanMb: rss.length ? rss.reduce((a, b) => a + b, 0) / rss.length : 0,
    cpu: {
      server: server / wall,
      loadgen: loadgen / wall,
      postgres: pgBench === null ? null : pgBench / wall,
      postgresBackground: pgBg === null ? null : pgBg / wall,
      other: other / wall,
    },
    serverCpuMsPerOk: ok ? (server * 1000) / ok : 0,
    cpuMsPerOk: ok ? ((server + (pgBench ?? 0)) * 1000) / ok : 0,
  };
}
