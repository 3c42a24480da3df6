import t from 'tap';
import { lockForWrite } from '../../src/content/write.js';
import { people, places } from '../../src/db/schema.js';
import { buildTestApp } from '../helpers/app.js';
import { signal } from '../helpers/signal.js';

const ctx = await buildTestApp(t);
const { req } = ctx;

/**
 * An edit holds its person's or place's row from its start, and takes the change log's lock
 * at its end. Creating an article checks its people and places (a foreign key's KEY SHARE)
 * after taking that lock. Were the edit's row lock FOR UPDATE, the create would wait for the
 * edit while holding the lock the edit waits for: a deadlock, which PostgreSQL breaks after a
 * second by failing one of them.
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
