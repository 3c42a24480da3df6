import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import t from 'tap';
import { MIGRATIONS_FOLDER, migrationSession, runMigrations } from '../../src/db/migrate.js';
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

t.test('migration 0014 rewrites stored bodies into the text the API writes', async (t) => {
  // Its two helpers, run here on bodies as jsonb held them (keys re-ordered on the way in).
  const file = readFileSync(join(MIGRATIONS_FOLDER, '0014_body_json.sql'), 'utf8');
  const helpers = file
    .split('--> statement-breakpoint')
    .filter((s) => s.includes('CREATE FUNCTION kopij_0014_'));
  t.equal(helpers.length, 2);
  const tricky = 'Zij zei: "nee" \\ \n\t\u0001\u001f\u007f é ✓ 🇺🇦 \u2028 </script>';
  const api = [
    [],
    [{ type: 'paragraph', text: tricky }],
    [
      { type: 'heading', text: 'Kop' },
      { type: 'blockquote', text: 'We geven niet op.', attribution: 'Volodymyr Zelensky' },
      { type: 'blockquote', text: 'Zonder bron.' },
    ],
  ];
  await database.db.transaction(async (tx) => {
    for (const h of helpers) await tx.execute(sql.raw(h));
    const rewrite = async (jsonbText: string) => {
      const result = (await tx.execute(
        sql`select kopij_0014_body_json(${jsonbText}::jsonb)::text as t`,
      )) as unknown as { rows: { t: string }[] };
      return result.rows[0]!.t;
    };
    for (const body of api) {
      const reversed = body.map((b) => Object.fromEntries(Object.entries(b).reverse()));
      t.equal(
        await rewrite(JSON.stringify(reversed)),
        JSON.stringify(body),
        JSON.stringify(body).slice(0, 60),
      );
    }
    // A block of a shape the schema does not know keeps jsonb's text: the same JSON.
    t.equal(await rewrite('[{"type":"image","src":"x"}]'), '[{"src": "x", "type": "image"}]');
    t.equal(await rewrite('{"not":"a list"}'), '{"not": "a list"}');
    await tx.execute(sql`drop function kopij_0014_body_json(jsonb)`);
    await tx.execute(sql`drop function kopij_0014_block_json(jsonb)`);
  });
});

t.test('articles keep their body as json, the text given', async (t) => {
  const result = (await database.db.execute(
    sql`select data_type from information_schema.columns where table_name = 'articles' and column_name = 'body'`,
  )) as unknown as { rows: { data_type: string }[] };
  t.equal(result.rows[0]!.data_type, 'json');
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
