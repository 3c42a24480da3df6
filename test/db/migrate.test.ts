import { sql } from 'drizzle-orm';
import pg from 'pg';
import t from 'tap';
import { migrationSession, runMigrations } from '../../src/db/migrate.js';
import { freshDatabase, serverUrl } from '../helpers/database.js';

const database = await freshDatabase();
t.teardown(() => database.close());
const rows = async <T>(q: ReturnType<typeof sql>) =>
  ((await database.db.execute(q)) as unknown as { rows: T[] }).rows;

t.test('migrations are idempotent: a second run applies nothing', async (t) => {
  const before = await rows<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  t.ok(before[0]!.n >= 4, 'all committed migrations are applied');
  await runMigrations(database);
  await runMigrations(database);
  const after = await rows<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  t.equal(after[0]!.n, before[0]!.n);
});

t.test('the extensions search needs are loaded, on this driver', async (t) => {
  const ext = await rows<{ extname: string }>(sql`select extname from pg_extension order by extname`);
  const names = ext.map((e) => e.extname);
  t.ok(names.includes('pg_trgm'), 'pg_trgm');
  t.ok(names.includes('unaccent'), 'unaccent');
  const [r] = await rows<{ folded: string; sim: number; stem: string }>(
    sql`select unaccent('Oekraïense beëindigen') as folded,
               similarity('Zelensky', 'Zelenskyy') as sim,
               to_tsvector(kopij_ts_config('nl'), 'onderhandelingen')::text as stem`,
  );
  t.equal(r!.folded, 'Oekraiense beeindigen');
  t.ok(r!.sim > 0.5);
  t.equal(r!.stem, "'onderhandel':1");
});

if (serverUrl) {
  t.test('a migration is not cut off by the pool’s statement timeout, and requests keep it', async (t) => {
    const pool = new pg.Pool({ connectionString: serverUrl, max: 1, statement_timeout: 100 });
    t.teardown(() => pool.end());
    const slow = 'select pg_sleep(0.3)';
    const client = await pool.connect();
    const release = await migrationSession(client);
    await t.resolves(client.query(slow), 'a 300 ms statement runs to its end while migrating');
    await release();
    await t.rejects(pool.query(slow), { code: '57014' }, 'and is cancelled at 100 ms again afterwards');
  });
}
