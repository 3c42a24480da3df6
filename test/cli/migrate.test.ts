import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { openPglite } from '../../src/db/client.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

t.test('every script in package.json names a file that exists', async (t) => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  let named = 0;
  for (const [name, command] of Object.entries(scripts)) {
    for (const file of command.match(/\b(?:src|bench|test)\/[\w./-]+\.ts\b/g) ?? []) {
      named++;
      t.ok(existsSync(join(ROOT, file)), `npm run ${name}: ${file}`);
    }
  }
  t.ok(named >= 5, `the scripts' files were found to check (${named})`);
});

t.test('npm run migrate migrates the embedded database, and a second run changes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kopij-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // The embedded database, whatever the suite runs on.
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATA_DIR: dir,
    LOG_LEVEL: 'silent',
  };
  const migrate = () => run(process.execPath, ['--import', 'tsx', 'src/cli/migrate.ts'], { cwd: ROOT, env });
  t.match((await migrate()).stdout, /Migrations applied \(pglite\)/);
  t.match((await migrate()).stdout, /Migrations applied/);
  const db = await openPglite(dir);
  t.teardown(() => db.close());
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from information_schema.columns where table_name = 'articles' and column_name = 'person_ids'`,
  );
  t.equal(rows[0]?.n, 1, 'the migrations are in');
  const journal = JSON.parse(readFileSync(join(ROOT, 'migrations/meta/_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  const applied = await db.query<{ n: number }>(
    'select count(*)::int as n from drizzle.__drizzle_migrations',
  );
  t.equal(applied.rows[0]?.n, journal.entries.length, 'each once, though it ran twice');
});
