import { sql } from 'drizzle-orm';
import t from 'tap';
import { freshDatabase } from '../helpers/database.js';

const database = await freshDatabase();
t.teardown(() => database.close());

t.test("the API's sessions: its name, its timeouts, and no parallel workers", async (t) => {
  const { rows } = (await database.db.execute(sql`select
    current_setting('max_parallel_workers_per_gather') as parallel,
    current_setting('application_name') as name,
    current_setting('lock_timeout') as lock,
    current_setting('idle_in_transaction_session_timeout') as idle`)) as unknown as {
    rows: Record<string, string>[];
  };
  if (database.kind === 'postgres') {
    t.same(rows[0], { parallel: '0', name: 'kopij', lock: '2s', idle: '10s' });
  } else {
    // PGlite is one process: it has no workers to start and no pool to name.
    t.equal(database.pool, undefined);
    t.ok(rows[0], 'the settings exist there too');
  }
});
