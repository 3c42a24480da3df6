import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import t from 'tap';
import { changes } from '../../src/db/schema.js';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req, post } = ctx;
type Role = 'read' | 'embargo' | 'preview' | 'write' | undefined;

const action = async (url: string, body?: Record<string, unknown>) => {
  const res = await req('POST', url, { as: 'write', ...(body ? { body } : {}) });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.body}`);
  return res.json();
};

const CANARY = `CANARY-${randomUUID()}`;
// Embargoed content has its own marker: partners may see it, nobody else.
const EMBARGO = `EMBARGO-${randomUUID()}`;
const canaryWord = CANARY.replace(/-/g, '').toLowerCase();
const zelensky = await post('/v1/people', { name: 'Volodymyr Zelensky' });
const kiev = await post('/v1/places', { name: 'Kiev', kind: 'city' });
const base = { language: 'nl', personIds: [zelensky.id], placeIds: [kiev.id], tags: ['zichtbaar'] };

const pub = await post('/v1/articles', { ...base, headline: 'Gepubliceerd artikel over Kiev' });
await action(`/v1/articles/${pub.id}/publish`, { publishedAt: '2022-05-07T10:00:00Z' });
const draft = await post('/v1/articles', {
  ...base,
  headline: `${CANARY} concept`,
  body: [{ type: 'paragraph', text: `Geheim ${canaryWord} kladversie.` }],
});
const withdrawn = await post('/v1/articles', { ...base, headline: `${CANARY} ingetrokken` });
await action(`/v1/articles/${withdrawn.id}/publish`, { publishedAt: '2022-05-06T10:00:00Z' });
await action(`/v1/articles/${withdrawn.id}/withdraw`);
const embargoed = await post('/v1/articles', {
  ...base,
  headline: `${EMBARGO} onder embargo`,
  embargoedUntil: new Date(Date.now() + 3_600_000).toISOString(),
});
await action(`/v1/articles/${embargoed.id}/publish`);

const quote = (articleId: string | null, text: string) =>
  post('/v1/quotes', { text, language: 'nl', personId: zelensky.id, articleId, placeId: kiev.id });
const qPub = await quote(pub.id, 'Deze oorlog moet eindigen.');
const qDraft = await quote(draft.id, `${CANARY} geheim citaat ${canaryWord}`);
const qWithdrawn = await quote(withdrawn.id, `${CANARY} ingetrokken citaat`);
const qEmbargoed = await quote(embargoed.id, `${EMBARGO} citaat onder embargo`);
const qFree = await quote(null, 'Wij geven niet op.');

const hidden = [draft, withdrawn, embargoed, qDraft, qWithdrawn, qEmbargoed].map((x) => x.id as string);
const ids = (res: { json(): { data: { id: string }[] } }) =>
  res
    .json()
    .data.map((x) => x.id)
    .sort();
const sorted = (...xs: { id: string }[]) => xs.map((x) => x.id).sort();
const get = (url: string, as?: Role) => req('GET', url, as ? { as } : {});

/** A problem body without what differs per request. */
const problem = (res: { json(): Record<string, unknown> }) => ({ ...res.json(), requestId: undefined });

t.test('single reads: 404, never 403, identical to a miss', async (t) => {
  const missArticle = await get(`/v1/articles/${randomUUID()}`);
  const missSlug = await get('/v1/articles/geen-bestaand-artikel');
  for (const as of [undefined, 'read', 'embargo'] as Role[]) {
    for (const a of [draft, withdrawn]) {
      const byId = await get(`/v1/articles/${a.id}`, as);
      t.equal(byId.statusCode, 404, `${as ?? 'anonymous'} ${a.headline}`);
      t.same(problem(byId), problem(missArticle), 'same body as a random id');
      t.equal(byId.headers['content-type'], missArticle.headers['content-type']);
      t.equal(byId.headers['cache-control'], missArticle.headers['cache-control']);
      t.equal(byId.headers['content-length'], missArticle.headers['content-length']);
      t.same(problem(await get(`/v1/articles/${a.slug}`, as)), problem(missSlug), 'and by slug');
      t.equal((await get(`/v1/articles/${a.id}?include=quotes`, as)).statusCode, 404);
    }
  }
  for (const as of [undefined, 'read'] as Role[])
    t.same(problem(await get(`/v1/articles/${embargoed.id}`, as)), problem(missArticle), 'embargoed');
  const partner = await get(`/v1/articles/${embargoed.id}`, 'embargo');
  t.equal(partner.statusCode, 200, 'a partner sees the embargoed article');
  t.equal(partner.json().embargoedUntil, embargoed.embargoedUntil, 'with its embargo time');
  for (const as of ['preview', 'write'] as Role[])
    for (const a of [draft, withdrawn, embargoed])
      t.equal((await get(`/v1/articles/${a.id}`, as)).statusCode, 200);

  const missQuote = await get(`/v1/quotes/${randomUUID()}`);
  for (const q of [qDraft, qWithdrawn, qEmbargoed]) {
    const res = await get(`/v1/quotes/${q.id}`);
    t.equal(res.statusCode, 404);
    t.same(problem(res), problem(missQuote));
    t.equal((await get(`/v1/quotes/${q.id}`, 'read')).statusCode, 404);
    t.equal((await get(`/v1/quotes/${q.id}`, 'preview')).statusCode, 200);
  }
  t.equal((await get(`/v1/quotes/${qEmbargoed.id}`, 'embargo')).statusCode, 200);
  t.equal((await get(`/v1/quotes/${qPub.id}`)).statusCode, 200);
  t.equal((await get(`/v1/quotes/${qFree.id}`)).statusCode, 200);
});

t.test('lists, relations, includes and search apply the same rule', async (t) => {
  const all = [pub, draft, withdrawn, embargoed];
  const expect: [Role, { id: string }[], { id: string }[]][] = [
    [undefined, [pub], [qPub, qFree]],
    ['read', [pub], [qPub, qFree]],
    ['embargo', [pub, embargoed], [qPub, qFree, qEmbargoed]],
    ['preview', all, [qPub, qFree, qDraft, qWithdrawn, qEmbargoed]],
  ];
  for (const [as, articles, quotes] of expect) {
    const who = as ?? 'anonymous';
    t.same(ids(await get('/v1/articles?limit=100', as)), sorted(...articles), `${who}: article list`);
    t.same(
      ids(await get('/v1/articles?tag=zichtbaar&include=people,places,quotes', as)),
      sorted(...articles),
    );
    t.same(ids(await get(`/v1/people/${zelensky.slug}/articles`, as)), sorted(...articles), `${who}: person`);
    t.same(ids(await get('/v1/places/kiev/articles', as)), sorted(...articles), `${who}: place`);
    t.same(ids(await get('/v1/quotes', as)), sorted(...quotes), `${who}: quote list`);
    t.same(
      ids(await get(`/v1/people/${zelensky.id}/quotes`, as)),
      sorted(...quotes),
      `${who}: person quotes`,
    );
    t.same(ids(await get('/v1/quotes?place=kiev', as)), sorted(...quotes));
    const included = (await get('/v1/articles?include=quotes', as))
      .json()
      .data.flatMap((a: { quotes: { id: string }[] }) => a.quotes);
    t.same(
      included.map((q: { id: string }) => q.id).sort(),
      sorted(...quotes.filter((q) => q !== qFree)),
      `${who}: included quotes`,
    );
  }
  const missing = await get(`/v1/articles/${randomUUID()}/quotes`);
  const draftQuotes = await get(`/v1/articles/${draft.id}/quotes`);
  t.equal(draftQuotes.statusCode, 404);
  t.same(problem(draftQuotes), problem(missing), 'a draft’s quotes 404 like a miss');
  t.same(ids(await get(`/v1/articles/${draft.id}/quotes`, 'preview')), sorted(qDraft));
  t.same(ids(await get(`/v1/articles/${pub.id}/quotes`)), sorted(qPub));
  const single = (await get(`/v1/articles/${pub.id}?include=quotes,people`)).json();
  t.same(
    single.quotes.map((q: { id: string }) => q.id),
    [qPub.id],
  );
  t.equal(single.people.length, 1);

  t.same(ids(await get(`/v1/articles?q=${canaryWord}`)), [], 'search hides drafts');
  t.same(ids(await get(`/v1/articles?q=kladversie`, 'read')), []);
  t.same(ids(await get(`/v1/articles?q=${canaryWord}`, 'preview')), [draft.id]);
  t.same(ids(await get(`/v1/quotes?q=${canaryWord}`)), []);
  t.same(ids(await get(`/v1/quotes?q=${canaryWord}`, 'preview')), [qDraft.id]);
  for (const bad of ['status=draft', 'status=withdrawn', 'preview=1', 'draft=true'])
    t.equal((await get(`/v1/articles?${bad}`)).statusCode, 400, bad);
});

t.test('canary sweep: nothing hidden reaches an anonymous, read or partner caller', async (t) => {
  const urls = [
    '/v1/articles',
    '/v1/articles?include=people,places,quotes',
    '/v1/articles?sort=-updatedAt&include=quotes',
    '/v1/articles?sort=publishedAt',
    `/v1/articles?q=${canaryWord}`,
    '/v1/articles?q=canary',
    '/v1/articles?tag=zichtbaar&limit=1',
    `/v1/articles/${pub.id}?include=people,places,quotes`,
    `/v1/articles/${pub.id}/quotes`,
    `/v1/people/${zelensky.id}/articles?include=quotes`,
    `/v1/people/${zelensky.id}/quotes`,
    '/v1/places/kiev/articles?include=quotes',
    '/v1/quotes',
    '/v1/quotes?sort=-updatedAt',
    '/v1/quotes?q=citaat',
    `/v1/quotes?article=${draft.id}`,
    `/v1/quotes?article=${draft.slug}`,
    `/v1/people/${zelensky.id}`,
    ...hidden.flatMap((id) => [`/v1/articles/${id}`, `/v1/quotes/${id}`, `/v1/articles/${id}/quotes`]),
  ];
  const never = [CANARY, canaryWord, draft.id, withdrawn.id, qDraft.id, qWithdrawn.id];
  const partnersOnly = [EMBARGO, embargoed.id, qEmbargoed.id];
  for (const as of [undefined, 'read', 'embargo'] as Role[]) {
    const forbidden = as === 'embargo' ? never : [...never, ...partnersOnly];
    for (const url of urls) {
      const res = await get(url, as);
      t.ok([200, 404].includes(res.statusCode), `${url}: ${res.statusCode}`);
      const seen = res.body + JSON.stringify(res.headers);
      t.same(
        forbidden.filter((s) => seen.includes(s)),
        [],
        `${as ?? 'anonymous'}: ${url}`,
      );
    }
  }
});

t.test('withdrawal removes the article everywhere at once, old ETags included', async (t) => {
  const a = await post('/v1/articles', { ...base, headline: 'Kort leven' });
  const published = await action(`/v1/articles/${a.id}/publish`);
  const read = await get(`/v1/articles/${a.id}`);
  t.equal(read.statusCode, 200);
  t.equal(read.headers['cache-control'], 'public, max-age=60');
  t.equal(read.headers.vary, 'Authorization');
  t.equal((await get(`/v1/articles/${a.id}`, 'preview')).headers['cache-control'], 'private, no-store');
  await action(`/v1/articles/${a.id}/withdraw`);
  const stale = await get(`/v1/articles/${a.id}`, undefined);
  t.equal(stale.statusCode, 404);
  const cond = await req('GET', `/v1/articles/${a.id}`, {
    headers: { 'if-none-match': `"${published.version}"` },
  });
  t.equal(cond.statusCode, 404, 'an old ETag does not earn a 304');
  t.notOk(ids(await get('/v1/articles?limit=100')).includes(a.id));
  t.notOk(ids(await get('/v1/articles?q=kort')).includes(a.id));
});

t.test('an embargo lifts by itself', async (t) => {
  const until = new Date(Date.now() + 1500);
  const a = await post('/v1/articles', {
    ...base,
    headline: 'Straks zichtbaar',
    embargoedUntil: until.toISOString(),
  });
  await action(`/v1/articles/${a.id}/publish`);
  t.equal((await get(`/v1/articles/${a.id}`)).statusCode, 404);
  t.equal((await get(`/v1/articles/${a.id}`, 'embargo')).statusCode, 200);
  await new Promise((r) => setTimeout(r, until.getTime() - Date.now() + 300));
  t.equal((await get(`/v1/articles/${a.id}`)).statusCode, 200);
  t.ok(ids(await get('/v1/articles?limit=100')).includes(a.id));
});

t.test('the change log marks what anonymous readers may learn', async (t) => {
  const audience = async (id: string) =>
    (await ctx.database.db.select().from(changes).where(eq(changes.resourceId, id)).orderBy(changes.seq)).map(
      (c) => `${c.action}:${c.audience}`,
    );
  t.same(await audience(pub.id), ['created:private', 'published:public']);
  t.same(await audience(draft.id), ['created:private']);
  t.same(await audience(withdrawn.id), ['created:private', 'published:public', 'withdrawn:public']);
  const underEmbargo = await audience(embargoed.id);
  t.equal(underEmbargo[0], 'created:private');
  t.match(
    underEmbargo[1],
    /^published:(private|embargo)$/,
    'an embargoed publication is not public news yet',
  );
  t.same(await audience(qPub.id), ['created:public']);
  t.same(await audience(qDraft.id), ['created:private']);
  t.same(await audience(qFree.id), ['created:public']);
  const scrap = await post('/v1/articles', { ...base, headline: 'Weggegooid concept' });
  await req('DELETE', `/v1/articles/${scrap.id}`, { as: 'write', headers: { 'if-match': '"1"' } });
  t.same(await audience(scrap.id), ['created:private', 'deleted:private'], 'a draft’s history stays private');
});
