import { and, count, eq } from 'drizzle-orm';
import t from 'tap';
import { changes, revisions } from '../../src/db/schema.js';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req, post } = ctx;
const db = ctx.database.db;

async function patch(id: string, version: number, body: Record<string, unknown>) {
  const res = await req('PATCH', `/v1/articles/${id}`, {
    as: 'write',
    body,
    headers: { 'if-match': `"${version}"` },
  });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json();
}
const restore = (id: string, version: number, ifMatch?: string, headers: Record<string, string> = {}) =>
  req('POST', `/v1/articles/${id}/revisions/${version}/restore`, {
    as: 'write',
    headers: { ...(ifMatch ? { 'if-match': ifMatch } : {}), ...headers },
  });
const revisionCount = async (id: string) =>
  (
    await db
      .select({ n: count() })
      .from(revisions)
      .where(and(eq(revisions.resourceType, 'article'), eq(revisions.resourceId, id)))
  )[0]!.n;

const CONTENT = [
  'headline',
  'standfirst',
  'body',
  'byline',
  'credit',
  'tags',
  'personIds',
  'placeIds',
  'canonicalUrl',
  'language',
  'slug',
  'embargoedUntil',
] as const;
const content = (a: Record<string, unknown>) => Object.fromEntries(CONTENT.map((k) => [k, a[k]]));

const zelensky = await post('/v1/people', { name: 'Volodymyr Zelensky' });
const guterres = await post('/v1/people', { name: 'António Guterres' });
const kiev = await post('/v1/places', { name: 'Kiev', kind: 'city' });
const lviv = await post('/v1/places', { name: 'Lviv', kind: 'city' });

t.test('restore writes a new version with the old content; status and publication stay', async (t) => {
  const v1 = await post('/v1/articles', {
    language: 'nl',
    headline: 'Zelensky: „Alleen onderhandelingen kunnen deze oorlog beëindigen”',
    slug: 'zelensky-onderhandelingen',
    standfirst: 'De Oekraïense president in een metrostation in Kiev.',
    body: [
      { type: 'paragraph', text: 'Eerste versie.' },
      { type: 'blockquote', text: '‘Wij geven geen grondgebied op’', attribution: 'Zelensky' },
    ],
    byline: 'Redactie buitenland',
    credit: 'AFP',
    tags: ['oorlog in Oekraïne', 'de [zuidelijke] regio'],
    personIds: [zelensky.id],
    placeIds: [kiev.id],
    canonicalUrl: 'https://nieuws.example/v1',
    embargoedUntil: '2022-05-01T00:00:00.000Z',
  });
  const v2 = await patch(v1.id, 1, {
    language: 'en',
    headline: 'Zelensky: only talks can end this war',
    slug: 'zelensky-talks',
    standfirst: null,
    body: [{ type: 'paragraph', text: 'Tweede versie.' }],
    byline: null,
    credit: 'ANP',
    tags: [],
    personIds: [guterres.id, zelensky.id],
    placeIds: [lviv.id],
    canonicalUrl: null,
    embargoedUntil: null,
  });
  const published = await req('POST', `/v1/articles/${v1.id}/publish`, {
    as: 'write',
    body: { publishedAt: '2022-05-07T14:30:00Z' },
  });
  t.equal(published.statusCode, 200);
  const v4 = await patch(v1.id, 3, { credit: 'Reuters' });
  const before = await db.select().from(revisions).where(eq(revisions.resourceId, v1.id));

  const res = await restore(v1.id, 1, '"4"');
  t.equal(res.statusCode, 200, res.body);
  const v5 = res.json();
  t.equal(v5.version, 5);
  t.equal(res.headers.etag, '"5"');
  t.same(content(v5), content(v1), 'every editable field is as it was in version 1');
  t.not(content(v5).headline, content(v2).headline);
  for (const k of ['status', 'publishedAt', 'firstPublishedAt', 'id', 'createdAt'])
    t.equal(v5[k], v4[k], `${k} unchanged by a restore`);
  t.equal(v5.status, 'published');
  t.same((await req('GET', `/v1/articles/${v1.id}`, { as: 'preview' })).json(), v5, 'stored');
  t.equal((await req('GET', '/v1/articles/zelensky-onderhandelingen')).statusCode, 200, 'old slug is back');
  t.equal((await req('GET', '/v1/articles/zelensky-talks')).statusCode, 404);
  t.same(
    (await req('GET', `/v1/articles/${v1.id}?include=people,places`))
      .json()
      .people.map((p: { id: string }) => p.id),
    [zelensky.id],
  );

  t.equal(await revisionCount(v1.id), 5, 'revision count equals the version');
  const after = await db.select().from(revisions).where(eq(revisions.resourceId, v1.id));
  t.same(
    after.filter((r) => r.version <= 4),
    before,
    'nothing in the history was overwritten',
  );
  const history = (await req('GET', `/v1/articles/${v1.id}/revisions`, { as: 'preview' })).json().data;
  t.same(
    history.map((r: { version: number; action: string }) => [r.version, r.action]),
    [
      [5, 'updated'],
      [4, 'updated'],
      [3, 'published'],
      [2, 'updated'],
      [1, 'created'],
    ],
  );
  t.equal(history[0].changedBy, 'write key');
  t.same((await req('GET', `/v1/articles/${v1.id}/revisions/5`, { as: 'preview' })).json(), v5);
  const [logged] = await db
    .select()
    .from(changes)
    .where(and(eq(changes.resourceId, v1.id), eq(changes.version, 5)));
  t.same(
    { action: logged?.action, audience: logged?.audience },
    { action: 'updated', audience: 'public' },
    'the change log carries it to partners like any edit',
  );

  const again = await restore(v1.id, 2, '"5"');
  t.equal(again.statusCode, 200);
  t.same(content(again.json()), content(v2), 'and forward again');
  t.equal(again.json().version, 6);
});

t.test('If-Match is required and compared strongly; a failed restore writes nothing', async (t) => {
  const a = await post('/v1/articles', { language: 'nl', headline: 'Origineel' });
  await patch(a.id, 1, { headline: 'Gewijzigd' });
  for (const [ifMatch, status] of [
    [undefined, 428],
    ['"1"', 412],
    ['W/"2"', 412],
    ['"2", "3"', 412],
    ['garbage', 412],
  ] as const) {
    const res = await restore(a.id, 1, ifMatch);
    t.equal(res.statusCode, status, `If-Match ${ifMatch}`);
    t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  }
  t.equal(await revisionCount(a.id), 2, 'no version written');
  t.equal((await req('GET', `/v1/articles/${a.id}`, { as: 'preview' })).json().headline, 'Gewijzigd');
  const star = await restore(a.id, 1, '*');
  t.equal(star.statusCode, 200, 'If-Match: * restores over whatever is current');
  t.equal(star.json().headline, 'Origineel');
});

t.test('unknown versions, refs and callers', async (t) => {
  const a = await post('/v1/articles', { language: 'nl', headline: 'Versies' });
  t.equal((await restore(a.id, 2, '"1"')).statusCode, 404, 'a version that never was');
  t.equal((await restore('01890000-0000-7000-8000-000000000000', 1, '"1"')).statusCode, 404);
  t.equal((await restore('geen-artikel', 1, '"1"')).statusCode, 404);
  for (const v of ['0', '-1', 'abc', '99999999999'])
    t.equal(
      (
        await req('POST', `/v1/articles/${a.id}/revisions/${v}/restore`, {
          as: 'write',
          headers: { 'if-match': '"1"' },
        })
      ).statusCode,
      400,
      `version ${v}`,
    );
  const withBody = await req('POST', `/v1/articles/${a.id}/revisions/1/restore`, {
    as: 'write',
    body: { headline: 'x' },
    headers: { 'if-match': '"1"' },
  });
  t.equal(withBody.statusCode, 400, 'takes no body fields');
  for (const as of ['read', 'embargo', 'preview'] as const) {
    const res = await req('POST', `/v1/articles/${a.id}/revisions/1/restore`, {
      as,
      headers: { 'if-match': '"1"' },
    });
    t.equal(res.statusCode, 403, as);
  }
  t.equal(
    (await req('POST', `/v1/articles/${a.id}/revisions/1/restore`, { headers: { 'if-match': '"1"' } }))
      .statusCode,
    401,
  );
});

t.test('a version naming people or places that are gone is 422 naming the field', async (t) => {
  const gone = await post('/v1/people', { name: 'Verdwenen Persoon' });
  const gonePlace = await post('/v1/places', { name: 'Verdwenen Plaats', kind: 'site' });
  const a = await post('/v1/articles', {
    language: 'nl',
    headline: 'Met verwijzingen',
    personIds: [zelensky.id, gone.id],
    placeIds: [kiev.id, gonePlace.id],
  });
  await patch(a.id, 1, { personIds: [zelensky.id], placeIds: [kiev.id] });
  const del = (url: string) => req('DELETE', url, { as: 'write', headers: { 'if-match': '"1"' } });
  t.equal((await del(`/v1/people/${gone.id}`)).statusCode, 204);
  const person = await restore(a.id, 1, '"2"');
  t.equal(person.statusCode, 422, person.body);
  t.same(person.json().errors, [{ path: 'revision.personIds.1', message: 'no such person' }]);

  const b = await post('/v1/articles', {
    language: 'nl',
    headline: 'Alleen een plaats',
    placeIds: [gonePlace.id],
  });
  await patch(b.id, 1, { placeIds: [] });
  t.equal((await del(`/v1/places/${gonePlace.id}`)).statusCode, 204);
  const place = await restore(b.id, 1, '"2"');
  t.equal(place.statusCode, 422, place.body);
  t.same(place.json().errors, [{ path: 'revision.placeIds.0', message: 'no such place' }]);

  t.equal(await revisionCount(a.id), 2, 'the 422s wrote nothing');
  t.equal(await revisionCount(b.id), 2);
  t.same((await req('GET', `/v1/articles/${a.id}`, { as: 'preview' })).json().personIds, [zelensky.id]);
});

t.test('a slug taken since is a 409 and nothing changes', async (t) => {
  const a = await post('/v1/articles', { language: 'nl', headline: 'Eerste titel', slug: 'bezet-later' });
  await patch(a.id, 1, { slug: 'vrijgegeven' });
  await post('/v1/articles', { language: 'nl', headline: 'Ander artikel', slug: 'bezet-later' });
  const res = await restore(a.id, 1, '"2"');
  t.equal(res.statusCode, 409);
  t.equal(await revisionCount(a.id), 2);
});

t.test('a deleted article and its tombstone cannot be restored', async (t) => {
  const a = await post('/v1/articles', { language: 'nl', headline: 'Wordt verwijderd' });
  await patch(a.id, 1, { headline: 'Nog even' });
  t.equal(
    (await req('DELETE', `/v1/articles/${a.id}`, { as: 'write', headers: { 'if-match': '"2"' } })).statusCode,
    204,
  );
  for (const v of [1, 2, 3]) {
    for (const ifMatch of ['"2"', '"3"', '*']) {
      const res = await restore(a.id, v, ifMatch);
      t.equal(res.statusCode, 404, `version ${v} with If-Match ${ifMatch}`);
    }
  }
  t.equal(await revisionCount(a.id), 3, 'history: two versions and the tombstone, nothing more');
  t.equal((await req('GET', `/v1/articles/${a.id}`, { as: 'preview' })).statusCode, 404, 'not resurrected');
});

t.test('Idempotency-Key: a replay answers the first restore and writes no version', async (t) => {
  const a = await post('/v1/articles', { language: 'nl', headline: 'Eén' });
  await patch(a.id, 1, { headline: 'Twee' });
  const first = await restore(a.id, 1, '"2"', { 'idempotency-key': 'restore-1' });
  t.equal(first.statusCode, 200);
  const replay = await restore(a.id, 1, '"2"', { 'idempotency-key': 'restore-1' });
  t.equal(replay.statusCode, 200);
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.same(replay.json(), first.json());
  t.equal(replay.headers.etag, '"3"');
  const other = await restore(a.id, 2, '"3"', { 'idempotency-key': 'restore-1' });
  t.equal(other.statusCode, 422, 'the same key for another restore');
  t.equal(await revisionCount(a.id), 3);
});

t.test('concurrent restores with the same If-Match: exactly one wins', async (t) => {
  const a = await post('/v1/articles', { language: 'nl', headline: 'Race 1' });
  await patch(a.id, 1, { headline: 'Race 2' });
  const results = await Promise.all(Array.from({ length: 10 }, () => restore(a.id, 1, '"2"')));
  t.same(results.map((r) => r.statusCode).sort(), [200, ...Array(9).fill(412)]);
  t.equal(await revisionCount(a.id), 3);
});
