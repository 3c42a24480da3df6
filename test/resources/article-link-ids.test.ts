import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

/**
 * An article's personIds and placeIds are read from copies on its row (migration 0009), not
 * from the link tables. Whatever writes the links, through the API or straight into the
 * tables, the copies must say what the links say, in their order.
 */
const ctx = await buildTestApp(t);
const { req, post } = ctx;
const db = ctx.database.db;

const [anna, bram, cor] = await Promise.all(
  ['Anna de Boer', 'Bram Visser', 'Cor Jansen'].map((name) => post('/v1/people', { name })),
);
const [kiev, lviv] = await Promise.all(
  ['Kiev', 'Lviv'].map((name) => post('/v1/places', { name, kind: 'city' })),
);

/** Articles whose copies differ from their link tables (none, if the copies are kept). */
async function drifted(): Promise<string[]> {
  const { rows } = (await db.execute(sql`
    select id from articles a
    where person_ids is distinct from coalesce((select jsonb_agg(person_id order by position)
        from article_people where article_id = a.id), '[]'::jsonb)
       or place_ids is distinct from coalesce((select jsonb_agg(place_id order by position)
        from article_places where article_id = a.id), '[]'::jsonb)`)) as unknown as {
    rows: { id: string }[];
  };
  return rows.map((r) => r.id);
}

const read = async (id: string) => (await req('GET', `/v1/articles/${id}`, { as: 'preview' })).json();

t.test('API writes keep the copies equal to the links', async (t) => {
  const a = await post('/v1/articles', {
    language: 'nl',
    headline: 'Kabinet zoekt steun voor Oekraïne',
    body: [{ type: 'paragraph', text: 'Tekst.' }],
    personIds: [bram.id, anna.id],
    placeIds: [kiev.id],
  });
  t.same(a.personIds, [bram.id, anna.id], 'the create answers the lists in order');
  t.same((await read(a.id)).personIds, [bram.id, anna.id], 'and a read shows them');

  const reordered = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { personIds: [anna.id.toUpperCase(), cor.id], placeIds: [lviv.id, kiev.id] },
    headers: { 'if-match': '"1"' },
  });
  t.equal(reordered.statusCode, 200);
  t.same(reordered.json().personIds, [anna.id, cor.id], 'a PATCH answers the new lists, lower-cased');
  const after = await read(a.id);
  t.same(
    [after.personIds, after.placeIds],
    [
      [anna.id, cor.id],
      [lviv.id, kiev.id],
    ],
  );

  const unknown = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { personIds: [bram.id, '0190a5d0-0000-7000-8000-000000000000'] },
    headers: { 'if-match': '"2"' },
  });
  t.equal(unknown.statusCode, 422, 'an unknown person is refused');
  t.same((await read(a.id)).personIds, [anna.id, cor.id], 'and the copy is as it was');

  const untouched = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { headline: 'Kabinet vindt steun voor Oekraïne' },
    headers: { 'if-match': '"2"' },
  });
  t.same(untouched.json().personIds, [anna.id, cor.id], 'a PATCH without lists keeps them');

  const restored = await req('POST', `/v1/articles/${a.id}/revisions/1/restore`, {
    as: 'write',
    headers: { 'if-match': '"3"' },
  });
  t.equal(restored.statusCode, 200);
  t.same(restored.json().personIds, [bram.id, anna.id], 'a restore brings version 1’s lists back');
  t.same((await read(a.id)).placeIds, [kiev.id]);
  t.same(await drifted(), [], 'no article’s copies differ from its links');
});

// The create statement tells the triggers it wrote the copies itself, for its own transaction
// only: these writes come after creates on the same connection (PGlite has just one), and must
// still be followed.
t.test('links written straight into the tables reach the copies', async (t) => {
  const a = await post('/v1/articles', {
    language: 'en',
    headline: 'Imported by a script',
    body: [{ type: 'paragraph', text: 'Text.' }],
  });
  t.same((await read(a.id)).personIds, []);

  await db.execute(sql`insert into article_people (article_id, person_id, position)
    values (${a.id}, ${cor.id}, 1), (${a.id}, ${anna.id}, 0)`);
  await db.execute(
    sql`insert into article_places (article_id, place_id, position) values (${a.id}, ${lviv.id}, 0)`,
  );
  let now = await read(a.id);
  t.same([now.personIds, now.placeIds], [[anna.id, cor.id], [lviv.id]], 'an INSERT, in position order');

  await db.execute(sql`update article_people set position = 2 - position where article_id = ${a.id}`);
  t.same((await read(a.id)).personIds, [cor.id, anna.id], 'an UPDATE of the positions');

  await db.execute(sql`delete from article_people where article_id = ${a.id} and person_id = ${cor.id}`);
  await db.execute(sql`delete from article_places where article_id = ${a.id}`);
  now = await read(a.id);
  t.same([now.personIds, now.placeIds], [[anna.id], []], 'a DELETE, down to none');
  t.same(await drifted(), []);
});

t.test('a page of articles reads no link table', async (t) => {
  ctx.resetQueries();
  const res = await req('GET', '/v1/articles?limit=5', { as: 'preview' });
  t.equal(res.statusCode, 200);
  t.ok(res.json().data.length >= 2);
  t.same(
    ctx.queries.filter((q) => /article_(people|places)/.test(q)),
    [],
    'the ids come from the rows themselves',
  );
});
