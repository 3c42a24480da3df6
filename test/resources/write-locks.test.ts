import { sql } from 'drizzle-orm';
import t from 'tap';
import { CHANGE_LOG_LOCK, lockForWrite } from '../../src/content/write.js';
import { people, places } from '../../src/db/schema.js';
import { buildTestApp } from '../helpers/app.js';
import { signal } from '../helpers/signal.js';

const ctx = await buildTestApp(t);
const { req } = ctx;

/**
 * An edit holds its person's or place's row from its start, and takes the change log's lock
 * at its end. Creating an article locks its people and places FOR KEY SHARE (as its foreign
 * keys do). Were the edit's row lock FOR UPDATE, the create would have to wait for the edit.
 */
t.test('an article naming a person or place is created while they are being edited', async (t) => {
  if (ctx.database.kind !== 'postgres') {
    t.pass('the embedded database runs one transaction at a time: nothing can interleave');
    return;
  }
  const person = (
    await req('POST', '/v1/people', { as: 'write', body: { name: 'Caroline van der Plas' } })
  ).json();
  const place = (
    await req('POST', '/v1/places', { as: 'write', body: { name: 'Deventer', kind: 'city' } })
  ).json();
  for (const [table, id, link] of [
    [people, person.id, { personIds: [person.id] }],
    [places, place.id, { placeIds: [place.id] }],
  ] as const) {
    const gate = signal();
    const holding = signal();
    // An edit in progress: its row lock taken, its change not yet logged.
    const edit = ctx.database.db.transaction(async (tx) => {
      await lockForWrite(tx, table, id, '*', 'row');
      holding.resolve();
      await gate.promise;
    });
    await holding.promise;
    // Released whatever the create does, or a failing create would leave the edit open.
    const created = await req('POST', '/v1/articles', {
      as: 'write',
      body: { language: 'nl', headline: `Bezoek ${id}`, body: [], ...link },
    }).finally(gate.resolve);
    await edit;
    t.equal(created.statusCode, 201, 'created without waiting for the edit');
  }
});

/**
 * An edit that changes a slug (a key) holds its row FOR UPDATE, which a foreign key's KEY SHARE
 * waits for, and takes the change log's lock last. A create that took the log's lock and only
 * then checked its people would wait for the edit while holding what the edit waits for.
 */
t.test("an article naming a person is created while that person's slug changes", async (t) => {
  if (ctx.database.kind !== 'postgres') {
    t.pass('the embedded database runs one transaction at a time: nothing can interleave');
    return;
  }
  const person = (await req('POST', '/v1/people', { as: 'write', body: { name: 'Mona Keijzer' } })).json();
  const gate = signal();
  const holding = signal();
  const { db } = ctx.database;
  let editPid = 0;
  const edit = db.transaction(async (tx) => {
    await lockForWrite(tx, people, person.id, '*', 'person');
    await tx.execute(sql`update people set slug = 'mona-keijzer-2' where id = ${person.id}`);
    const me = (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as {
      rows: { pid: number }[];
    };
    editPid = me.rows[0]!.pid;
    holding.resolve();
    await gate.promise;
    await tx.execute(sql`select pg_advisory_xact_lock(${CHANGE_LOG_LOCK})`);
  });
  await holding.promise;
  const created = req('POST', '/v1/articles', {
    as: 'write',
    body: { language: 'nl', headline: 'Keijzer op bezoek', body: [], personIds: [person.id] },
  });
  // Until the create is seen waiting for the edit (for the person's row), well within the
  // pool's limit on a transaction left idle.
  let blocked = false;
  for (let i = 0; i < 200 && !blocked; i++) {
    const waiting = (await db.execute(
      sql`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and ${editPid}::int = any(pg_blocking_pids(pid))`,
    )) as unknown as { rows: { n: number }[] };
    blocked = waiting.rows[0]!.n > 0;
    if (!blocked) await new Promise((r) => setTimeout(r, 25));
  }
  t.ok(blocked, 'the create waits for the edit');
  gate.resolve();
  const outcome = await edit.then(
    () => 'committed',
    (err: { cause?: { code?: string } }) => err.cause?.code ?? String(err),
  );
  t.equal(outcome, 'committed', 'the edit commits (no deadlock)');
  t.equal((await created).statusCode, 201, 'the create goes through after it');
});
