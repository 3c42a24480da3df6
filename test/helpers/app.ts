import { sql } from 'drizzle-orm';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type BuildOptions, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { BACKGROUND } from '../../src/plugins/response-cache.js';
import { freshDatabase } from './database.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

type Tap = { teardown: (fn: () => unknown) => void };

export interface TestContext {
  app: FastifyInstance;
  database: Database;
  /** SQL statements sent since the last resetQueries(). */
  queries: string[];
  resetQueries(): void;
  keys: { admin: string; write: string; read: string; preview: string; embargo: string };
  /** inject with a key name ('admin', 'write', …), or none for anonymous. */
  req(
    method: InjectOptions['method'],
    url: string,
    opts?: { as?: keyof TestContext['keys']; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  /** POST with the write key; the created resource's body, or a throw naming the answer. */
  // biome-ignore lint/suspicious/noExplicitAny: bodies are read loosely in tests, as res.json() returns
  post(url: string, body: Record<string, unknown>): Promise<any>;
}

/** A fresh app on a fresh migrated database, closed when the test file ends. */
export async function buildTestApp(
  t: Tap,
  env: Record<string, string> = {},
  opts: {
    database?: Database;
    logger?: { level?: string; stream?: NodeJS.WritableStream };
    build?: Omit<BuildOptions, 'database' | 'logger'>;
    /** false: make no API keys (a test whose app may refuse requests while it starts). */
    keys?: false;
  } = {},
): Promise<TestContext> {
  const queries: string[] = [];
  const shared = opts.database;
  // The response cache's own reads (after a notification) belong to no request.
  const onQuery = (q: string) => {
    if (!q.startsWith(BACKGROUND)) queries.push(q);
  };
  const database = shared ?? (await freshDatabase({ onQuery }));
  // The embedded database runs on the event loop, and CI machines are busy: a sample interval
  // in which the loop never turned reads as an infinite delay to under-pressure. Only the
  // test of load shedding itself turns the check on.
  const config = loadConfig({
    ADMIN_KEY,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    // Every response in the suite is checked against its zod schema and against what the
    // production serializer writes.
    VALIDATE_RESPONSES: 'true',
    ...env,
  });
  const app = await buildApp(config, { ...opts.build, database, logger: opts.logger ?? false });
  await app.ready();
  t.teardown(async () => {
    await app.close();
    if (!shared) await database.close();
  });

  const req: TestContext['req'] = (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.as) headers.authorization = `Bearer ${ctx.keys[opts.as]}`;
    return app.inject({
      method,
      url,
      headers,
      ...(opts.body !== undefined ? { payload: opts.body as InjectOptions['payload'] } : {}),
    });
  };
  const ctx: TestContext = {
    app,
    database,
    queries,
    resetQueries: () => {
      queries.length = 0;
    },
    keys: { admin: ADMIN_KEY, write: '', read: '', preview: '', embargo: '' },
    req,
    post: async (url, body) => {
      const res = await req('POST', url, { as: 'write', body });
      if (res.statusCode !== 201) throw new Error(`${url}: ${res.body}`);
      return res.json();
    },
  };
  for (const scope of opts.keys === false ? [] : (['write', 'read', 'preview', 'embargo'] as const)) {
    const res = await req('POST', '/v1/keys', {
      as: 'admin',
      body: { name: `${scope} key`, scopes: [scope] },
    });
    if (res.statusCode !== 201) throw new Error(`could not create ${scope} key: ${res.body}`);
    ctx.keys[scope] = res.json().secret;
  }
  return ctx;
}

/**
 * Ends the change listener's session of `ctx` (PostgreSQL only) and resolves once `ctx` knows
 * it is not listening; the promise it resolves with settles when it listens again.
 */
export async function dropListener(ctx: TestContext): Promise<Promise<string>> {
  const down = ctx.app.responseCache.next('disconnected');
  const up = ctx.app.responseCache.next('connected');
  await ctx.database.db.execute(
    sql`select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = 'kopij-listener' and datname = current_database()`,
  );
  await down;
  return up;
}
