import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Test } from 'tap';
import { freePort, SERVER_NODE_FLAGS } from '../../bench/servers.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { serverUrl, templateDb, withDatabase } from '../helpers/database.js';

/**
 * Shared pieces of the fault tests: the PostgreSQL cluster behind KOPIJ_TEST_DATABASE_URL
 * (stopped, started, locked), fresh databases, a real server process, and bounded request
 * loops. Everything talks to loopback only.
 */
export { serverUrl };
export const ADMIN_KEY = 'fault-admin-key-0123456789abcdef';
const run = promisify(execFile);

type Tap = Test;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Cluster {
  version: string;
  name: string;
  port: number;
}

/**
 * The API in this process, listening on a loopback port against `url`, closed at the end of
 * the test: admin key, no rate limit or load shedding (the faults are the only pressure).
 */
export async function listeningApp(t: Tap, url: string, env: Record<string, string> = {}) {
  const app = await buildApp(
    loadConfig({
      DATABASE_URL: url,
      ADMIN_KEY,
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '1000000',
      MAX_EVENT_LOOP_DELAY_MS: '0',
      ...env,
    }),
    { logger: false },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  return { app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

/**
 * The Debian cluster (pg_lsclusters) that serves the test URL's port, so a developer can aim
 * the fault tests at a scratch cluster and CI at `main`. Undefined without pg_ctlcluster.
 */
export async function findCluster(url: string): Promise<Cluster | undefined> {
  if (!existsSync('/usr/bin/pg_ctlcluster') || !existsSync('/etc/postgresql')) return undefined;
  const port = Number(new URL(url).port || 5432);
  const { stdout } = await run('pg_lsclusters', ['-h']);
  for (const line of stdout.split('\n')) {
    const [version, name, p] = line.trim().split(/\s+/);
    if (version && name && Number(p) === port) return { version, name, port };
  }
  // Fall back to the newest installed version's main cluster.
  const versions = readdirSync('/etc/postgresql').sort((a, b) => Number(a) - Number(b));
  const version = versions.at(-1);
  return version ? { version, name: 'main', port } : undefined;
}

/**
 * The cluster to break, or undefined when these tests cannot run here (no server URL). With
 * a server URL, a missing pg_ctlcluster is a failed assertion, never a silent skip.
 */
export async function clusterOrSkip(t: Tap): Promise<Cluster | undefined> {
  if (!serverUrl) {
    t.comment('KOPIJ_TEST_DATABASE_URL is not set: PostgreSQL fault tests need a server; skipped');
    return undefined;
  }
  const cluster = await findCluster(serverUrl);
  t.ok(cluster, 'pg_ctlcluster and a cluster for KOPIJ_TEST_DATABASE_URL exist');
  if (cluster) t.teardown(() => ensureRunning(cluster));
  return cluster;
}

export async function pgCtl(
  c: Cluster,
  action: 'start' | 'stop',
  mode?: 'immediate' | 'fast',
): Promise<void> {
  const args = ['--skip-systemctl-redirect', c.version, c.name, action, ...(mode ? ['-m', mode] : [])];
  try {
    await run('pg_ctlcluster', args, { timeout: 60_000 });
  } catch (err) {
    // "already running" / "not running" exit 2: the state we wanted.
    if ((err as { code?: number }).code !== 2) throw err;
  }
}

export async function accepting(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Starts the cluster if it is down and waits (60 s at most) until it accepts connections. */
export async function ensureRunning(c: Cluster): Promise<void> {
  if (!serverUrl || (await accepting(serverUrl))) return;
  await pgCtl(c, 'start');
  for (let i = 0; i < 120; i++) {
    if (await accepting(serverUrl)) return;
    await sleep(500);
  }
  throw new Error('PostgreSQL did not come back within 60 s');
}

/** A fresh migrated database (a copy of the test template) and a way to drop it. */
export async function freshDatabaseUrl(t: Tap): Promise<string> {
  const base = serverUrl!;
  const name = `kopij_f_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name} template ${templateDb()}`);
  await admin.end();
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  });
  return withDatabase(base, name);
}

export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

// ---- HTTP ---------------------------------------------------------------------------------------

export interface Outcome {
  label: string;
  method: string;
  path: string;
  /** 0 when no response came (connection refused or reset, or our own timeout). */
  status: number;
  error?: string;
  start: number;
  end: number;
  retryAfter: string | null;
  contentType: string;
  body: unknown;
}

/** One request with a hard client-side deadline, so a hang shows up as an outcome, not a stuck test. */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; label?: string; timeoutMs?: number } = {},
): Promise<Outcome> {
  const start = Date.now();
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_KEY}`, ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(base + path, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 8000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return {
      label: opts.label ?? `${method} ${path}`,
      method,
      path,
      status: res.status,
      start,
      end: Date.now(),
      retryAfter: res.headers.get('retry-after'),
      contentType: res.headers.get('content-type') ?? '',
      body,
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return {
      label: opts.label ?? `${method} ${path}`,
      method,
      path,
      status: 0,
      error: e.cause?.code ?? e.name ?? String(err),
      start,
      end: Date.now(),
      retryAfter: null,
      contentType: '',
      body: undefined,
    };
  }
}

/** Runs `workers` loops of `step` until `stop()` is true; the loops stop themselves after maxMs. */
export async function load(
  workers: number,
  maxMs: number,
  stop: () => boolean,
  step: (w: number, n: number) => Promise<unknown>,
) {
  const deadline = Date.now() + maxMs;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let n = 0; !stop() && Date.now() < deadline; n++) {
        await step(w, n);
        // A refused connection answers at once: do not spin.
        await sleep(5);
      }
    }),
  );
}

/**
 * A writer that owns its people: creates them and patches them with the version it last saw.
 * Records every outcome, and which writes were acknowledged, for the integrity checks.
 */
/** Writers creating and updating people against `base` until stop(), which waits for them. */
export function peopleLoad(base: () => string, workers: number, maxMs: number) {
  const writer = new PeopleWriter(base);
  let done = false;
  const running = load(
    workers,
    maxMs,
    () => done,
    (w, n) => writer.step(w, n),
  );
  return {
    writer,
    stop: async () => {
      done = true;
      await running;
    },
  };
}

export class PeopleWriter {
  readonly outcomes: Outcome[] = [];
  /** id -> the version a 2xx answer acknowledged. */
  readonly acknowledged = new Map<string, number>();
  private readonly mine = new Map<number, { id: string; version: number }[]>();

  constructor(private readonly base: () => string) {}

  async step(w: number, n: number): Promise<void> {
    const own = this.mine.get(w) ?? [];
    this.mine.set(w, own);
    const target = own[n % Math.max(own.length, 1)];
    if (target && n % 3 === 1) {
      const o = await call(this.base(), 'PATCH', `/v1/people/${target.id}`, {
        body: { description: `edit ${w}.${n}` },
        headers: { 'if-match': `"${target.version}"` },
        label: 'patch person',
      });
      this.outcomes.push(o);
      if (o.status === 200) {
        target.version = (o.body as { version: number }).version;
        this.acknowledged.set(target.id, target.version);
      } else if (o.status === 412) {
        // An earlier answer was lost (an outage) but the write committed: catch up.
        const g = await call(this.base(), 'GET', `/v1/people/${target.id}`, { label: 'get person' });
        this.outcomes.push(g);
        if (g.status === 200) target.version = (g.body as { version: number }).version;
      }
      return;
    }
    if (n % 3 === 2) {
      this.outcomes.push(await call(this.base(), 'GET', '/v1/places?limit=5', { label: 'list places' }));
      return;
    }
    const o = await call(this.base(), 'POST', '/v1/people', {
      body: { name: `Persoon ${w}-${n}-${randomBytes(3).toString('hex')}` },
      label: 'create person',
    });
    this.outcomes.push(o);
    if (o.status === 201) {
      const p = o.body as { id: string; version: number };
      own.push({ id: p.id, version: p.version });
      this.acknowledged.set(p.id, p.version);
    }
  }
}

/**
 * The write-path invariants, checked straight in the database: every acknowledged write is
 * there (at least at the version acknowledged), and every person is whole: one revision and
 * one change per version, nothing half-applied.
 */
export type Query = <T = Record<string, unknown>>(text: string) => Promise<T[]>;

export async function checkPeopleIntegrity(t: Tap, db: string | Query, acknowledged: Map<string, number>) {
  const query: Query = typeof db === 'string' ? (text) => sql(db, text) : db;
  const rows = await query<{
    id: string;
    version: number;
    revisions: string;
    changes: string;
    max_change: number | null;
  }>(
    `select p.id, p.version,
       (select count(*) from revisions r where r.resource_type = 'person' and r.resource_id = p.id) as revisions,
       (select count(*) from changes c where c.resource_type = 'person' and c.resource_id = p.id) as changes,
       (select max(c.version) from changes c where c.resource_type = 'person' and c.resource_id = p.id) as max_change
     from people p`,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = [...acknowledged].filter(([id, v]) => !byId.has(id) || byId.get(id)!.version < v);
  t.same(
    missing,
    [],
    `all ${acknowledged.size} acknowledged people are present at their acknowledged version`,
  );
  const broken = rows.filter(
    (r) => Number(r.revisions) !== r.version || Number(r.changes) !== r.version || r.max_change !== r.version,
  );
  t.same(broken, [], `all ${rows.length} people: version = revisions = changes`);
}

// ---- A real server process ------------------------------------------------------------------------

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The server as `npm start` runs it, with the given environment; resolves once /healthz answers. */
export async function startServer(t: Tap, env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', 'src/server.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_KEY,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '1000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${output}`);
    const o = await call(base, 'GET', '/healthz', { timeoutMs: 1000 });
    if (o.status === 200) break;
    if (Date.now() > deadline) throw new Error(`server did not start within 60 s: ${output}`);
    await sleep(100);
  }
  return { child, base, output: () => output, exited };
}

export function summarize(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const k = `${o.label} ${o.status || o.error}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts]
    .sort()
    .map(([k, n]) => `${k}×${n}`)
    .join(', ');
}

export function isProblem503(o: Outcome): boolean {
  return o.status === 503 && o.contentType.startsWith('application/problem+json') && o.retryAfter !== null;
}

/** A loopback webhook receiver that records each webhook-id it is sent. */
export async function startReceiver(t: Tap, opts: { delayMs?: number } = {}) {
  const { createServer: createHttpServer } = await import('node:http');
  const received: string[] = [];
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(String(req.headers['webhook-id']));
      setTimeout(() => {
        res.writeHead(204);
        res.end();
      }, opts.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r(undefined)));
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, received };
}
