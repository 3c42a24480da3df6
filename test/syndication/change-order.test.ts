import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { CHANGE_LOG_LOCK, recordChange } from '../../src/content/write.js';
import { buildTestApp } from '../helpers/app.js';
import { signal } from '../helpers/signal.js';

/**
 * A partner resumes the change log from the last sequence number it saw, so sequence numbers
 * must become visible in order: a change may not commit while an earlier-numbered one is
 * still in flight, or a poll in between moves the partner's cursor past the earlier change
 * for good. Here a write transaction is held open after logging its change, another write
 * comes in through the API, and a partner polls in between.
 */
const ctx = await buildTestApp(t);
const { req, database } = ctx;

type Change = { seq: number; id: string };

async function poll(since?: string): Promise<{ data: Change[]; next: string }> {
  const res = await req('GET', `/v1/changes${since ? `?since=${encodeURIComponent(since)}` : ''}`);
  t.equal(res.statusCode, 200);
  const body = res.json();
  return { data: body.data, next: body.page.next };
}

function held(id: string) {
  const gate = signal();
  const logged = signal();
  const done = database.db.transaction(async (tx) => {
    await recordChange(tx, {
      type: 'person',
      id,
      version: 1,
      action: 'created',
      data: { id },
      audience: 'public',
      actor: 'test',
      at: new Date(),
    });
    logged.resolve();
    await gate.promise;
  });
  return { inFlight: logged.promise, release: gate.resolve, done };
}

t.test('a later write waits for an earlier change to commit; no poll skips it', async (t) => {
  const start = await poll();
  const first = randomUUID();
  const tx = held(first);
  await tx.inFlight;

  if (database.kind === 'pglite') {
    // One connection: the embedded database runs one transaction at a time, so nothing can
    // commit in between by construction. Check the order once it commits.
    tx.release();
    await tx.done;
    const created = await req('POST', '/v1/people', { as: 'write', body: { name: 'Later Writer' } });
    t.equal(created.statusCode, 201);
    const after = await poll(start.next);
    t.same(
      after.data.map((c) => c.id),
      [first, created.json().id],
      'both changes, in commit order',
    );
    return;
  }

  const later = req('POST', '/v1/people', { as: 'write', body: { name: 'Later Writer' } });
  let answered = false;
  void later.then(() => {
    answered = true;
  });
  // Until the later write either answers (the bug) or is seen waiting for the log's lock.
  for (let i = 0; i < 400 && !answered; i++) {
    const rows = (await database.db.execute(
      sql`select count(*)::int as n from pg_locks
        where locktype = 'advisory' and not granted and objid = ${CHANGE_LOG_LOCK}
          and database = (select oid from pg_database where datname = current_database())`,
    )) as unknown as { rows: { n: number }[] };
    if (rows.rows[0]!.n > 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  t.notOk(answered, 'the later write has not committed while the earlier change is in flight');
  const between = await poll(start.next);
  t.same(between.data, [], 'a poll in between sees neither change');

  tx.release();
  await tx.done;
  const created = await later;
  t.equal(created.statusCode, 201);
  const after = await poll(between.next);
  t.same(
    after.data.map((c) => c.id),
    [first, created.json().id],
    'resuming from the poll in between delivers both, in order',
  );
  t.ok(after.data[0]!.seq < after.data[1]!.seq);
});
