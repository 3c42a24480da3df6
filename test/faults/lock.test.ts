import pg from 'pg';
import t, { type Test } from 'tap';
import {
  call,
  checkPeopleIntegrity,
  clusterOrSkip,
  freshDatabaseUrl,
  isProblem503,
  listeningApp,
  type Outcome,
  sleep,
  summarize,
} from './helpers.js';

/**
 * Row 43: an ACCESS EXCLUSIVE lock on `people` held for a while (a migration gone wrong, a
 * forgotten psql session). Writers give up after lock_timeout with 503 instead of queueing
 * and starving the pool, so reads of other tables stay 200; all is well once it is released.
 */
const LOCK_HOLD_MS = 5000;
const WRITERS = 30;

const cluster = await clusterOrSkip(t);
if (cluster) {
  const url = await freshDatabaseUrl(t);
  const { app, base } = await listeningApp(t, url);
  // The default lock_timeout, as production runs it.
  const LOCK_TIMEOUT_MS = app.config.dbLockTimeoutMs;

  /**
   * Holds the lock on `table` while waves of creates at `path` arrive (more than the pool has
   * connections) and a reader of places keeps going.
   */
  const lockedWrites = async (t: Test, table: string, path: string, body: (name: string) => unknown) => {
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    t.teardown(() => locker.end().catch(() => undefined));
    await locker.query('begin');
    await locker.query(`lock table ${table} in access exclusive mode`);
    const locked = Date.now();

    // Writers arrive in waves, more of them than the pool has connections, while a reader
    // of another table keeps going.
    const writes: Promise<Outcome>[] = [];
    const reads: Promise<Outcome>[] = [];
    while (Date.now() - locked < LOCK_HOLD_MS - LOCK_TIMEOUT_MS - 1000) {
      for (let i = 0; i < WRITERS / 3; i++)
        writes.push(
          call(base, 'POST', path, { body: body(`Blocked ${writes.length}`), label: `create in ${table}` }),
        );
      for (let i = 0; i < 3; i++)
        reads.push(call(base, 'GET', '/v1/places?limit=5', { label: 'list places' }));
      await sleep(500);
    }
    const blocked = await Promise.all(writes);
    const read = await Promise.all(reads);
    t.ok(Date.now() - locked < LOCK_HOLD_MS, 'every blocked writer answered while the lock was still held');
    await locker.query('commit');

    t.comment(summarize([...blocked, ...read]));
    t.ok(blocked.length >= WRITERS, `${blocked.length} writers tried`);
    t.same(
      blocked.filter((o) => !isProblem503(o)),
      [],
      'every blocked writer answers 503 problem + Retry-After',
    );
    const slowest = Math.max(...blocked.map((o) => o.end - o.start));
    // At most lock_timeout waiting for a transaction slot, then lock_timeout waiting for the lock.
    t.ok(
      slowest < 2 * LOCK_TIMEOUT_MS + 1000,
      `writers give up within 2 × lock_timeout (slowest ${slowest} ms, lock_timeout ${LOCK_TIMEOUT_MS} ms)`,
    );
    t.ok(
      read.length > 0 && read.every((o) => o.status === 200),
      `reads of places stay 200 (${read.length}, slowest ${Math.max(...read.map((o) => o.end - o.start))} ms)`,
    );

    const after = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(base, 'POST', path, { body: body(`After ${i}`) })),
    );
    t.ok(
      after.every((o) => o.status === 201),
      `writes succeed once the lock is released (${summarize(after)})`,
    );
    t.equal((await call(base, 'GET', `${path}?limit=100`)).status, 200);
  };

  t.test(`ACCESS EXCLUSIVE on people for ${LOCK_HOLD_MS} ms`, async (t) => {
    t.equal((await call(base, 'POST', '/v1/places', { body: { name: 'Kiev', kind: 'city' } })).status, 201);
    t.equal((await call(base, 'POST', '/v1/people', { body: { name: 'Before' } })).status, 201);
    await lockedWrites(t, 'people', '/v1/people', (name) => ({ name }));
    await checkPeopleIntegrity(t, url, new Map());
  });

  // An article is created in one statement with no BEGIN: it must take a transaction slot all the same.
  t.test(`ACCESS EXCLUSIVE on articles for ${LOCK_HOLD_MS} ms`, async (t) => {
    await lockedWrites(t, 'articles', '/v1/articles', (headline) => ({
      language: 'nl',
      headline: `Geblokkeerd artikel ${headline}`,
      body: [{ type: 'paragraph', text: 'Tekst.' }],
    }));
  });
}
