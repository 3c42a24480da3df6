import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type { Logger as DrizzleLogger } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { Config } from '../config.js';
import { createPool } from './pool.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything that runs queries: the database or a transaction inside it. */
export type Executor = Db | Tx;

export interface Database {
  kind: 'pglite' | 'postgres';
  /** The primary: every write, and every read that must see the latest commit. */
  db: Db;
  /**
   * Where reads that may lag a little go: a streaming replica (DATABASE_READ_URL), else the
   * primary itself. Only plugins/replica.ts hands it out, with its fallbacks; see there.
   */
  read: Db;
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The raw PGlite instance (embedded only), for dumps in tests. */
  pglite?: PGlite;
  /** The pg pool (server only), for pool hygiene and fault tests. */
  pool?: pg.Pool;
  /** The replica's pool, when DATABASE_READ_URL names one. */
  readPool?: pg.Pool;
}

export interface DbOptions {
  /**
   * Called with the SQL of every statement drizzle sends, where, and its parameters (tests
   * count queries and EXPLAIN them with it).
   */
  onQuery?: (query: string, on: 'primary' | 'replica', params: unknown[]) => void;
  /** A tarball from PGlite's dumpDataDir to start the embedded database from (tests). */
  loadDataDir?: Blob;
  /** Reports pool errors (a backend that died while idle) instead of crashing. */
  onPoolError?: (err: Error) => void;
}

function logger(
  onQuery: DbOptions['onQuery'],
  on: 'primary' | 'replica' = 'primary',
): DrizzleLogger | undefined {
  return onQuery ? { logQuery: (query, params) => onQuery(query, on, params) } : undefined;
}

/**
 * PGlite is loaded only when it is used: importing it costs ~50 MB of RSS, which a server on
 * PostgreSQL has no use for.
 */
export async function openPglite(source: string | undefined, loadDataDir?: Blob): Promise<PGlite> {
  if (source) mkdirSync(source, { recursive: true });
  const [{ PGlite }, { pg_trgm }, { unaccent }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('@electric-sql/pglite/contrib/unaccent'),
  ]);
  return PGlite.create(source, {
    extensions: { pg_trgm, unaccent },
    ...(loadDataDir ? { loadDataDir } : {}),
  });
}

export async function createDb(config: Config, options: DbOptions = {}): Promise<Database> {
  const url = config.databaseUrl;
  if (url && url !== 'memory://') return createPostgresDb(config, url, options);
  const client = await openPglite(url === 'memory://' ? undefined : config.dataDir, options.loadDataDir);
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  const db = drizzlePglite(client, { schema, logger: logger(options.onQuery) }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    read: db,
    pglite: client,
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}

function createPostgresDb(config: Config, url: string, options: DbOptions): Database {
  const pool = createPool(config, url, options.onPoolError);
  const db = drizzleNodePg(pool, { schema, logger: logger(options.onQuery) }) as unknown as Db;
  const replica = config.databaseReadUrl ? openReplica(config, config.databaseReadUrl, options) : undefined;
  return {
    kind: 'postgres',
    db,
    read: replica?.read ?? db,
    pool,
    readPool: replica?.readPool,
    // Readiness is the primary's: without the replica, reads fall back to it.
    ping: async () => {
      await pool.query('select 1');
    },
    close: async () => {
      await Promise.all([pool, replica?.readPool].map((p) => (p && !p.ended ? p.end() : undefined)));
    },
  };
}

/** A pool on a streaming replica, opened lazily like the primary's: an absent replica fails no start. */
export function openReplica(
  config: Config,
  url: string,
  options: DbOptions,
): { read: Db; readPool: pg.Pool } {
  const readPool = createPool(config, url, options.onPoolError, 'kopij-read');
  const read = drizzleNodePg(readPool, {
    schema,
    logger: logger(options.onQuery, 'replica'),
  }) as unknown as Db;
  return { read, readPool };
}
