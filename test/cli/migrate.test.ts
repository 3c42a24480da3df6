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
  for (const [name, command] of Object.entries(scripts)) {
    for (const file of command.match(/\b(?:src|bench|test)\/[\w./-]+\.ts\b/g) ?? [])
      t.ok(existsSync(join(ROOT, file)), `npm run ${name}: ${file}`);
  }
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
  t.equal(rows[0]?.n, 1, 'the latest migration is in');
});
