import t, { type Test } from 'tap';
import { buildTestApp, type TestContext } from '../helpers/app.js';

/*
 * How many SQL statements each benchmarked request sends (bench/scenarios.ts), pinned exactly:
 * each one is a round trip, and a count that grows with the page or the includes is an N+1.
 * Reads are anonymous, as in the benchmark. A key is looked up on its first request (one
 * statement more) and then kept until a key changes (src/resources/keys/cache.ts). On
 * PostgreSQL each keyed request also waits for the change listener's shared sync round trip,
 * on the listener's own session, which is not counted here.
 */
const ctx = await buildTestApp(t);
const { req, post } = ctx;

/** The statements one request sends, after checking its status. */
async function statements(
  t: Test,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  opts: Parameters<TestContext['req']>[2] = {},
  status = method === 'POST' ? 201 : 200,
): Promise<number> {
  ctx.resetQueries();
  const res = await req(method, url, opts);
  t.equal(res.statusCode, status, `${method} ${url}`);
  return ctx.queries.length;
}

const people = [
  await post('/v1/people', { name: 'Volodymyr Zelensky' }),
  await post('/v1/people', { name: 'António Guterres' }),
];
const kyiv = await post('/v1/places', { name: 'Kiev', kind: 'city' });
const mariupol = await post('/v1/places', { name: 'Marioepol', kind: 'city' });
const articles: { id: string; slug: string; version: number }[] = [];
const quotes: { id: string; version: number }[] = [];
for (let i = 0; i < 6; i++) {
  const a = await post('/v1/articles', {
    language: 'nl',
    headline: `Onderhandelingen in Kiev, dag ${i + 1}`,
    body: [{ type: 'paragraph', text: 'De onderhandelingen gaan door.' }],
    tags: ['diplomatie'],
    personIds: people.map((p) => p.id),
    placeIds: [kyiv.id, mariupol.id],
  });
  const published = await req('POST', `/v1/articles/${a.id}/publish`, {
    as: 'write',
    body: { publishedAt: `2022-05-0${i + 1}T10:00:00Z` },
  });
  if (published.statusCode !== 200) throw new Error(published.body);
  quotes.push(
    await post('/v1/quotes', {
      text: `Citaat ${i}`,
      language: 'nl',
      personId: people[0].id,
      articleId: a.id,
    }),
  );
  await post('/v1/quotes', {
    text: `Ander citaat ${i}`,
    language: 'nl',
    personId: people[1].id,
    articleId: a.id,
  });
  articles.push(published.json());
}
const [first] = articles;

t.test('item by id: one statement; with a key used for the first time, one more', async (t) => {
  t.equal(await statements(t, 'GET', `/v1/articles/${first!.id}`), 1);
  // A preview key: a read key, and a partner's (embargo) on one resource, would be answered
  // from the response cache, as anonymous callers are.
  const url = `/v1/articles/${first!.id}`;
  t.equal(await statements(t, 'GET', url, { as: 'preview' }), 2, 'key lookup + article');
  t.equal(await statements(t, 'GET', url, { as: 'preview' }), 1, 'the key kept');
});

t.test('item by slug with includes: one statement, whatever is included', async (t) => {
  const url = `/v1/articles/${first!.slug}`;
  t.equal(await statements(t, 'GET', `${url}?include=people,places,quotes`), 1);
  t.equal(await statements(t, 'GET', url), 1, 'no includes');
  t.equal(await statements(t, 'GET', `${url}?include=quotes`), 1, 'one include');
  await ctx.req('GET', '/v1/people', { as: 'preview' }); // kept from here on, whatever ran before
  t.equal(
    await statements(t, 'GET', `${url}?include=people,places,quotes`, { as: 'preview' }),
    1,
    "with an editor's key",
  );
  // A partner's key is answered from the copy the anonymous read above kept: only its lookup.
  t.equal(
    await statements(t, 'GET', `${url}?include=people,places,quotes`, { as: 'embargo' }),
    1,
    "a partner's key used for the first time",
  );
  t.equal(
    await statements(t, 'GET', `${url}?include=people,places,quotes`, { as: 'embargo' }),
    0,
    "a partner's key kept",
  );
  t.equal(
    await statements(t, 'GET', `${url}?include=people`, { as: 'embargo' }),
    1,
    "a partner's key with no copy kept: one statement",
  );
});

t.test('list, 20 filtered and sorted: one statement for any page size and includes', async (t) => {
  const url = '/v1/articles?language=nl&tag=diplomatie&sort=-publishedAt';
  t.equal(await statements(t, 'GET', `${url}&limit=20`), 1);
  t.equal(await statements(t, 'GET', `${url}&limit=1`), 1, 'page of 1');
  t.equal(await statements(t, 'GET', `${url}&limit=100`), 1, 'page of 100');
  t.equal(await statements(t, 'GET', `${url}&limit=100&include=people,places,quotes`), 1, 'with includes');
  t.equal(
    await statements(t, 'GET', `${url}&limit=1&include=people,places,quotes`),
    1,
    'page of 1, includes',
  );
  const next = (await req('GET', `${url}&limit=2`)).json().page.next;
  t.equal(await statements(t, 'GET', `${url}&limit=2&cursor=${encodeURIComponent(next)}`), 1, 'next page');
});

t.test('list by person: the person, then the page', async (t) => {
  const url = `/v1/people/${people[0].slug}/articles`;
  t.equal(await statements(t, 'GET', `${url}?limit=20`), 2);
  t.equal(await statements(t, 'GET', `${url}?limit=1`), 2, 'page of 1');
  t.equal(
    await statements(t, 'GET', `${url}?limit=100&include=people,places,quotes`),
    2,
    'page of 100, includes',
  );
});

t.test('list filtered by a person: by id one statement, by slug the id first', async (t) => {
  const [person] = people;
  t.equal(await statements(t, 'GET', `/v1/articles?person=${person.id}&limit=20`), 1, 'by id');
  t.equal(await statements(t, 'GET', `/v1/articles?person=${person.slug}&limit=20`), 2, 'by slug');
  t.equal(await statements(t, 'GET', `/v1/quotes?person=${person.slug}&limit=20`), 2, 'quotes by slug');
  t.equal(await statements(t, 'GET', '/v1/articles?person=niemand&limit=20'), 2, 'an unknown slug');
  t.same((await req('GET', '/v1/articles?person=niemand')).json().data, [], 'matches nothing');
  t.equal(
    (await req('GET', `/v1/articles?person=${person.slug}&limit=100`)).json().data.length,
    articles.length,
    'every article mentioning them',
  );
});

t.test("list by place: the place's tree, then the page", async (t) => {
  // The tree's ids are bound into the page, so PostgreSQL plans for the places they are
  // (test/perf/explain.test.ts); looking them up is the one statement more.
  for (const url of [
    `/v1/places/${kyiv.slug}/articles?limit=20`,
    `/v1/places/${kyiv.id}/articles?limit=100&include=people,places,quotes`,
    `/v1/articles?place=${kyiv.slug}&limit=20`,
    `/v1/articles?place=${mariupol.id}&q=onderhandelingen&limit=5`,
    `/v1/quotes?place=${kyiv.slug}&limit=20`,
    `/v1/feeds/articles.atom?place=${kyiv.slug}`,
  ])
    t.equal(await statements(t, 'GET', url), 2, url);
  t.equal(
    await statements(t, 'GET', '/v1/places/nergens/articles', {}, 404),
    1,
    'no such place: the tree is empty, nothing more is asked',
  );
  const page = (await req('GET', `/v1/articles?place=${kyiv.slug}&limit=100`)).json();
  t.equal(page.data.length, articles.length, 'every article about Kiev');
});

t.test('Dutch search: one statement for any page size', async (t) => {
  const url = '/v1/articles?q=onderhandelingen';
  t.equal(await statements(t, 'GET', `${url}&limit=20`), 1);
  t.equal(await statements(t, 'GET', `${url}&limit=1`), 1, 'page of 1');
  t.equal(
    await statements(t, 'GET', `${url}&limit=100&include=people,places,quotes`),
    1,
    'page of 100, includes',
  );
});

t.test('changes page: one statement for any page size', async (t) => {
  t.equal(await statements(t, 'GET', '/v1/changes?limit=100'), 1);
  t.equal(await statements(t, 'GET', '/v1/changes?limit=1'), 1, 'page of 1');
  // An editor's page also shows drafts' changes, which may commit out of order: first the seq
  // below which all have committed (under the log's lock), then the page up to it.
  t.equal(await statements(t, 'GET', '/v1/changes?limit=100', { as: 'write' }), 2, 'an editor');
  t.equal(await statements(t, 'GET', '/v1/changes?limit=1', { as: 'write' }), 2, 'an editor, page of 1');
});

t.test('Atom feed: one statement', async (t) => {
  t.equal(await statements(t, 'GET', '/v1/feeds/articles.atom'), 1);
});

t.test('ninjs: one statement, people and places included', async (t) => {
  t.equal(await statements(t, 'GET', `/v1/articles/${first!.id}/ninjs`), 1);
  t.equal(await statements(t, 'GET', `/v1/articles/${first!.slug}/ninjs`), 1, 'by slug');
});

// Writes: today's counts, pinned so that a change is deliberate. The write key was used to
// set up, so it is kept: no key lookup.
// On PostgreSQL drizzle sends BEGIN and COMMIT as statements of their own; PGlite's own
// transaction() sends them where drizzle's logger does not see them.
const BEGIN_COMMIT = ctx.database.kind === 'postgres' ? 2 : 0;

t.test('create article', async (t) => {
  const body = {
    language: 'nl',
    headline: 'Een nieuw artikel over Kiev',
    personIds: people.map((p) => p.id),
    placeIds: [kyiv.id],
  };
  // One statement for the slug, the row, its links, the revision, the change and the
  // idempotency record: no BEGIN or COMMIT, on either database.
  t.equal(await statements(t, 'POST', '/v1/articles', { as: 'write', body }), 1);
});

t.test('PATCH with If-Match', async (t) => {
  const a = articles[1]!;
  const body = { standfirst: 'Correctie: het was zaterdag.' };
  // By id: the update (guarded by If-Match) and the change. No read first: a writer
  // sees every article, and the update itself finds out that there is none (404).
  t.equal(
    await statements(t, 'PATCH', `/v1/articles/${a.id}`, {
      as: 'write',
      body,
      headers: { 'if-match': `"${a.version}"` },
    }),
    2 + BEGIN_COMMIT,
  );
  // By slug: the slug is looked up first.
  t.equal(
    await statements(t, 'PATCH', `/v1/articles/${a.slug}`, {
      as: 'write',
      body: { standfirst: 'Correctie: het was zondag.' },
      headers: { 'if-match': `"${a.version + 1}"` },
    }),
    3 + BEGIN_COMMIT,
    'by slug',
  );
});

t.test('a write names its target by id: no read first, and 404 from the write itself', async (t) => {
  // People and places: by id one statement fewer than by slug (the slug is looked up).
  for (const [kind, row, first, second] of [
    ['people', people[1]!, { description: 'Bijgewerkt.' }, { description: 'Nog eens bijgewerkt.' }],
    ['places', mariupol, { aliases: ['Mariupol'] }, { aliases: ['Mariupol', 'Mariúpol'] }],
  ] as const) {
    const byId = await statements(t, 'PATCH', `/v1/${kind}/${row.id}`, {
      as: 'write',
      body: first,
      headers: { 'if-match': `"${row.version}"` },
    });
    const bySlug = await statements(t, 'PATCH', `/v1/${kind}/${row.slug}`, {
      as: 'write',
      body: second,
      headers: { 'if-match': `"${row.version + 1}"` },
    });
    t.equal(byId, bySlug - 1, `${kind}: by id ${byId}, by slug ${bySlug}`);
  }
  const unknown = '01890a5d-ac96-774b-bcce-b302099a8057';
  const writes: [method: 'PATCH' | 'DELETE' | 'POST', path: string, body?: unknown][] = [
    ['PATCH', `/v1/articles/${unknown}`, { standfirst: 'x' }],
    ['DELETE', `/v1/articles/${unknown}`],
    ['POST', `/v1/articles/${unknown}/publish`],
    ['POST', `/v1/articles/${unknown}/withdraw`],
    ['POST', `/v1/articles/${unknown}/revisions/1/restore`],
    ['PATCH', `/v1/people/${unknown}`, { description: 'x' }],
    ['DELETE', `/v1/people/${unknown}`],
    ['PATCH', `/v1/places/${unknown}`, { aliases: ['x'] }],
    ['DELETE', `/v1/places/${unknown}`],
    ['PATCH', `/v1/quotes/${unknown}`, { text: 'x' }],
    ['DELETE', `/v1/quotes/${unknown}`],
    ['PATCH', '/v1/quotes/not-a-quote-id', { text: 'x' }],
  ];
  for (const [method, path, body] of writes) {
    const res = await req(method, path, {
      as: 'write',
      ...(body === undefined ? {} : { body }),
      headers: { 'if-match': '"1"' },
    });
    t.equal(res.statusCode, 404, `${method} ${path}`);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  }
  // A quote by id: the row lock (lockForWrite), the update, whether the public may see
  // it (the change's audience) and the change; no read of the quote before them.
  const q = quotes[0]!;
  t.equal(
    await statements(t, 'PATCH', `/v1/quotes/${q.id}`, {
      as: 'write',
      body: { text: 'Citaat, verbeterd' },
      headers: { 'if-match': `"${q.version}"` },
    }),
    4 + BEGIN_COMMIT,
  );
});
