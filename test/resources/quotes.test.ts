import t from 'tap';
import { EXAMPLE_ARTICLE, EXAMPLE_QUOTES } from '../../src/resources/articles/examples.js';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req, post } = ctx;

const zelensky = await post('/v1/people', { name: 'Volodymyr Zelensky' });
const guterres = await post('/v1/people', { name: 'António Guterres' });
const kiev = await post('/v1/places', { name: 'Kiev', kind: 'city' });
const metro = await post('/v1/places', {
  name: 'Metrostation Maidan Nezalezjnosti',
  kind: 'site',
  parentId: kiev.id,
});
const article = await post('/v1/articles', { ...EXAMPLE_ARTICLE });
await req('POST', `/v1/articles/${article.id}/publish`, {
  as: 'write',
  body: { publishedAt: '2022-05-07T14:30:00Z' },
});

const quote = (text: string, extra: Record<string, unknown> = {}) => ({
  text,
  language: 'nl',
  personId: zelensky.id,
  articleId: article.id,
  placeId: metro.id,
  saidAt: '2022-05-07',
  ...extra,
});

const created: Record<string, { id: string }> = {};

t.test('create three quotes and read them back byte for byte', async (t) => {
  for (const [i, text] of EXAMPLE_QUOTES.entries()) {
    const res = await req('POST', '/v1/quotes', {
      as: 'write',
      body: quote(text, { context: 'In een metrostation in Kiev, zaterdag.' }),
    });
    t.equal(res.statusCode, 201, res.body);
    const q = res.json();
    t.equal(q.text, text);
    t.equal(q.personId, zelensky.id);
    t.equal(q.articleId, article.id);
    t.equal(q.placeId, metro.id);
    t.equal(q.saidAt, '2022-05-07');
    t.equal(q.version, 1);
    t.equal(res.headers.location, `/v1/quotes/${q.id}`);
    t.equal(res.headers.etag, '"1"');
    created[`q${i}`] = q;
    const read = await req('GET', `/v1/quotes/${q.id}`);
    t.equal(read.statusCode, 200);
    t.same(read.json(), q);
    t.equal(read.headers['cache-control'], 'public, max-age=60');
  }
  t.ok(
    (await req('GET', `/v1/quotes/${created.q2!.id}`)).body.includes('de [zuidelijke] regio'),
    'editorial insertion survives',
  );
  const dt = await req('POST', '/v1/quotes', {
    as: 'write',
    body: {
      text: 'Wij zullen winnen.',
      language: 'nl',
      personId: guterres.id,
      saidAt: '2022-05-07T11:30:00+03:00',
    },
  });
  t.equal(dt.statusCode, 201);
  t.equal(dt.json().saidAt, '2022-05-07T11:30:00+03:00', 'date-time kept as given');
  t.equal(dt.json().articleId, null);
  created.free = dt.json();
  t.equal((await req('GET', '/v1/quotes/not-a-uuid')).statusCode, 404);
  t.equal((await req('GET', '/v1/quotes/01890000-0000-7000-8000-000000000000')).statusCode, 404);
});

t.test('validation and unknown references', async (t) => {
  const missing = '01890000-0000-7000-8000-000000000009';
  const bad: [string, Record<string, unknown>, number, string][] = [
    ['no person', { text: 'x', language: 'nl' }, 400, 'body.personId'],
    ['bad saidAt', quote('x', { saidAt: '2022-13-45' }), 400, 'body.saidAt'],
    ['words as saidAt', quote('x', { saidAt: 'gisteren' }), 400, 'body.saidAt'],
    ['unknown field', quote('x', { speaker: 'Z' }), 400, 'body.speaker'],
    ['read-only field', quote('x', { version: 2 }), 400, 'body.version'],
    ['NUL', quote('a\u0000b'), 400, 'body.text'],
    ['lone surrogate', quote('a\udc00b'), 400, 'body.text'],
    ['oversize', quote('x'.repeat(5001)), 400, 'body.text'],
    ['unknown person', quote('x', { personId: missing }), 422, 'body.personId'],
    ['unknown article', quote('x', { articleId: missing }), 422, 'body.articleId'],
    ['unknown place', quote('x', { placeId: missing }), 422, 'body.placeId'],
  ];
  for (const [name, body, status, path] of bad) {
    const res = await req('POST', '/v1/quotes', { as: 'write', body });
    t.equal(res.statusCode, status, name);
    t.ok(
      res.json().errors?.some((e: { path: string }) => e.path.startsWith(path)),
      `${name}: ${JSON.stringify(res.json().errors)}`,
    );
  }
  t.equal((await req('POST', '/v1/quotes', { as: 'read', body: quote('x') })).statusCode, 403);
});

t.test('merge patch, revisions and delete', async (t) => {
  const q = await post('/v1/quotes', quote('Tijdelijk citaat.'));
  const url = `/v1/quotes/${q.id}`;
  t.equal((await req('PATCH', url, { as: 'write', body: { context: 'x' } })).statusCode, 428);
  t.equal(
    (await req('PATCH', url, { as: 'write', body: { personId: null }, headers: { 'if-match': '"1"' } }))
      .statusCode,
    400,
  );
  const unknown = await req('PATCH', url, {
    as: 'write',
    body: { placeId: '01890000-0000-7000-8000-000000000009' },
    headers: { 'if-match': '"1"' },
  });
  t.equal(unknown.statusCode, 422);
  t.equal(unknown.json().errors[0].path, 'body.placeId');
  const ok = await req('PATCH', url, {
    as: 'write',
    body: { articleId: null, saidAt: '2022-05-08', personId: guterres.id },
    headers: { 'if-match': '"1"', 'content-type': 'application/merge-patch+json' },
  });
  t.equal(ok.statusCode, 200, ok.body);
  t.equal(ok.json().articleId, null);
  t.equal(ok.json().personId, guterres.id);
  t.equal(ok.json().text, 'Tijdelijk citaat.');
  t.equal(ok.json().version, 2);
  t.equal(ok.headers.etag, '"2"');
  const revs = await req('GET', `${url}/revisions`, { as: 'preview' });
  t.same(
    revs.json().data.map((r: { version: number }) => r.version),
    [2, 1],
  );
  t.equal((await req('GET', `${url}/revisions/1`, { as: 'preview' })).json().articleId, article.id);
  t.equal((await req('DELETE', url, { as: 'write', headers: { 'if-match': '"1"' } })).statusCode, 412);
  t.equal((await req('DELETE', url, { as: 'write', headers: { 'if-match': '"2"' } })).statusCode, 204);
  t.equal((await req('GET', url)).statusCode, 404);
});

t.test('a person or place that quotes refer to cannot be deleted', async (t) => {
  const del = await req('DELETE', `/v1/people/${zelensky.id}`, {
    as: 'write',
    headers: { 'if-match': '"1"' },
  });
  t.equal(del.statusCode, 409);
  t.match(del.json().detail, /quote/);
  const delPlace = await req('DELETE', `/v1/places/${metro.id}`, {
    as: 'write',
    headers: { 'if-match': '"1"' },
  });
  t.equal(delPlace.statusCode, 409);
});

const ids = (res: { json(): { data: { id: string }[] } }) => res.json().data.map((q) => q.id);

t.test('filters and sorts', async (t) => {
  const [q0, q1, q2, free] = [created.q0!.id, created.q1!.id, created.q2!.id, created.free!.id];
  t.same(ids(await req('GET', '/v1/quotes')), [free, q2, q1, q0], 'newest first by default');
  t.same(ids(await req('GET', '/v1/quotes?sort=createdAt')), [q0, q1, q2, free]);
  await req('PATCH', `/v1/quotes/${q0}`, {
    as: 'write',
    body: { context: 'Gecorrigeerd.' },
    headers: { 'if-match': '"1"' },
  });
  t.same(ids(await req('GET', '/v1/quotes?sort=-updatedAt')).slice(0, 1), [q0]);
  t.same(ids(await req('GET', '/v1/quotes?person=volodymyr-zelensky&sort=createdAt')), [q0, q1, q2]);
  t.same(ids(await req('GET', `/v1/quotes?person=${guterres.id}`)), [free]);
  t.same(ids(await req('GET', `/v1/quotes?article=${article.slug}&sort=createdAt`)), [q0, q1, q2]);
  t.same(ids(await req('GET', '/v1/quotes?place=kiev&sort=createdAt')), [q0, q1, q2], 'places inside count');
  t.same(ids(await req('GET', '/v1/quotes?language=en')), []);
  t.same(ids(await req('GET', '/v1/quotes?person=nobody')), []);
  t.same(ids(await req('GET', '/v1/quotes?updatedSince=2999-01-01T00:00:00Z')), []);
  t.same(ids(await req('GET', '/v1/quotes?q=onderhandelingstafel')), [q0]);
  t.same(ids(await req('GET', '/v1/quotes?q=zuidelijk')), [q2], 'stemmed');
  t.same(ids(await req('GET', '/v1/quotes?q=gecorrigeerd')), [q0], 'context is searched too');
  t.equal((await req('GET', '/v1/quotes?sort=relevance')).statusCode, 400, 'relevance needs q');
  t.equal((await req('GET', '/v1/quotes?sort=text')).statusCode, 400);
  t.equal((await req('GET', '/v1/quotes?speaker=x')).statusCode, 400);
  const seen: string[] = [];
  let url = '/v1/quotes?limit=1';
  while (url) {
    const body = (await req('GET', url)).json();
    seen.push(...body.data.map((q: { id: string }) => q.id));
    url = body.page.next ? `/v1/quotes?limit=1&cursor=${encodeURIComponent(body.page.next)}` : '';
  }
  t.same(seen, [free, q2, q1, q0], 'pages add up');
});

t.test('relations: a person’s quotes and an article’s quotes', async (t) => {
  const [q0, q1, q2] = [created.q0!.id, created.q1!.id, created.q2!.id];
  const byPerson = await req('GET', '/v1/people/volodymyr-zelensky/quotes?sort=createdAt&limit=2');
  t.equal(byPerson.statusCode, 200);
  t.same(ids(byPerson), [q0, q1]);
  const next = byPerson.json().page.next;
  t.match(byPerson.headers.link, /rel="next"/);
  t.same(
    ids(
      await req(
        'GET',
        `/v1/people/volodymyr-zelensky/quotes?sort=createdAt&limit=2&cursor=${encodeURIComponent(next)}`,
      ),
    ),
    [q2],
  );
  t.same(ids(await req('GET', `/v1/articles/${article.slug}/quotes?sort=createdAt`)), [q0, q1, q2]);
  t.same(ids(await req('GET', `/v1/articles/${article.id}/quotes?q=schandelijk`)), [q1]);
  t.equal((await req('GET', '/v1/people/nobody/quotes')).statusCode, 404);
  t.equal((await req('GET', '/v1/articles/nothing-here/quotes')).statusCode, 404);
  t.equal((await req('GET', '/v1/people/volodymyr-zelensky/quotes?person=x')).statusCode, 400);
});
