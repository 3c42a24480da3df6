import { sql } from 'drizzle-orm';
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req, post } = ctx;

async function article(body: Record<string, unknown>, publishedAt?: string) {
  const a = await post('/v1/articles', { language: 'nl', ...body });
  if (!publishedAt) return a;
  const res = await req('POST', `/v1/articles/${a.id}/publish`, { as: 'write', body: { publishedAt } });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json();
}

// Ukraine > Donetsk region > Marioepol > Azovstal; Kiev.
const zelensky = await post('/v1/people', { name: 'Volodymyr Zelensky' });
const guterres = await post('/v1/people', { name: 'António Guterres' });
const ukraine = await post('/v1/places', { name: 'Oekraïne', kind: 'country', countryCode: 'UA' });
const donetsk = await post('/v1/places', { name: 'Oblast Donetsk', kind: 'region', parentId: ukraine.id });
const mariupol = await post('/v1/places', { name: 'Marioepol', kind: 'city', parentId: donetsk.id });
const azovstal = await post('/v1/places', { name: 'Azovstal', kind: 'site', parentId: mariupol.id });
const kiev = await post('/v1/places', { name: 'Kiev', kind: 'city', parentId: ukraine.id });

const a1 = await article(
  {
    headline: 'Burgers uit Azovstal geëvacueerd',
    tags: ['oorlog'],
    personIds: [zelensky.id],
    placeIds: [azovstal.id],
  },
  '2022-05-07T10:00:00Z',
);
const a2 = await article(
  {
    language: 'en',
    headline: 'Guterres visits Kyiv',
    tags: ['diplomacy'],
    personIds: [guterres.id],
    placeIds: [kiev.id],
  },
  '2022-05-08T10:00:00Z',
);
const a3 = await article(
  {
    headline: 'Zelensky en Guterres spreken in Kiev',
    tags: ['oorlog', 'diplomatie'],
    personIds: [zelensky.id, guterres.id],
    placeIds: [kiev.id, mariupol.id],
  },
  '2022-05-09T10:00:00Z',
);
const draft = await article({
  headline: 'Concept over Marioepol',
  personIds: [zelensky.id],
  placeIds: [mariupol.id],
});

const ids = (res: { json(): { data: { id: string }[] } }) => res.json().data.map((a) => a.id);

t.test('default order is newest published first; other sorts', async (t) => {
  t.same(ids(await req('GET', '/v1/articles')), [a3.id, a2.id, a1.id]);
  t.same(ids(await req('GET', '/v1/articles?sort=publishedAt')), [a1.id, a2.id, a3.id]);
  await req('PATCH', `/v1/articles/${a1.id}`, {
    as: 'write',
    body: { credit: 'AFP' },
    headers: { 'if-match': '"2"' },
  });
  t.same(ids(await req('GET', '/v1/articles?sort=-updatedAt')), [a1.id, a3.id, a2.id]);
  t.same(
    ids(await req('GET', '/v1/articles', { as: 'preview' })),
    [draft.id, a3.id, a2.id, a1.id],
    'drafts (no date) first for editors',
  );
  t.equal((await req('GET', '/v1/articles?sort=relevance')).statusCode, 400, 'relevance needs q');
  for (const bad of [
    'sort=headline',
    'sort=author.passwordHash',
    'preview=1',
    'draft=true',
    'filter[status]=draft',
    'fields=*',
    'offset=5',
  ])
    t.equal((await req('GET', `/v1/articles?${bad}`)).statusCode, 400, bad);
});

t.test('filters', async (t) => {
  const get = async (qs: string, as?: 'preview') =>
    ids(await req('GET', `/v1/articles?${qs}`, as ? { as } : {}));
  t.same(await get('language=nl'), [a3.id, a1.id]);
  t.same(await get('language=en'), [a2.id]);
  t.same(await get('tag=oorlog'), [a3.id, a1.id]);
  t.same(await get('tag=diplomacy'), [a2.id]);
  t.same(await get(`tag=${encodeURIComponent("a','b")}`), [], 'literal, no SQL');
  t.same(await get('person=volodymyr-zelensky'), [a3.id, a1.id]);
  t.same(await get(`person=${guterres.id}`), [a3.id, a2.id]);
  t.same(await get('person=volodymyr-zelensky', 'preview'), [draft.id, a3.id, a1.id]);
  t.same(await get('person=nobody'), []);
  t.same(await get('place=azovstal'), [a1.id]);
  t.same(await get('place=marioepol'), [a3.id, a1.id], 'Azovstal lies in Marioepol');
  t.same(await get(`place=${donetsk.id}`), [a3.id, a1.id], 'and in the Donetsk region');
  t.same(await get('place=oekraine'), [a3.id, a2.id, a1.id]);
  t.same(await get('place=kiev'), [a3.id, a2.id]);
  t.same(await get('publishedAfter=2022-05-07T10:00:00Z'), [a3.id, a2.id], 'strictly after');
  t.same(await get('publishedBefore=2022-05-09T10:00:00Z'), [a2.id, a1.id], 'strictly before');
  t.same(await get('publishedAfter=2022-05-07T12:00:00%2B02:00&publishedBefore=2022-05-08T23:00:00Z'), [
    a2.id,
  ]);
  t.same(await get('updatedSince=2999-01-01T00:00:00Z'), []);
  t.same(await get('language=nl&tag=diplomatie&person=antonio-guterres&place=kiev'), [a3.id], 'combined');
  t.same(await get('status=published'), [a3.id, a2.id, a1.id]);
  t.same(await get('status=draft', 'preview'), [draft.id]);
  t.equal(
    (await req('GET', '/v1/articles?status=draft')).statusCode,
    400,
    'anonymous may not ask for drafts',
  );
  t.equal((await req('GET', '/v1/articles?status=withdrawn', { as: 'read' })).statusCode, 400);
  t.equal((await req('GET', '/v1/articles?status=draft', { as: 'embargo' })).statusCode, 400);
  t.equal((await req('GET', '/v1/articles?publishedAfter=yesterday')).statusCode, 400);
  t.equal((await req('GET', '/v1/articles?language=x')).statusCode, 400);
});

t.test(
  'a tag in public lists follows its article through draft, published, edited and withdrawn',
  async (t) => {
    // Public lists compare the tags of published articles only (their own index); editors
    // compare every article's tags. Each step must show in both at once.
    const tagged = await post('/v1/articles', {
      language: 'nl',
      headline: 'Werkversie',
      tags: ['werktitel'],
    });
    const get = async (tag: string, as?: 'preview' | 'embargo') =>
      ids(await req('GET', `/v1/articles?tag=${tag}`, as ? { as } : {}));
    t.same(await get('werktitel'), [], 'a draft is in no public tag list');
    t.same(await get('werktitel', 'embargo'), []);
    t.same(await get('werktitel', 'preview'), [tagged.id], 'editors see it');
    // An editor's list of published articles compares the published tags; one of drafts,
    // asked right after with the same parameters' names, must not be given that statement.
    t.same(await get('werktitel&status=published', 'preview'), [], "not in an editor's published list");
    t.same(await get('werktitel&status=draft', 'preview'), [tagged.id], "in an editor's list of drafts");
    const res = await req('POST', `/v1/articles/${tagged.id}/publish`, {
      as: 'write',
      body: { publishedAt: '2022-05-10T10:00:00Z' },
    });
    t.equal(res.statusCode, 200);
    t.same(await get('werktitel'), [tagged.id], 'published: in the public list');
    t.same(await get('werktitel', 'embargo'), [tagged.id]);
    const edited = await req('PATCH', `/v1/articles/${tagged.id}`, {
      as: 'write',
      body: { tags: ['definitief'] },
      headers: { 'if-match': `"${res.json().version}"` },
    });
    t.equal(edited.statusCode, 200);
    t.same(await get('werktitel'), [], 'a tag taken off is gone');
    t.same(await get('definitief'), [tagged.id], 'a tag put on is there');
    t.same(await get('definitief', 'embargo'), [tagged.id]);
    t.equal((await req('POST', `/v1/articles/${tagged.id}/withdraw`, { as: 'write' })).statusCode, 200);
    t.same(await get('definitief'), [], 'withdrawn: out of the public list');
    t.same(await get('definitief', 'embargo'), []);
    t.same(await get('definitief', 'preview'), [tagged.id], 'editors still see it');
  },
);

t.test('relations: a person’s and a place’s articles (places nested at any depth)', async (t) => {
  t.same(ids(await req('GET', '/v1/people/volodymyr-zelensky/articles')), [a3.id, a1.id]);
  t.same(ids(await req('GET', '/v1/people/volodymyr-zelensky/articles', { as: 'preview' })), [
    draft.id,
    a3.id,
    a1.id,
  ]);
  t.same(ids(await req('GET', '/v1/places/azovstal/articles')), [a1.id]);
  t.same(ids(await req('GET', '/v1/places/marioepol/articles')), [a3.id, a1.id]);
  t.same(ids(await req('GET', `/v1/places/${donetsk.slug}/articles`)), [a3.id, a1.id]);
  t.same(ids(await req('GET', `/v1/places/${ukraine.id}/articles?language=en`)), [a2.id]);
  const page1 = await req('GET', '/v1/places/oekraine/articles?limit=2');
  t.same(ids(page1), [a3.id, a2.id]);
  const next = encodeURIComponent(page1.json().page.next);
  t.same(ids(await req('GET', `/v1/places/oekraine/articles?limit=2&cursor=${next}`)), [a1.id]);
  t.equal((await req('GET', '/v1/people/nobody/articles')).statusCode, 404);
  t.equal((await req('GET', '/v1/places/01890000-0000-7000-8000-000000000000/articles')).statusCode, 404);
  t.equal((await req('GET', '/v1/places/kiev/articles?place=x')).statusCode, 400);
});

t.test("editors' pages run through the drafts (newest first) into the published, and back", async (t) => {
  // Drafts have no date: editors sort them first (infinity), then the newest published.
  const drafts = [];
  for (let i = 0; i < 3; i++) drafts.push(await article({ headline: `Concept ${i}`, tags: ['redactie'] }));
  for (let i = 0; i < 3; i++)
    await article({ headline: `Gepubliceerd ${i}`, tags: ['redactie'] }, `2021-0${i + 1}-01T10:00:00Z`);
  for (const sort of ['-publishedAt', 'publishedAt']) {
    const all = ids(await req('GET', `/v1/articles?tag=redactie&sort=${sort}&limit=100`, { as: 'preview' }));
    t.equal(all.length, 6);
    const newestDraftsFirst = drafts.map((d) => d.id).reverse();
    if (sort === '-publishedAt') t.same(all.slice(0, 3), newestDraftsFirst, 'drafts first, newest first');
    else
      t.same(
        all.slice(3),
        drafts.map((d) => d.id),
        'oldest first: drafts last, oldest first',
      );
    const seen: string[] = [];
    let url = `/v1/articles?tag=redactie&sort=${sort}&limit=2`;
    while (url) {
      const body = (await req('GET', url, { as: 'preview' })).json();
      seen.push(...ids({ json: () => body }));
      url = body.page.next
        ? `/v1/articles?tag=redactie&sort=${sort}&limit=2&cursor=${encodeURIComponent(body.page.next)}`
        : '';
    }
    t.same(seen, all, `${sort}: pages of two, through the drafts and the published, skip and repeat nothing`);
  }
  // A cursor issued before editors sorted by editorDate carries null for a draft: it goes on
  // after that draft, not back at the start.
  const all = ids(await req('GET', '/v1/articles?tag=redactie&limit=100', { as: 'preview' }));
  const old = ctx.app.cursors.encode({ s: '-publishedAt', v: null, i: all[0]! });
  const after = await req('GET', `/v1/articles?tag=redactie&limit=2&cursor=${encodeURIComponent(old)}`, {
    as: 'preview',
  });
  t.same(ids(after), all.slice(1, 3), 'an older cursor at a draft goes on after it');
  t.same(
    ids(await req('GET', '/v1/articles?tag=redactie&limit=100')),
    ids(await req('GET', '/v1/articles?tag=redactie&limit=100&status=published', { as: 'preview' })),
    'the public see the published only, in the same order',
  );
});

t.test('keyset pagination is stable while articles are published in between', async (t) => {
  const extra = [];
  for (let i = 0; i < 5; i++)
    extra.push(
      await article({ headline: `Pagina ${i}`, tags: ['paginering'] }, `2022-06-0${i + 1}T10:00:00Z`),
    );
  const expected = ids(await req('GET', '/v1/articles?tag=paginering&limit=100'));
  const seen: string[] = [];
  let url = '/v1/articles?tag=paginering&limit=2';
  let round = 0;
  while (url) {
    const res = await req('GET', url);
    t.equal(res.statusCode, 200);
    const body = res.json();
    seen.push(...body.data.map((a: { id: string }) => a.id));
    // Newer articles land on pages already read: the cursor must neither repeat nor skip.
    await article({ headline: `Tussendoor ${round}`, tags: ['paginering'] }, `2022-07-0${++round}T10:00:00Z`);
    url = body.page.next
      ? `/v1/articles?tag=paginering&limit=2&cursor=${encodeURIComponent(body.page.next)}`
      : '';
  }
  t.same(seen, expected);
  const first = (await req('GET', '/v1/articles?limit=1')).json().page.next;
  t.equal(
    (await req('GET', `/v1/articles?sort=publishedAt&cursor=${encodeURIComponent(first)}`)).statusCode,
    400,
  );
  t.equal(
    (await req('GET', `/v1/articles?cursor=${encodeURIComponent(first)}x`)).statusCode,
    400,
    'tampered',
  );
  for (const bad of ['0', '101', '-1', '1e3', 'abc'])
    t.equal((await req('GET', `/v1/articles?limit=${bad}`)).statusCode, 400, `limit=${bad}`);
});

t.test('include embeds people, places and quotes with a fixed number of queries', async (t) => {
  for (let i = 0; i < 12; i++) {
    const a = await article(
      {
        headline: `Inclusie ${i}`,
        tags: ['inclusie'],
        personIds: [zelensky.id, guterres.id],
        placeIds: [kiev.id],
      },
      `2022-08-${String(i + 1).padStart(2, '0')}T10:00:00Z`,
    );
    await post('/v1/quotes', { text: `Citaat ${i}`, language: 'nl', personId: zelensky.id, articleId: a.id });
  }
  const url = (limit: number) => `/v1/articles?tag=inclusie&include=people,places,quotes&limit=${limit}`;
  ctx.resetQueries();
  const small = await req('GET', url(2));
  const smallCount = ctx.queries.length;
  ctx.resetQueries();
  const large = await req('GET', url(20));
  const largeCount = ctx.queries.length;
  t.equal(small.json().data.length, 2);
  t.equal(large.json().data.length, 12);
  t.equal(largeCount, smallCount, `same number of queries for 2 and 12 rows (${smallCount})`);
  t.equal(largeCount, 1, 'one statement: the page with its relations');
  const first = large.json().data[0];
  t.same(
    first.people.map((p: { id: string }) => p.id),
    [zelensky.id, guterres.id],
    'people in article order',
  );
  t.same(
    first.places.map((p: { slug: string }) => p.slug),
    ['kiev'],
  );
  t.equal(first.quotes.length, 1);
  t.match(first.quotes[0].text, /^Citaat/);
  const plain = (await req('GET', '/v1/articles?tag=inclusie&limit=1')).json().data[0];
  t.notOk('people' in plain, 'nothing embedded unless asked');

  for (const bad of ['persons', 'people,people', 'people.quotes', 'people,,places', '*'])
    t.equal((await req('GET', `/v1/articles?include=${bad}`)).statusCode, 400, `include=${bad}`);
});

t.test('single read with include: composite ETag that changes with an included resource', async (t) => {
  const url = `/v1/articles/${a3.slug}?include=people,places`;
  const res = await req('GET', url);
  t.equal(res.statusCode, 200);
  t.same(
    res.json().people.map((p: { id: string }) => p.id),
    [zelensky.id, guterres.id],
  );
  t.same(
    res.json().places.map((p: { id: string }) => p.id),
    [kiev.id, mariupol.id],
  );
  const etag = res.headers.etag as string;
  t.match(etag, /^"2-[0-9a-f]+"$/);
  t.equal((await req('GET', `/v1/articles/${a3.slug}`)).headers.etag, '"2"', 'plain read: plain ETag');
  t.equal((await req('GET', url, { headers: { 'if-none-match': etag } })).statusCode, 304);
  const person = (await req('GET', `/v1/people/${guterres.id}`)).json();
  await req('PATCH', `/v1/people/${guterres.id}`, {
    as: 'write',
    body: { description: 'Secretaris-generaal van de VN' },
    headers: { 'if-match': `"${person.version}"` },
  });
  const after = await req('GET', url, { headers: { 'if-none-match': etag } });
  t.equal(after.statusCode, 200, 'a changed person invalidates the cached article');
  t.not(after.headers.etag, etag);
  t.equal(after.json().people[1].description, 'Secretaris-generaal van de VN');
  t.equal((await req('GET', `/v1/articles/${a3.slug}?include=quotes,quotes`)).statusCode, 400);
  t.equal((await req('GET', `/v1/articles/${a3.slug}?expand=people`)).statusCode, 400);
});

t.test('a page carries each body as stored: the bytes of the article’s own read', async (t) => {
  // Keys sent in another order than the schema's, and text JSON must escape.
  const body = [
    { text: 'Hij zei: "Genoeg." Een \\ en </script> – ✓ 🇺🇦 \u2028 regel', type: 'paragraph' },
    { attribution: 'Volodymyr Zelensky', text: 'We geven niet op.', type: 'blockquote' },
    { text: 'Kop', type: 'heading' },
  ];
  const a = await article(
    { headline: 'Zelensky spreekt in Marioepol', body, tags: ['bytes'], personIds: [zelensky.id] },
    '2022-05-10T10:00:00Z',
  );
  const item = await req('GET', `/v1/articles/${a.id}`);
  const bytes = `"body":${JSON.stringify(item.json().body)},`;
  t.ok(bytes.startsWith('"body":[{"type":"paragraph","text":"Hij zei: \\"Genoeg.\\"'), 'the API’s key order');
  t.ok(item.body.includes(bytes), 'the item writes them so');
  for (const url of [
    '/v1/articles?tag=bytes',
    '/v1/articles?tag=bytes&include=people,places,quotes',
    '/v1/articles?q=marioepol&language=nl',
    '/v1/articles?q=marioepol&sort=-publishedAt',
    `/v1/people/${zelensky.id}/articles?publishedBefore=2022-05-10T10:00:01Z&limit=1`,
  ]) {
    const page = await req('GET', url);
    t.equal(page.statusCode, 200, url);
    t.equal(page.headers['content-type'], 'application/json; charset=utf-8', `${url}: JSON`);
    t.ok(page.body.includes(bytes), `${url}: the same bytes`);
    t.same(page.json().data[0].body, item.json().body, `${url}: the same blocks`);
  }
  t.same((await req('GET', '/v1/articles?tag=nothing-tagged-so')).json().data, [], 'an empty page');
});

t.test('a body stored in other text than the API’s fails the response check of the tests', async (t) => {
  const a = await article({ headline: 'Opgeslagen anders', tags: ['anders'] }, '2022-05-11T10:00:00Z');
  const db = ctx.database.db;
  await db.execute(sql`update articles set body = '[{"text": "x", "type": "paragraph"}]' where id = ${a.id}`);
  t.teardown(() => db.execute(sql`delete from articles where id = ${a.id}`));
  const refused = await req('GET', '/v1/articles?tag=anders');
  t.equal(refused.statusCode, 500, 'jsonb’s text is not the API’s');
  // The page writer is the 200's alone: the problem is written as on any route.
  t.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(refused.json(), { status: 500, type: /problems/ });
  await db.execute(sql`update articles set body = '[{"type":"paragraph","text":"x"}]' where id = ${a.id}`);
  const res = await req('GET', '/v1/articles?tag=anders&limit=5');
  t.equal(res.statusCode, 200, 'the API’s text passes');
  t.same(res.json().data[0].body, [{ type: 'paragraph', text: 'x' }]);
});

t.test('a page sends each body as stored, neither parsed nor written again', async (t) => {
  // Production writes pages without the tests' check: stored text with spaces (valid JSON,
  // not the API's own bytes) reaches the client as it is, which only a splice does.
  const prod = await buildTestApp(t, { VALIDATE_RESPONSES: 'false' }, { database: ctx.database });
  const a = await article({ headline: 'Ongewijzigd verstuurd', tags: ['ruw'] }, '2022-05-12T10:00:00Z');
  const stored = '[ {"type": "paragraph", "text": "zo opgeslagen"} ]';
  await ctx.database.db.execute(sql`update articles set body = ${stored} where id = ${a.id}`);
  t.teardown(() => ctx.database.db.execute(sql`delete from articles where id = ${a.id}`));
  const res = await prod.req('GET', '/v1/articles?tag=ruw');
  t.equal(res.statusCode, 200);
  t.ok(res.body.includes(`"body":${stored},`), 'the stored text, byte for byte');
  t.same(res.json().data[0].body, [{ type: 'paragraph', text: 'zo opgeslagen' }]);
});
