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

/** A poll of the log: anonymous (public changes only), or as an editor (`write`: all of them). */
async function poll(since?: string, as?: 'write'): Promise<{ data: Change[]; next: string }> {
  const url = `/v1/changes${since ? `?since=${encodeURIComponent(since)}` : ''}`;
  const res = await req('GET', url, as ? { as } : {});
  t.equal(res.statusCode, 200);
  const body = res.json();
  return { data: body.data, next: body.page.next };
}

/** A request whose answer can be looked at without waiting for it. */
function tracked<T>(promise: Promise<T>): Promise<T> & { answered: boolean } {
  const p = Object.assign(promise, { answered: false });
  void promise.then(() => {
    p.answered = true;
  });
  return p;
}

/** Until the request answers or something is seen waiting for the change log's lock. */
async function waitingOrAnswered(request: { answered: boolean }): Promise<void> {
  for (let i = 0; i < 400 && !request.answered; i++) {
    const rows = (await database.db.execute(
      sql`select count(*)::int as n from pg_locks
        where locktype = 'advisory' and not granted and objid = ${CHANGE_LOG_LOCK}
          and database = (select oid from pg_database where datname = current_database())`,
    )) as unknown as { rows: { n: number }[] };
    if (rows.rows[0]!.n > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A write transaction held open after logging its change, until released. */
function held(id: string, audience: 'public' | 'private' = 'public') {
  const gate = signal();
  const logged = signal();
  const done = database.db.transaction(async (tx) => {
    await recordChange(tx, {
      type: 'person',
      id,
      version: 1,
      action: 'created',
      data: { id },
      audience,
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

  const later = tracked(req('POST', '/v1/people', { as: 'write', body: { name: 'Later Writer' } }));
  await waitingOrAnswered(later);
  t.notOk(later.answered, 'the later write has not committed while the earlier change is in flight');
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

/**
 * Changes only editors may learn of (drafts') do not wait for each other: they may commit out
 * of seq order. So an editor's poll reads no further than a seq below which all have committed,
 * waiting for the one in flight; the public's poll shows none of them and waits for nothing.
 */
t.test("drafts' changes do not wait for each other; an editor's poll skips none of them", async (t) => {
  const start = await poll(undefined, 'write');
  const publicStart = await poll();
  const first = randomUUID();
  const tx = held(first, 'private');
  await tx.inFlight;
  const draft = { language: 'nl', headline: 'Een concept dat niet wacht' };

  if (database.kind === 'pglite') {
    tx.release();
    await tx.done;
    const created = await req('POST', '/v1/articles', { as: 'write', body: draft });
    t.equal(created.statusCode, 201);
    const after = await poll(start.next, 'write');
    t.same(
      after.data.map((c) => c.id),
      [first, created.json().id],
      'both changes, in order',
    );
    return;
  }

  const later = tracked(req('POST', '/v1/articles', { as: 'write', body: draft }));
  await waitingOrAnswered(later);
  t.ok(later.answered, 'a new draft commits while an earlier draft change is in flight');
  const created = await later;
  t.equal(created.statusCode, 201);

  const publicPoll = await poll(publicStart.next);
  t.same(publicPoll.data, [], "the public's poll shows neither, without waiting");

  const editorPoll = tracked(poll(start.next, 'write'));
  await waitingOrAnswered(editorPoll);
  t.notOk(editorPoll.answered, "an editor's poll waits for the change in flight");
  tx.release();
  await tx.done;
  const after = await editorPoll;
  t.same(
    after.data.map((c) => c.id),
    [first, created.json().id],
    'then it shows both, in seq order: the earlier is not skipped',
  );
  t.ok(after.data[0]!.seq < after.data[1]!.seq);
});

t.test(
  "a change the public may see waits for a draft's change in flight, and the other way round",
  async (t) => {
    if (database.kind === 'pglite') {
      t.pass('one connection: nothing is in flight beside a write');
      return;
    }
    const start = await poll();
    const draftChange = held(randomUUID(), 'private');
    await draftChange.inFlight;
    const person = tracked(req('POST', '/v1/people', { as: 'write', body: { name: 'Wachtende Schrijver' } }));
    await waitingOrAnswered(person);
    t.notOk(person.answered, "a person (public) waits for the draft's change");
    draftChange.release();
    await draftChange.done;
    t.equal((await person).statusCode, 201);

    const publicId = randomUUID();
    const publicChange = held(publicId, 'public');
    await publicChange.inFlight;
    const draft = tracked(
      req('POST', '/v1/articles', { as: 'write', body: { language: 'nl', headline: 'Wacht' } }),
    );
    await waitingOrAnswered(draft);
    t.notOk(draft.answered, 'a new draft waits for the public change');
    publicChange.release();
    await publicChange.done;
    t.equal((await draft).statusCode, 201);
    const after = await poll(start.next);
    t.same(
      after.data.map((c) => c.id),
      [(await person).json().id, publicId],
      'the public sees the two changes it may see, in order, and neither draft',
    );
  },
);
