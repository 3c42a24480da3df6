import { XMLValidator } from 'fast-xml-parser';
import { parseAtomFeed, parseJsonFeed } from 'feedsmith';
import t from 'tap';
import { seed } from '../../src/cli/seed.js';
import { buildTestApp, type TestContext } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req, post } = ctx;
type As = keyof TestContext['keys'] | undefined;

async function article(body: Record<string, unknown>, publishedAt?: string | 'now') {
  const a = await post('/v1/articles', {
    language: 'nl',
    body: [{ type: 'paragraph', text: 'Tekst.' }],
    ...body,
  });
  if (!publishedAt) return a;
  const res = await req('POST', `/v1/articles/${a.id}/publish`, {
    as: 'write',
    body: publishedAt === 'now' ? {} : { publishedAt },
  });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json();
}

const { article: seededSlug } = await seed(ctx.app);
const seeded = (await req('GET', `/v1/articles/${seededSlug}`)).json();
const EVIL = '<script>alert("x")</script> & AT&amp;T ]]>';
const evil = await article(
  {
    headline: EVIL,
    standfirst: 'Eerste\u0001regel',
    body: [{ type: 'paragraph', text: '<b>vet</b> & ]]>' }],
    tags: ['a<b & "c"'],
    credit: 'A&P',
  },
  '2025-01-01T12:00:00.000Z',
);
const older = await article(
  { language: 'en', headline: 'Match report', tags: ['sport'] },
  '2023-06-01T09:00:00Z',
);
const draft = await article({
  headline: 'Concept DRAFTMARK',
  tags: ['diplomatie'],
  personIds: seeded.personIds,
});
const withdrawn = await article({ headline: 'Ingetrokken KILLMARK', tags: ['diplomatie'] }, 'now');
await req('POST', `/v1/articles/${withdrawn.id}/withdraw`, { as: 'write' });
const embargoed = await article(
  {
    headline: 'Embargo EMBARGOMARK',
    tags: ['diplomatie'],
    embargoedUntil: new Date(Date.now() + 3600e3).toISOString(),
  },
  'now',
);

const uri = (a: { id: string }) => `urn:kopij:article:${a.id}`;

async function atom(query = '', as?: As) {
  const res = await req('GET', `/v1/feeds/articles.atom${query}`, as ? { as } : {});
  if (res.statusCode !== 200) throw new Error(`${query}: ${res.statusCode} ${res.body}`);
  t.equal(XMLValidator.validate(res.body), true, 'well-formed XML');
  return { res, feed: parseAtomFeed(res.body) };
}
async function json(query = '', as?: As) {
  const res = await req('GET', `/v1/feeds/articles.json${query}`, as ? { as } : {});
  if (res.statusCode !== 200) throw new Error(`${query}: ${res.statusCode} ${res.body}`);
  return { res, feed: parseJsonFeed(res.json()) };
}
const atomIds = async (query = '', as?: As) => ((await atom(query, as)).feed.entries ?? []).map((e) => e.id);
const jsonIds = async (query = '', as?: As) => ((await json(query, as)).feed.items ?? []).map((i) => i.id);

t.test('Atom 1.0: parsed back by a feed parser, newest published first, text stays text', async (t) => {
  const { res, feed } = await atom();
  t.match(res.headers['content-type'], /^application\/atom\+xml/);
  t.equal(res.headers['cache-control'], 'public, max-age=60');
  t.equal(feed.id, 'urn:kopij:feed:articles');
  t.ok(feed.title?.value);
  t.equal(
    feed.updated,
    [evil, older, seeded]
      .map((a) => a.updatedAt)
      .sort()
      .at(-1),
    'updated: the newest change among the items, not the time of the request',
  );
  t.ok(feed.links?.some((l) => l.rel === 'self' && l.href === '/v1/feeds/articles.atom'));
  t.same(
    feed.entries?.map((e) => e.id),
    [uri(evil), uri(older), uri(seeded)],
    'no draft, no withdrawn, no embargoed article; newest publication first',
  );

  const [e, , s] = feed.entries!;
  t.equal(e!.title?.value, EVIL, 'the headline comes back as the exact text');
  t.equal(e!.title?.type, 'text');
  t.equal(e!.summary?.value, 'Eersteregel', 'a control character XML cannot carry is dropped');
  t.equal(e!.content?.type, 'html');
  t.equal(
    e!.content?.value,
    '<p>&lt;b&gt;vet&lt;/b&gt; &amp; ]]&gt;</p>',
    'escaped HTML: shows "<b>", runs nothing',
  );
  t.same(
    e!.categories?.map((c) => c.term),
    ['a<b & "c"'],
  );
  t.same(
    e!.authors?.map((a) => a.name),
    ['A&P'],
  );
  t.equal(e!.published, '2025-01-01T12:00:00.000Z');

  t.equal(s!.title?.value, seeded.headline, '„…” and diacritics byte for byte');
  t.ok(s!.content?.value?.includes('<h2>‘Wij geven geen grondgebied op’</h2>'));
  t.ok(s!.links?.some((l) => l.href === seeded.canonicalUrl));
  t.same(
    s!.authors?.map((a) => a.name),
    ['AFP'],
  );
  t.notMatch(res.body, /DRAFTMARK|KILLMARK|EMBARGOMARK/);
});

t.test('JSON Feed 1.1: parsed back, same items, same order, escaped HTML', async (t) => {
  const { res, feed } = await json();
  t.match(res.headers['content-type'], /^application\/feed\+json/);
  t.equal(res.json().version, 'https://jsonfeed.org/version/1.1');
  t.same(
    feed.items?.map((i) => i.id),
    [uri(evil), uri(older), uri(seeded)],
  );
  const [e, o, s] = feed.items!;
  t.equal(e!.title, EVIL);
  t.equal(e!.content_html, '<p>&lt;b&gt;vet&lt;/b&gt; &amp; ]]&gt;</p>');
  t.equal(e!.summary, 'Eerste\u0001regel', 'JSON carries every character');
  t.same(e!.tags, ['a<b & "c"']);
  t.equal(e!.date_published, '2025-01-01T12:00:00.000Z');
  t.equal(e!.date_modified, evil.updatedAt);
  t.equal(o!.language, 'en');
  t.equal(s!.url, seeded.canonicalUrl);
  t.same(s!.authors, [{ name: 'AFP' }]);
  t.notMatch(res.body, /DRAFTMARK|KILLMARK|EMBARGOMARK/);
});

t.test('the article list filters make per-person, per-place and per-tag feeds', async (t) => {
  t.same(await atomIds('?person=volodymyr-zelensky'), [uri(seeded)], 'the draft mentioning him stays out');
  t.same(await jsonIds(`?person=${seeded.personIds[0]}`), [uri(seeded)]);
  t.same(await atomIds('?place=oekraine'), [uri(seeded)], 'places inside Oekraïne count');
  t.same(await jsonIds('?tag=sport'), [uri(older)]);
  t.same(await atomIds('?tag=diplomatie'), [uri(seeded)]);
  t.same(await jsonIds('?language=en'), [uri(older)]);
  t.same(await atomIds('?q=onderhandeling'), [uri(seeded)]);
  t.same(await jsonIds('?publishedBefore=2024-01-01T00:00:00Z'), [uri(older), uri(seeded)]);
  t.same(await atomIds('?tag=geen-zulke-tag'), [], 'an empty feed is still a feed');
  t.same(await atomIds('?person=niemand'), []);

  const { feed } = await atom('?tag=sport&language=en');
  t.match(feed.id, /^urn:kopij:feed:articles:[0-9a-f]{32}$/, 'a filtered feed has its own id');
  t.equal((await atom('?language=en&tag=sport&limit=5')).feed.id, feed.id, 'stable per filter set');
  t.not((await atom('?tag=sport')).feed.id, feed.id);
  t.equal(feed.title?.value, 'Kopij articles (filtered)');
  t.equal((await json('?language=en')).feed.language, 'en');
});

t.test('filter values are never echoed into the feed', async (t) => {
  const marker = 'ECHO7a1f';
  for (const query of [`?q=${marker}`, `?tag=%3Cscript%3E${marker}`, `?person=${marker}`]) {
    for (const { res } of [await atom(query), await json(query)]) {
      t.notOk(res.body.includes(marker), `${res.headers['content-type']} ${query}`);
      t.notOk(res.body.includes('<script'));
    }
  }
  t.notOk(
    (await atom('?tag=sport')).feed.links?.some((l) => l.rel === 'self'),
    'no self link to reflect',
  );
  t.notOk('feed_url' in (await json('?tag=sport')).res.json());
  t.equal((await json('?limit=5')).res.json().feed_url, '/v1/feeds/articles.json?limit=5');
});

t.test('editors and partners: feeds hold published articles only', async (t) => {
  for (const as of [undefined, 'read'] as const) {
    t.notOk((await atomIds('', as)).includes(uri(embargoed)), `${as ?? 'anonymous'}: embargo holds`);
    t.notOk((await jsonIds('', as)).includes(uri(embargoed)));
  }
  for (const as of ['embargo', 'preview'] as const) {
    const ids = await jsonIds('', as);
    t.equal(ids[0], uri(embargoed), `${as}: the embargoed article, newest first`);
    t.notOk(ids.includes(uri(draft)) || ids.includes(uri(withdrawn)), `${as}: no draft or withdrawn`);
    t.same(await atomIds('', as), ids);
  }
  const keyed = (await atom('', 'read')).res;
  t.equal(keyed.headers['cache-control'], 'private, no-store');
  t.match(keyed.headers.vary, /Authorization/);
});

t.test('conditional GET: a strong ETag over the contents', async (t) => {
  const first = (await atom('?tag=sport')).res;
  const etag = first.headers.etag as string;
  t.match(etag, /^"[A-Za-z0-9_-]+"$/);
  const again = await req('GET', '/v1/feeds/articles.atom?tag=sport', { headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
  const jsonEtag = (await json('?tag=sport')).res.headers.etag as string;
  t.not(jsonEtag, etag, 'each format its own tag');
  t.equal(
    (await req('GET', '/v1/feeds/articles.json?tag=sport', { headers: { 'if-none-match': jsonEtag } }))
      .statusCode,
    304,
  );

  const patched = await req('PATCH', `/v1/articles/${older.id}`, {
    as: 'write',
    body: { headline: 'Match report (corrected)' },
    headers: { 'if-match': `"${older.version}"` },
  });
  t.equal(patched.statusCode, 200, patched.body);
  const changed = await req('GET', '/v1/feeds/articles.atom?tag=sport', {
    headers: { 'if-none-match': etag },
  });
  t.equal(changed.statusCode, 200, 'a correction changes the feed and its ETag');
  t.equal(parseAtomFeed(changed.body).entries?.[0]?.title?.value, 'Match report (corrected)');
  const stale = await req('GET', '/v1/feeds/articles.json?tag=sport', {
    headers: { 'if-none-match': jsonEtag },
  });
  t.equal(stale.statusCode, 200);
});

t.test('at most 50 items; only feed parameters are accepted', async (t) => {
  for (let i = 0; i < 51; i++)
    await article(
      { headline: `Bulk ${i}`, tags: ['bulk'] },
      new Date(Date.UTC(2020, 0, 1, 0, i)).toISOString(),
    );
  t.equal((await atomIds('?tag=bulk')).length, 20, 'default 20');
  const fifty = await jsonIds('?tag=bulk&limit=50');
  t.equal(fifty.length, 50);
  t.equal((await atomIds('?tag=bulk&limit=1')).length, 1);
  for (const bad of [
    'limit=51',
    'limit=0',
    'status=draft',
    'include=people',
    'cursor=x',
    'sort=publishedAt',
    'x=1',
  ]) {
    const res = await req('GET', `/v1/feeds/articles.atom?${bad}`);
    t.equal(res.statusCode, 400, bad);
    t.match(res.headers['content-type'], /application\/problem\+json/);
  }
});

t.test('public reads off: feeds need a key like every read', async (t) => {
  const closed = await buildTestApp(t, { PUBLIC_READ: 'false' });
  t.equal((await closed.req('GET', '/v1/feeds/articles.atom')).statusCode, 401);
  t.equal((await closed.req('GET', '/v1/feeds/articles.json', { as: 'read' })).statusCode, 200);
});
