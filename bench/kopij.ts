import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createCursorCodec } from '../src/http/cursor.js';
import type { BenchOptions } from './args.js';
import type { Sample, Target } from './load.js';
import { measure } from './measure.js';
import { formatSummary } from './profile.js';
import type { Scenario } from './scenarios.js';
import {
  baseEnv,
  type Child,
  freePort,
  KOPIJ_MODULES_SCRIPT,
  KOPIJ_SCRIPT,
  ROOT,
  SERVER_ENV,
  SERVER_NODE_FLAGS,
  startNode,
} from './servers.js';
import { type BenchKeys, finalTidy, newContext } from './writes.js';

export interface KopijOptions {
  target: Target;
  webhookUrl: string;
  children: Set<Child>;
  nodeArgs?: string[];
  /** Default: the bundle `npm start` runs. */
  script?: string;
  /** False: RESPONSE_CACHE_SIZE=0. */
  responseCache: boolean;
}

/** The server's environment in the bench: a rate limit no benchmark reaches, warn-level logs. */
export function kopijEnv(
  port: number,
  adminKey: string,
  target: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string },
  responseCache: boolean,
): Record<string, string> {
  return {
    ...baseEnv(),
    ...SERVER_ENV,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ADMIN_KEY: adminKey,
    RATE_LIMIT_PER_MINUTE: '1000000',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    ...(responseCache ? {} : { RESPONSE_CACHE_SIZE: '0' }),
    ...(target.kind === 'postgres' ? { DATABASE_URL: target.url } : { DATA_DIR: target.dataDir }),
  };
}

/**
 * The real server (`dist/bundle/server.js` as `npm start` runs it, migrations applied at start, workers running) as its own
 * process, configured as in production except: a rate limit no benchmark reaches, warn-level
 * logs, and private webhook URLs allowed so the outbox delivers to the bench's local sink.
 */
export async function startKopij(o: KopijOptions): Promise<{ child: Child; keys: BenchKeys }> {
  const port = await freePort();
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  const env = kopijEnv(port, adminKey, o.target, o.responseCache);
  const child = await startNode({
    name: 'kopij',
    script: o.script ?? KOPIJ_SCRIPT,
    nodeArgs: [...SERVER_NODE_FLAGS, ...(o.nodeArgs ?? [])],
    env,
    port,
    readyPath: '/readyz',
  });
  o.children.add(child);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${child.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status}: ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>);
  };
  // A reused database still holds the keys of earlier runs: revoked, so they do not pile up.
  const earlier = (await call('GET', '/v1/keys')) as {
    data: { id: string; name: string; revokedAt: string | null }[];
  };
  for (const k of earlier.data)
    if (k.name.startsWith('bench ') && k.revokedAt === null) await call('DELETE', `/v1/keys/${k.id}`);
  const key = async (name: string, scopes: string[]) =>
    ((await call('POST', '/v1/keys', { name, scopes })) as { secret: string }).secret;
  const keys: BenchKeys = {
    writeKey: await key('bench editor', ['write']),
    readKey: await key('bench frontend', ['read']),
    partnerKey: await key('bench partner', ['read', 'embargo']),
  };
  // A reused database may still name the sink of an earlier run.
  const hooks = (await call('GET', '/v1/webhooks')) as { data: { id: string }[] };
  for (const h of hooks.data) await call('DELETE', `/v1/webhooks/${h.id}`);
  await call('POST', '/v1/webhooks', { url: o.webhookUrl, events: ['article.*', 'quote.*'] });
  return { child, keys };
}

/**
 * Runs one scenario against a server under `node --cpu-prof` and summarises where its CPU
 * time went during the load (warm-up included, start-up and clean-up left out).
 */
export async function profileScenario(
  s: Scenario,
  o: KopijOptions & { opts: BenchOptions; sample: Sample; secret: string; dir: string },
): Promise<string> {
  if (s.server !== 'kopij') throw new Error('--profile takes a Kopij scenario, not a ceiling');
  mkdirSync(o.dir, { recursive: true });
  const spawned = Date.now();
  const kopij = await startKopij({
    ...o,
    script: KOPIJ_MODULES_SCRIPT,
    nodeArgs: [...(o.nodeArgs ?? []), '--cpu-prof', '--cpu-prof-dir', o.dir],
  });
  const ctx = newContext(o.sample, kopij.keys, createCursorCodec(o.secret), o.opts.seed);
  // The profile starts with the process: what came before the load is start-up.
  const skipMs = Date.now() - spawned;
  const run = await measure(
    s.name,
    1,
    { url: kopij.child.url, pid: kopij.child.pid, database: undefined },
    s.requests(ctx),
    o.opts,
  );
  // The profile is written when the process exits: stopped before any clean-up, so that the
  // deletes of the drafts a create run made (thousands) are not in the profile of its creates.
  await kopij.child.stop();
  o.children.delete(kopij.child);
  if (ctx.created.length || ctx.sentHeadlines.size || ctx.unsettled.size) {
    // A server of its own deletes them, as a full run does at its end (with its own keys:
    // starting it revokes the earlier run's).
    const cleaner = await startKopij(o);
    await finalTidy({ ...ctx, writeKey: cleaner.keys.writeKey }, cleaner.child.url);
    await cleaner.child.stop();
    o.children.delete(cleaner.child);
  }
  const files = readdirSync(o.dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(o.dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (!files[0]) throw new Error(`no .cpuprofile was written to ${o.dir}:\n${kopij.child.output()}`);
  const header = `${s.name}: ${Math.round(run.rps)} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms under --cpu-prof\nprofile: ${relative(ROOT, files[0])}\n`;
  const summary = `${header}\n${formatSummary(JSON.parse(readFileSync(files[0], 'utf8')), 30, skipMs)}`;
  writeFileSync(join(o.dir, 'summary.txt'), `${summary}\n`);
  return summary;
}
