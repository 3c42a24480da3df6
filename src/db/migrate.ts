import { fileURLToPath } from 'node:url';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';
import type { Database } from './client.js';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

// Any fixed number: it names the lock every instance takes while migrating.
const MIGRATION_LOCK = 4_242_001;

/** Applies pending migrations; a second run applies nothing. Safe with several instances starting at once. */
export async function runMigrations(database: Database): Promise<void> {
  if (database.pglite) {
    const [{ drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
      import('drizzle-orm/pglite'),
      import('drizzle-orm/pglite/migrator'),
    ]);
    await migratePglite(drizzlePglite(database.pglite), { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  if (!database.pool) throw new Error('database has neither a pool nor an embedded client');
  // A session-level advisory lock needs one connection for the whole run.
  const client: pg.PoolClient = await database.pool.connect();
  const release = await migrationSession(client);
  try {
    await migrateNodePg(drizzleNodePg(client), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await release();
  }
}

/**
 * Readies a pool connection to migrate: the lock every instance takes, and no statement
 * timeout (the pool's is for requests; a migration's backfill of a large archive takes longer,
 * and cancelling it would stop the server from starting). The returned function restores the
 * connection and hands it back to the pool.
 */
export async function migrationSession(client: pg.PoolClient): Promise<() => Promise<void>> {
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('set statement_timeout = 0');
  } catch (err) {
    client.release(err instanceof Error ? err : true);
    throw err;
  }
  return async () => {
    await client.query('reset statement_timeout').catch(() => undefined);
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  };
}
