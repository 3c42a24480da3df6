import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { createDb, type Database, type DbOptions, openPglite } from '../../src/db/client.js';
import { MIGRATIONS_FOLDER, runMigrations } from '../../src/db/migrate.js';

/**
 * Tests run on PGlite unless KOPIJ_TEST_DATABASE_URL names a PostgreSQL server. Either way
 * the migrations run once per test run into a template (a PGlite dump, or a template
 * database), and every test file gets its own copy: initdb in WASM costs seconds.
 */
export const serverUrl = process.env.KOPIJ_TEST_DATABASE_URL || undefined;

function migrationsHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS_FOLDER, { recursive: true }).map(String).sort()) {
    if (f.endsWith('.sql') || f.endsWith('.json'))
      h.update(f).update(readFileSync(join(MIGRATIONS_FOLDER, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Named by the migrations it holds, so concurrent or repeated runs share one safely. */
export const templateDb = () => `kopij_tpl_${migrationsHash()}`;

export const templateFile = () => join(tmpdir(), `kopij-pglite-template-${migrationsHash()}.tar.gz`);

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Run once before the test files (tap's `before`). */
export async function prepareTemplate(): Promise<void> {
  if (serverUrl) {
    const name = templateDb();
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query('select pg_advisory_lock(4242002)');
      const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
      if (exists.rowCount) return;
      // Built under another name and renamed when complete: a half-built template is never used.
      const building = `${name}_building`;
      await admin.query(`drop database if exists ${building} with (force)`);
      await admin.query(`create database ${building}`);
      const db = await createDb(loadConfig({ DATABASE_URL: withDatabase(serverUrl, building) }));
      await runMigrations(db);
      await db.close();
      await admin.query(`alter database ${building} rename to ${name}`);
    } finally {
      await admin.end();
    }
    return;
  }
  const file = templateFile();
  if (existsSync(file)) return;
  const client = await openPglite(undefined);
  const migrated = await createDbFromPglite(client);
  await runMigrations(migrated);
  const dump = await client.dumpDataDir('gzip');
  await client.close();
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, file);
}

async function createDbFromPglite(client: Awaited<ReturnType<typeof openPglite>>): Promise<Database> {
  const { drizzle } = await import('drizzle-orm/pglite');
  const schema = await import('../../src/db/schema.js');
  const db = drizzle(client, { schema }) as unknown as Database['db'];
  return {
    kind: 'pglite',
    db,
    read: db,
    pglite: client,
    ping: async () => undefined,
    close: async () => client.close(),
  };
}

/** A fresh, migrated database for one test file; drop it with the returned close(). */
export async function freshDatabase(options: DbOptions = {}): Promise<Database> {
  if (serverUrl) {
    const name = `kopij_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name} template ${templateDb()}`);
    await admin.end();
    const db = await createDb(loadConfig({ DATABASE_URL: withDatabase(serverUrl, name) }), options);
    return {
      ...db,
      close: async () => {
        await db.close();
        const c = new pg.Client({ connectionString: serverUrl });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const file = templateFile();
  if (!existsSync(file)) await prepareTemplate();
  const blob = new Blob([readFileSync(file)]);
  return createDb(loadConfig({ DATABASE_URL: 'memory://' }), { ...options, loadDataDir: blob });
}
