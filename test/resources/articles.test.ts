import { sql } from 'drizzle-orm';
import t from 'tap';
import { EXAMPLE_ARTICLE } from '../../src/resources/articles/examples.js';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req } = ctx;

const sample = () => structuredClone(EXAMPLE_ARTICLE) as unknown as Record<string, unknown>;

async function person(name: string): Promise<string> {
  const res = await req('POST', '/v1/people', { as: 'write', body: { name } });
  return res.json().id;
}

async function place(name: string, kind = 'city'): Promise<string> {
  const res = await req('POST', '/v1/places', { as: 'write', body: { name, kind } });
  return res.json().id;
}

async function create(body: Record<string, unknown> = sample()) {
  const res = await req('POST', '/v1/articles', { as: 'write', body });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json();
}

t.test('create a draft and read it back byte for byte', async (t) => {
  const zelensky = await person('Volodymyr Zelensky');
  const guterres = await person('António Guterres');
  const kiev = await place('Kiev');
  const body = {
    ...sample(),
    byline: null,
    tags: ['oorlog in Oekraïne', 'Україна', '„citaat”', 'de [zuidelijke] regio'],
    personIds: [zelensky, guterres],
    placeIds: [kiev],
    canonicalUrl: 'https://nieuws.example/oekraine/zelensky',
  };
  const res = await req('POST', '/v1/articles', { as: 'write', body });
  t.equal(res.statusCode, 201, res.body);
  const a = res.json();
  t.equal(a.status, 'draft');
  t.equal(a.version, 1);
  t.equal(a.slug, 'zelensky-alleen-onderhandelingen-kunnen-deze-oorlog-beeindigen');
  t.equal(a.publishedAt, null);
  t.equal(a.firstPublishedAt, null);
  t.equal(res.headers.location, `/v1/articles/${a.id}`);
  t.equal(res.headers.etag, '"1"');
  for (const k of ['headline', 'standfirst', 'body', 'tags', 'personIds', 'placeIds', 'credit', 'language'])
    t.same(a[k], body[k as keyof typeof body], `${k} round-trips`);
  t.equal(a.headline, 'Zelensky: „Alleen onderhandelingen kunnen deze oorlog beëindigen”');

  const read = await req('GET', `/v1/articles/${a.slug}`, { as: 'preview' });
  t.equal(read.statusCode, 200);
  t.same(read.json(), a);
  t.equal(read.headers['cache-control'], 'private, no-store');
  t.equal(Buffer.from(read.body).includes(Buffer.from('de [zuidelijke] regio', 'utf8')), true);
  t.equal(read.body.includes('„Deze oorlog moet eindigen aan de onderhandelingstafel”'), true);
  t.equal(read.body.includes('‘Wij geven geen grondgebied op’'), true);
  t.equal(
    (await req('GET', `/v1/articles/${a.id}`, { as: 'preview', headers: { 'if-none-match': '"1"' } }))
      .statusCode,
    304,
  );

  const second = await create({ ...sample() });
  t.equal(second.slug, `${a.slug}-2`, 'slug collision gets a suffix');
});

t.test('validation: unknown, read-only and malformed fields are 400 and nothing is stored', async (t) => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['status', { ...sample(), status: 'published' }, 'body.status'],
    ['publishedAt', { ...sample(), publishedAt: '2022-05-07T10:00:00Z' }, 'body.publishedAt'],
    ['firstPublishedAt', { ...sample(), firstPublishedAt: '2022-05-07T10:00:00Z' }, 'body.firstPublishedAt'],
    ['id', { ...sample(), id: '01890000-0000-7000-8000-000000000000' }, 'body.id'],
    ['version', { ...sample(), version: 3 }, 'body.version'],
    ['authorId', { ...sample(), authorId: 'x' }, 'body.authorId'],
    ['bad block type', { ...sample(), body: [{ type: 'image', text: 'x' }] }, 'body.body.0'],
    [
      'unknown block key',
      { ...sample(), body: [{ type: 'paragraph', text: 'x', html: '<b>' }] },
      'body.body.0',
    ],
    [
      'attribution on a paragraph',
      { ...sample(), body: [{ type: 'paragraph', text: 'x', attribution: 'y' }] },
      'body.body.0',
    ],
    ['NUL', { ...sample(), headline: 'a\u0000b' }, 'body.headline'],
    ['lone surrogate', { ...sample(), headline: 'a\ud800b' }, 'body.headline'],
    ['oversize headline', { ...sample(), headline: 'x'.repeat(100_000) }, 'body.headline'],
    [
      'too many blocks',
      { ...sample(), body: Array.from({ length: 201 }, () => ({ type: 'paragraph', text: 'x' })) },
      'body.body',
    ],
    ['too many tags', { ...sample(), tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'body.tags'],
    ['long tag', { ...sample(), tags: ['x'.repeat(101)] }, 'body.tags.0'],
    ['bad language', { ...sample(), language: 'Dutch language' }, 'body.language'],
    ['bad url', { ...sample(), canonicalUrl: 'javascript:alert(1)' }, 'body.canonicalUrl'],
    ['bad personId', { ...sample(), personIds: ['x'] }, 'body.personIds.0'],
    ['missing headline', { language: 'nl' }, 'body.headline'],
  ];
  const before = (await req('GET', '/v1/articles?limit=100', { as: 'preview' })).json().data.length;
  for (const [name, body, path] of cases) {
    const res = await req('POST', '/v1/articles', { as: 'write', body });
    t.equal(res.statusCode, 400, name);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', name);
    t.ok(
      res.json().errors?.some((e: { path: string }) => e.path.startsWith(path)),
      `${name} names ${path}: ${JSON.stringify(res.json().errors)}`,
    );
  }
  const after = (await req('GET', '/v1/articles?limit=100', { as: 'preview' })).json().data.length;
  t.equal(after, before, 'no row created');
  const proto = await ctx.app.inject({
    method: 'POST',
    url: '/v1/articles',
    headers: { authorization: `Bearer ${ctx.keys.write}`, 'content-type': 'application/json' },
    payload: '{"language":"nl","headline":"x","__proto__":{"polluted":1}}',
  });
  t.equal(proto.statusCode, 400);
  t.equal(({} as Record<string, unknown>).polluted, undefined);
});

t.test('unknown people and places are 422 naming the path', async (t) => {
  const known = await person('Lloyd Austin');
  const missing = '01890000-0000-7000-8000-000000000001';
  const missing2 = '01890000-0000-7000-8000-000000000002';
  const res = await req('POST', '/v1/articles', {
    as: 'write',
    body: { ...sample(), personIds: [known, missing, missing2] },
  });
  t.equal(res.statusCode, 422, res.body);
  t.equal(res.json().errors[0].path, 'body.personIds.1');
  const places = await req('POST', '/v1/articles', {
    as: 'write',
    body: { ...sample(), placeIds: [missing] },
  });
  t.equal(places.statusCode, 422);
  t.equal(places.json().errors[0].path, 'body.placeIds.0');
  const dup = await req('POST', '/v1/articles', {
    as: 'write',
    body: { ...sample(), personIds: [known, known] },
  });
  t.equal(dup.statusCode, 400, 'a repeated id is a 400');
  const a = await create();
  const patch = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { personIds: [known, missing] },
    headers: { 'if-match': '"1"' },
  });
  t.equal(patch.statusCode, 422);
  t.equal(patch.json().errors[0].path, 'body.personIds.1');
});

t.test('a create refused for an unknown person or place leaves nothing behind', async (t) => {
  const counts = async () => {
    const { rows } = (await ctx.database.db.execute(sql`select
      (select count(*)::int from articles) as articles, (select count(*)::int from revisions) as revisions,
      (select count(*)::int from changes) as changes, (select count(*)::int from article_people) as people,
      (select count(*)::int from idempotency_keys where state = 'done') as done`)) as unknown as {
      rows: Record<string, number>[];
    };
    return rows[0];
  };
  const known = await person('Mark Rutte');
  const before = await counts();
  const missing = '01890000-0000-7000-8000-00000000000a';
  const res = await req('POST', '/v1/articles', {
    as: 'write',
    body: { ...sample(), personIds: [known, missing] },
    headers: { 'idempotency-key': 'unknown-person-create' },
  });
  t.equal(res.statusCode, 422, res.body);
  t.same(res.json().errors, [{ path: 'body.personIds.1', message: 'no such person' }]);
  t.same(await counts(), before, 'no article, link, revision, change or idempotency answer');
  // The key is free again: the same request with a known person is created once.
  const retry = await req('POST', '/v1/articles', {
    as: 'write',
    body: { ...sample(), personIds: [known] },
    headers: { 'idempotency-key': 'unknown-person-create' },
  });
  t.equal(retry.statusCode, 201, retry.body);
  t.same(retry.json().personIds, [known]);
});

t.test('concurrent creates of one headline each get their own slug, with one revision each', async (t) => {
  const { slug: _chosen, ...rest } = sample();
  const body = { ...rest, headline: 'Twaalf redacties schrijven tegelijk hetzelfde stuk' };
  const results = await Promise.all(
    Array.from({ length: 12 }, () => req('POST', '/v1/articles', { as: 'write', body })),
  );
  t.same(
    results.map((r) => r.statusCode),
    Array(12).fill(201),
    results.map((r) => r.body).join('\n'),
  );
  const slugs = results.map((r) => r.json().slug as string);
  t.equal(new Set(slugs).size, 12, slugs.join(', '));
  for (const r of results) {
    const revisions = await req('GET', `/v1/articles/${r.json().id}/revisions`, { as: 'preview' });
    t.equal(revisions.json().data.length, 1);
  }
});

t.test('merge patch: If-Match required, null removes, read-only fields refused, order kept', async (t) => {
  const [p1, p2, p3] = [
    await person('Joe Biden'),
    await person('Anthony Blinken'),
    await person('Vladimir Poetin'),
  ];
  const a = await create({ ...sample(), personIds: [p1, p2] });
  const url = `/v1/articles/${a.id}`;
  t.equal((await req('PATCH', url, { as: 'write', body: { credit: 'ANP' } })).statusCode, 428);
  t.equal(
    (await req('PATCH', url, { as: 'write', body: { credit: 'ANP' }, headers: { 'if-match': '"9"' } }))
      .statusCode,
    412,
  );
  for (const body of [
    { status: 'published' },
    { publishedAt: '2022-01-01T00:00:00Z' },
    { headline: null },
    { body: null },
  ])
    t.equal(
      (await req('PATCH', url, { as: 'write', body, headers: { 'if-match': '"1"' } })).statusCode,
      400,
      JSON.stringify(body),
    );
  const ok = await req('PATCH', url, {
    as: 'write',
    body: { standfirst: null, personIds: [p3, p1], embargoedUntil: '2030-01-01T00:00:00Z' },
    headers: { 'if-match': '"1"', 'content-type': 'application/merge-patch+json' },
  });
  t.equal(ok.statusCode, 200, ok.body);
  const b = ok.json();
  t.equal(b.version, 2);
  t.equal(b.standfirst, null);
  t.same(b.personIds, [p3, p1], 'order as given');
  t.equal(b.embargoedUntil, '2030-01-01T00:00:00.000Z');
  t.equal(b.headline, a.headline, 'absent keeps');
  t.equal(ok.headers.etag, '"2"');
  t.equal(b.status, 'draft');
});

t.test('workflow: publish, backdate, withdraw, republish and the 409s', async (t) => {
  const a = await create();
  const url = `/v1/articles/${a.id}`;
  t.equal(
    (await req('POST', `${url}/withdraw`, { as: 'write' })).statusCode,
    409,
    'a draft cannot be withdrawn',
  );
  const future = await req('POST', `${url}/publish`, {
    as: 'write',
    body: { publishedAt: '2999-01-01T00:00:00Z' },
  });
  t.equal(future.statusCode, 400);
  t.equal(future.json().errors[0].path, 'body.publishedAt');
  t.equal(
    (await req('POST', `${url}/publish`, { as: 'write', body: { status: 'x' } })).statusCode,
    400,
    'unknown publish field',
  );
  t.equal(
    (await req('POST', `${url}/publish`, { as: 'write', headers: { 'if-match': '"7"' } })).statusCode,
    412,
    'stale If-Match',
  );
  const pub = await req('POST', `${url}/publish`, {
    as: 'write',
    body: { publishedAt: '2022-05-07T14:30:00Z' },
    headers: { 'if-match': '"1"' },
  });
  t.equal(pub.statusCode, 200, pub.body);
  t.equal(pub.json().status, 'published');
  t.equal(pub.json().publishedAt, '2022-05-07T14:30:00.000Z');
  t.equal(pub.json().firstPublishedAt, '2022-05-07T14:30:00.000Z');
  t.equal(pub.headers.etag, '"2"');
  t.equal((await req('POST', `${url}/publish`, { as: 'write' })).statusCode, 409, 'already published');
  t.equal((await req('GET', url)).statusCode, 200, 'anonymous sees it now');

  const wd = await req('POST', `${url}/withdraw`, { as: 'write' });
  t.equal(wd.statusCode, 200);
  t.equal(wd.json().status, 'withdrawn');
  t.equal((await req('POST', `${url}/withdraw`, { as: 'write' })).statusCode, 409);
  t.equal((await req('GET', url)).statusCode, 404, 'withdrawn is gone for anonymous');

  const again = await req('POST', `${url}/publish`, { as: 'write' });
  t.equal(again.statusCode, 200);
  t.equal(again.json().firstPublishedAt, '2022-05-07T14:30:00.000Z', 'firstPublishedAt is set once');
  t.not(again.json().publishedAt, '2022-05-07T14:30:00.000Z');
  t.equal(again.json().version, 4);

  const revs = (await req('GET', `${url}/revisions`, { as: 'preview' })).json().data;
  t.same(
    revs.map((r: { action: string }) => r.action),
    ['published', 'withdrawn', 'published', 'created'],
  );
  const v1 = await req('GET', `${url}/revisions/1`, { as: 'preview' });
  t.equal(v1.json().status, 'draft');
  t.equal((await req('POST', `${url}/publish`, { as: 'read' })).statusCode, 403);
  t.equal((await req('POST', `${url}/publish`)).statusCode, 401);
});

t.test('20 concurrent publishes make exactly one transition', async (t) => {
  const a = await create();
  const results = await Promise.all(
    Array.from({ length: 20 }, () => req('POST', `/v1/articles/${a.id}/publish`, { as: 'write' })),
  );
  const codes = results.map((r) => r.statusCode).sort();
  t.same(codes, [200, ...Array(19).fill(409)]);
  const withIfMatch = await create();
  const guarded = await Promise.all(
    Array.from({ length: 20 }, () =>
      req('POST', `/v1/articles/${withIfMatch.id}/publish`, { as: 'write', headers: { 'if-match': '"1"' } }),
    ),
  );
  t.same(guarded.map((r) => r.statusCode).sort(), [200, ...Array(19).fill(412)]);
  const revs = (await req('GET', `/v1/articles/${a.id}/revisions`, { as: 'preview' })).json().data;
  t.equal(revs.length, 2, 'one published revision');
});

t.test('delete: If-Match, 409 while quotes refer to it, then 404', async (t) => {
  const speaker = await person('Volodymyr Zelensky (delete test)');
  const a = await create();
  const q = await req('POST', '/v1/quotes', {
    as: 'write',
    body: { text: 'Schandelijk.', language: 'nl', personId: speaker, articleId: a.id },
  });
  t.equal(q.statusCode, 201);
  const url = `/v1/articles/${a.id}`;
  t.equal((await req('DELETE', url, { as: 'write' })).statusCode, 428);
  const blocked = await req('DELETE', url, { as: 'write', headers: { 'if-match': '"1"' } });
  t.equal(blocked.statusCode, 409);
  t.match(blocked.json().detail, /1 quote/);
  t.equal((await req('GET', url, { as: 'preview' })).statusCode, 200, 'nothing removed');
  const delQuote = await req('DELETE', `/v1/quotes/${q.json().id}`, {
    as: 'write',
    headers: { 'if-match': '"1"' },
  });
  t.equal(delQuote.statusCode, 204);
  t.equal((await req('DELETE', url, { as: 'write', headers: { 'if-match': '"1"' } })).statusCode, 204);
  t.equal((await req('GET', url, { as: 'preview' })).statusCode, 404);
  t.equal((await req('DELETE', url, { as: 'write', headers: { 'if-match': '"1"' } })).statusCode, 404);
});

t.test('people and places in use by an article cannot be deleted', async (t) => {
  const p = await person('Person In Use');
  const pl = await place('Place In Use');
  await create({ ...sample(), personIds: [p], placeIds: [pl] });
  const dp = await req('DELETE', `/v1/people/${p}`, { as: 'write', headers: { 'if-match': '"1"' } });
  t.equal(dp.statusCode, 409);
  const dpl = await req('DELETE', `/v1/places/${pl}`, { as: 'write', headers: { 'if-match': '"1"' } });
  t.equal(dpl.statusCode, 409);
});
