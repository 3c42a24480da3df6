import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { type Database, type Db, type DbOptions, openPglite, openReplica } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';
import { withDatabase } from './database.js';

/**
 * A streaming replica of the test server (`.ci/replica.sh` makes one on 127.0.0.1:5433), whose
 * role may pause and resume replay. Without it the read side is a stand-in that can lag the
 * same way, so the routing is tested on every run.
 */
export const replicaUrl = process.env.KOPIJ_TEST_REPLICA_URL || undefined;

export interface ReadSide {
  kind: 'streaming replica' | 'snapshot transaction' | 'snapshot copy';
  read: Db;
  /** From now on it shows the primary as it is at this moment: later commits do not reach it. */
  hold(): Promise<void>;
  /** It catches up with every commit so far. */
  release(): Promise<void>;
  /** Waits until it has every commit so far (a real replica replays a moment behind). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

const logger = (onQuery: DbOptions['onQuery']) =>
  onQuery ? { logQuery: (q: string, params: unknown[]) => onQuery(q, 'replica', params) } : undefined;

/** A read side for `primary` (a fresh test database): the real replica when there is one. */
export async function readSide(primary: Database, onQuery?: DbOptions['onQuery']): Promise<ReadSide> {
  if (primary.pglite) return snapshotCopy(primary.pglite, onQuery);
  const url = String(primary.pool!.options.connectionString);
  return replicaUrl ? streamingReplica(primary, url, replicaUrl, onQuery) : snapshotTransaction(url, onQuery);
}

/** The real thing: replay paused and resumed on the replica. */
async function streamingReplica(
  primary: Database,
  primaryUrl: string,
  replica: string,
  onQuery: DbOptions['onQuery'],
): Promise<ReadSide> {
  const control = new pg.Client({ connectionString: replica });
  await control.connect();
  const caughtUp = async () => {
    const { rows } = await primary.pool!.query<{ lsn: string }>('select pg_current_wal_lsn() as lsn');
    for (let i = 0; i < 600; i++) {
      const r = await control.query<{ ok: boolean }>(
        'select coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) as ok',
        [rows[0]!.lsn],
      );
      if (r.rows[0]!.ok) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the replica did not catch up within 30 s');
  };
  // Paused by an interrupted run? Then it would never replay this test's database.
  await control.query('select pg_wal_replay_resume()');
  await caughtUp();
  const name = new URL(primaryUrl).pathname.slice(1);
  const config = loadConfig({ DATABASE_URL: primaryUrl, LOG_LEVEL: 'silent' });
  const { read, readPool } = openReplica(config, withDatabase(replica, name), { onQuery });
  return {
    kind: 'streaming replica',
    read,
    hold: async () => {
      await caughtUp();
      await control.query('select pg_wal_replay_pause()');
      for (let i = 0; i < 600; i++) {
        const r = await control.query<{ state: string }>('select pg_get_wal_replay_pause_state() as state');
        if (r.rows[0]!.state === 'paused') return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('replay did not pause within 30 s');
    },
    release: async () => {
      await control.query('select pg_wal_replay_resume()');
      await caughtUp();
    },
    sync: caughtUp,
    close: async () => {
      await control.query('select pg_wal_replay_resume()');
      await Promise.all([control.end(), readPool.end()]);
    },
  };
}

/**
 * On a server without a replica: one connection to the primary that, while held, sits in a
 * REPEATABLE READ transaction, so it sees the database as of that moment, as a replica whose
 * replay is paused does.
 */
async function snapshotTransaction(url: string, onQuery: DbOptions['onQuery']): Promise<ReadSide> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    kind: 'snapshot transaction',
    read: drizzleNodePg({ client, schema, logger: logger(onQuery) }) as unknown as Db,
    hold: async () => {
      await client.query('begin isolation level repeatable read read only');
      // The snapshot is taken at the first statement, not at BEGIN.
      await client.query('select 1');
    },
    release: async () => {
      await client.query('commit');
    },
    sync: async () => undefined,
    close: () => client.end(),
  };
}

/** Embedded: reads go to the primary's PGlite, or while held to a copy made from its dump. */
async function snapshotCopy(primary: PGlite, onQuery: DbOptions['onQuery']): Promise<ReadSide> {
  let current = primary;
  const client = new Proxy(primary, {
    get: (_target, prop) => {
      const value = Reflect.get(current, prop, current);
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
  const release = async () => {
    const copy = current;
    current = primary;
    if (copy !== primary) await copy.close();
  };
  return {
    kind: 'snapshot copy',
    read: drizzlePglite({ client, schema, logger: logger(onQuery) }) as unknown as Db,
    hold: async () => {
      current = await openPglite(undefined, await primary.dumpDataDir('gzip'));
    },
    release,
    sync: async () => undefined,
    close: release,
  };
}
