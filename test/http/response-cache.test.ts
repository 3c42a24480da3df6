import { once } from 'node:events';
import { type AddressInfo, connect } from 'node:net';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import t, { type Test } from 'tap';
import { LIST_CACHE_TTL_MS } from '../../src/plugins/response-cache.js';
import { releaseDue } from '../../src/syndication/embargo.js';
import { buildTestApp, dropListener, type TestContext } from '../helpers/app.js';
import { serverUrl } from '../helpers/database.js';
import { readSide } from '../helpers/replica.js';

// Two API instances on one database, as in a scale-out: what one writes, the other must stop
// serving from its cache once the change log's notification reaches it.
const a = await buildTestApp(t);
const b = await buildTestApp(t, {}, { database: a.database });
const stats = (ctx: TestContext) => ctx.app.responseCache.stats();
/** Resolves when this instance has heard (and acted on) the change of this resource. */
const heard = (ctx: TestContext, type: string, id: string) =>
  ctx.app.responseCache.next('change', (p) => p === `${type}:${id}`);

/** Every instance has heard every change made so far: no stray notification is on its way. */
const settled = (...more: TestContext[]) =>
  Promise.all([a, b, ...more].map((c) => c.app.responseCache.sync()));

/** Settled, and B has read the next pending embargo release again (50 ms after the last change). */
async function releaseReadAgain() {
  await settled();
  await new Promise((r) => setTimeout(r, 200));
}

/** Due releases that no worker made (earlier tests) would hold every page at LIST_CACHE_TTL_MS. */
const noReleaseDue = () =>
  a.database.db.execute(sql`delete from pending_releases where release_at <= now() + interval '5 seconds'`);

/** Made through A; the tests below then wait for notifications of their own writes only. */
async function post(url: string, body?: Record<string, unknown>) {
  const res = await a.req('POST', url, { as: 'write', body });
  if (res.statusCode >= 300) throw new Error(`${url}: ${res.body}`);
  await settled();
  return res.json();
}

async function patch(url: string, version: number, body: Record<string, unknown>) {
  const res = await a.req('PATCH', url, { as: 'write', body, headers: { 'if-match': `"${version}"` } });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.body}`);
  return res.json();
}

let n = 0;
async function article(extra: Record<string, unknown> = {}, publish = true) {
  n++;
  const created = await post('/v1/articles', {
    language: 'nl',
    headline: `Artikel ${n} over de „onderhandelingen”`,
    body: [{ type: 'paragraph', text: 'Tekst.' }],
    ...extra,
  });
  return publish ? await post(`/v1/articles/${created.id}/publish`) : created;
}

/** Headers that differ per request whoever answers it. */
const PER_REQUEST = new Set(['x-request-id', 'date', 'ratelimit-remaining', 'ratelimit-reset']);
const stable = (res: LightMyRequestResponse) =>
  Object.fromEntries(Object.entries(res.headers).filter(([k]) => !PER_REQUEST.has(k)));

t.test('a hit answers the same bytes and headers as the miss, without touching the database', async (t) => {
  const x = await article();
  const url = `/v1/articles/${x.slug}?include=people,places`;
  const before = stats(a);
  const miss = await a.req('GET', url);
  t.equal(miss.statusCode, 200);
  t.equal(stats(a).stores, before.stores + 1, 'stored');
  a.resetQueries();
  const hit = await a.req('GET', url);
  t.same(a.queries, [], 'no statement for a hit');
  t.equal(stats(a).hits, before.hits + 1);
  t.equal(hit.statusCode, 200);
  t.equal(hit.body, miss.body, 'byte for byte');
  t.same(stable(hit), stable(miss), 'same headers');
  t.equal(hit.headers['cache-control'], 'public, max-age=60');
  t.not(hit.headers['x-request-id'], miss.headers['x-request-id'], 'its own request id');

  const notModified = await a.req('GET', url, { headers: { 'if-none-match': String(miss.headers.etag) } });
  t.same(a.queries, [], 'a 304 from the cache needs no statement either');
  t.equal(notModified.statusCode, 304);
  t.equal(notModified.body, '');
  // The same conditional read answered by the handler, on the instance that has not cached it.
  const handled = await b.req('GET', url, { headers: { 'if-none-match': String(miss.headers.etag) } });
  t.equal(handled.statusCode, 304);
  t.same(stable(notModified), stable(handled), 'the same 304 as without a cache');
});

t.test('concurrent misses of one URL: one goes to the database, the others get its answer', async (t) => {
  const x = await article({ headline: 'Een drukbezocht artikel over de onderhandelingen' });
  const articleQueries = () => a.queries.filter((q) => q.includes('from "articles"')).length;
  for (const url of [`/v1/articles/${x.id}`, '/v1/articles?q=drukbezocht&limit=5']) {
    await settled();
    const before = stats(b);
    a.resetQueries();
    const answers = await Promise.all(Array.from({ length: 8 }, () => b.req('GET', url)));
    t.same(
      answers.map((r) => r.statusCode),
      Array(8).fill(200),
    );
    t.ok(
      answers.every((r) => r.body === answers[0]!.body),
      `${url}: every caller gets the same bytes`,
    );
    t.equal(articleQueries(), 1, `${url}: one statement for eight callers`);
    t.equal(stats(b).hits, before.hits + 7, 'seven answered from the first one');
    t.equal(stats(b).stores, before.stores + 1, 'kept (callers who waited make even a page a repeat)');
  }
  // What is not kept is answered for each caller, correctly.
  const missing = await Promise.all(
    Array.from({ length: 4 }, () => b.req('GET', '/v1/articles/bestaat-niet-en-nooit')),
  );
  t.same(
    missing.map((r) => [r.statusCode, r.headers['content-type']]),
    Array(4).fill([404, 'application/problem+json; charset=utf-8']),
  );
});

t.test('a write on one instance is never followed by the old version on another', async (t) => {
  const x = await article();
  const url = `/v1/articles/${x.id}`;
  t.equal((await b.req('GET', url)).json().headline, x.headline);
  const hits = stats(b).hits;
  await b.req('GET', url);
  t.equal(stats(b).hits, hits + 1, 'cached on B');

  const notified = heard(b, 'article', x.id);
  const patched = await patch(url, x.version, { headline: 'Nieuwe kop' });
  await notified;
  const after = await b.req('GET', url);
  t.equal(after.json().headline, 'Nieuwe kop', 'B answers the new version once notified');
  t.equal(after.headers.etag, `"${patched.version}"`);
  t.equal(stats(b).hits, hits + 1, 'a miss, not a hit');
});

t.test('the writing instance answers its own write at once (no wait for anything)', async (t) => {
  const x = await article();
  const url = `/v1/articles/${x.slug}`;
  await a.req('GET', url);
  await a.req('GET', url);
  await patch(url, x.version, { standfirst: 'Gecorrigeerd.' });
  t.equal((await a.req('GET', url)).json().standfirst, 'Gecorrigeerd.');
  const withdrawn = await a.req('POST', `${url}/withdraw`, { as: 'write' });
  t.equal(withdrawn.statusCode, 200);
  t.equal((await a.req('GET', url)).statusCode, 404, 'a withdrawal takes it out at once');
});

t.test('a new draft answers without waiting for its notification; a publish waits for its own', async (t) => {
  // No cached response can show a draft, so the create has nothing to wait for.
  const before = stats(a).syncs;
  const created = await a.req('POST', '/v1/articles', {
    as: 'write',
    body: { language: 'nl', headline: 'Concept zonder wachten', body: [] },
  });
  t.equal(created.statusCode, 201, created.body);
  t.equal(stats(a).syncs, before, 'the create did not wait');
  const published = await a.req('POST', `/v1/articles/${created.json().id}/publish`, { as: 'write' });
  t.equal(published.statusCode, 200, published.body);
  t.equal(stats(a).syncs, before + 1, 'the publish waited for its notification');
});

t.test('a new draft is not notified to the other instances; its publication is', async (t) => {
  let target = '';
  const seen: string[] = [];
  const published = b.app.responseCache.next('change', (p) => {
    seen.push(p);
    return target !== '' && p === target;
  });
  const created = await a.req('POST', '/v1/articles', {
    as: 'write',
    body: { language: 'nl', headline: 'Concept dat niemand hoort', body: [] },
  });
  t.equal(created.statusCode, 201, created.body);
  await settled();
  target = `article:${created.json().id}`;
  t.notOk(seen.includes(target), 'B heard nothing of the draft');
  const res = await a.req('POST', `/v1/articles/${created.json().id}/publish`, { as: 'write' });
  t.equal(res.statusCode, 200, res.body);
  t.equal(await published, target, 'B heard the publication');
});

t.test('a new slug: the old one stops answering', async (t) => {
  const x = await article();
  await b.req('GET', `/v1/articles/${x.slug}`);
  const notified = heard(b, 'article', x.id);
  await patch(`/v1/articles/${x.id}`, x.version, { slug: `${x.slug}-nieuw` });
  await notified;
  t.equal((await b.req('GET', `/v1/articles/${x.slug}`)).statusCode, 404);
  t.equal((await b.req('GET', `/v1/articles/${x.slug}-nieuw`)).statusCode, 200);
});

t.test('with a replica that lags, what the cache keeps comes from the primary', async (t) => {
  const side = await readSide(a.database);
  t.teardown(() => side.close());
  const r = await buildTestApp(t, {}, { database: { ...a.database, read: side.read }, keys: false });
  const x = await article();
  await Promise.all([r.app.responseCache.sync(), side.sync()]);
  const url = `/v1/articles/${x.id}`;
  await r.req('GET', url);
  await side.hold();
  t.teardown(() => side.release());
  const notified = heard(r, 'article', x.id);
  await patch(url, x.version, { headline: 'Niet op de replica' });
  await notified;
  t.equal((await r.req('GET', url)).json().headline, 'Niet op de replica', 'the miss read the primary');
  const hits = stats(r).hits;
  t.equal((await r.req('GET', url)).json().headline, 'Niet op de replica', 'and kept that');
  t.equal(stats(r).hits, hits + 1);
});

t.test('a caller naming a later version than the cached one is answered by the handler', async (t) => {
  const x = await article();
  const url = `/v1/articles/${x.id}`;
  await b.req('GET', url);
  a.resetQueries();
  const res = await b.req('GET', url, { headers: { 'if-none-match': `"${x.version + 1}"` } });
  t.not(a.queries.length, 0, 'not from the cache');
  t.equal(res.statusCode, 200);
  a.resetQueries();
  t.equal((await b.req('GET', url, { headers: { 'if-none-match': '"1"' } })).statusCode, 200);
  t.same(a.queries, [], 'an older version named: the cached one answers');
});

t.test(
  'a caller naming a later version is answered by the handler, waiting on another miss or not',
  async (t) => {
    const x = await article();
    const url = `/v1/articles/${x.id}`;
    await settled();
    a.resetQueries();
    // The first leads the miss; the others wait for its answer. The last has seen a later write
    // (on another instance, not yet heard of here): the leader's answer may predate it.
    const answers = await Promise.all([
      b.req('GET', url),
      b.req('GET', url),
      b.req('GET', url, { headers: { 'if-none-match': `"${x.version + 1}"` } }),
    ]);
    t.same(
      answers.map((r) => r.statusCode),
      [200, 200, 200],
    );
    t.equal(
      a.queries.filter((q) => q.includes('from "articles"')).length,
      2,
      'the leader read it, and the handler again for the caller who has seen a later version',
    );
  },
);

t.test('drafts and embargoed articles never enter the cache', async (t) => {
  const draft = await article({}, false);
  const embargoed = await post(
    `/v1/articles/${(await article({ embargoedUntil: new Date(Date.now() + 3_600_000).toISOString() }, false)).id}/publish`,
  );
  const before = stats(b);
  for (const x of [draft, embargoed]) {
    for (const as of [undefined, 'read', 'embargo', 'preview'] as const) {
      for (let i = 0; i < 2; i++) {
        a.resetQueries();
        const res = await b.req('GET', `/v1/articles/${x.id}`, as ? { as } : {});
        t.ok(
          a.queries.some((q) => q.includes('from "articles"')),
          `${x.status} read by ${as ?? 'anonymous'} goes to the database`,
        );
        if (res.statusCode === 200) t.equal(res.headers['cache-control'], 'private, no-store');
      }
    }
  }
  t.equal(stats(b).stores, before.stores, 'nothing stored');
  t.equal(stats(b).hits, before.hits, 'nothing served');

  // The embargo lifts: the release is a change like any other.
  await a.database.db.execute(
    sql`update articles set embargoed_until = now() - interval '1 second' where id = ${embargoed.id}`,
  );
  await a.database.db.execute(
    sql`update pending_releases set release_at = now() - interval '1 second' where article_id = ${embargoed.id}`,
  );
  const released = heard(b, 'article', embargoed.id);
  t.equal(await releaseDue(a.database.db), 1);
  await released;
  t.equal((await b.req('GET', `/v1/articles/${embargoed.id}`)).statusCode, 200, 'public now');
  t.equal(stats(b).stores, before.stores + 1, 'and only now cached');
});

/** B answers this key's read of `url` from the copy kept for `anonymous`, privately on the wire. */
async function answeredAsKept(
  t: Test,
  url: string,
  key: { as: 'read' } | { headers: Record<string, string> },
  anonymous: LightMyRequestResponse,
) {
  const before = stats(b);
  a.resetQueries();
  const keyed = await b.req('GET', url, key);
  t.equal(stats(b).hits, before.hits + 1, `${url}: a keyed read is answered from the cache`);
  t.same(a.queries, [], 'without a statement');
  t.equal(keyed.body, anonymous.body, 'the same bytes');
  t.equal(keyed.headers.etag, anonymous.headers.etag);
  t.equal(keyed.headers['cache-control'], 'private, no-store', 'but private on the wire');
  t.match(keyed.headers.vary, /Authorization/);
}

t.test("a read key shares what anonymous callers read; editors' keys never touch the cache", async (t) => {
  const x = await article();
  const url = `/v1/articles/${x.id}`;
  const anonymous = await b.req('GET', url);
  t.equal(anonymous.headers['cache-control'], 'public, max-age=60');
  await b.req('GET', `/v1/people`, { as: 'read' }); // the key itself is kept from here on
  await answeredAsKept(t, url, { as: 'read' }, anonymous);

  const y = await article();
  const other = `/v1/articles/${y.id}`;
  let before = stats(b);
  const first = await b.req('GET', other, { as: 'read' });
  t.equal(first.headers['cache-control'], 'private, no-store');
  t.equal(stats(b).stores, before.stores + 1, "a read key's miss is kept");
  const then = await b.req('GET', other);
  t.equal(stats(b).hits, before.hits + 1, 'and answers anonymous callers');
  t.equal(then.headers['cache-control'], 'public, max-age=60', 'as anonymous callers get it');
  t.equal(then.body, first.body);

  before = stats(b);
  for (const as of ['preview', 'write', 'admin'] as const) {
    a.resetQueries();
    const res = await b.req('GET', url, { as });
    t.ok(
      a.queries.some((q) => q.includes('from "articles"')),
      `${as} reads from the database`,
    );
    t.equal(res.headers['cache-control'], 'private, no-store');
  }
  t.same(stats(b), { ...before, entries: stats(b).entries }, 'no hit, miss or store');
});

t.test(
  "a partner's key reads one resource from copies kept for the public, and never keeps one",
  async (t) => {
    // A partner's key as newsrooms issue it: read and embargo.
    const made = await a.req('POST', '/v1/keys', {
      as: 'admin',
      body: { name: 'ANP', scopes: ['read', 'embargo'] },
    });
    t.equal(made.statusCode, 201);
    const partner = { headers: { authorization: `Bearer ${made.json().secret}` } };
    const person = await post('/v1/people', { name: 'Dick Schoof' });
    const place = await post('/v1/places', { name: 'Den Haag', kind: 'city' });
    const x = await article({ personIds: [person.id], placeIds: [place.id] });
    await post('/v1/quotes', {
      articleId: x.id,
      personId: person.id,
      language: 'nl',
      text: 'Wij gaan door.',
    });
    const quote = (await b.req('GET', `/v1/articles/${x.id}?include=quotes`)).json().quotes[0];
    await b.req('GET', '/v1/people', partner); // the key itself is kept from here on
    const urls = [
      `/v1/articles/${x.id}`,
      `/v1/articles/${x.slug}?include=people,places,quotes`,
      `/v1/articles/${x.id}/ninjs`,
      `/v1/people/${person.slug}`,
      `/v1/places/${place.slug}`,
      `/v1/quotes/${quote.id}`,
    ];
    for (const url of urls) {
      const anonymous = await b.req('GET', url);
      t.equal(anonymous.statusCode, 200, url);
      await answeredAsKept(t, url, partner, anonymous);
    }
    const url = `/v1/articles/${x.id}`;
    const etag = (await b.req('GET', url)).headers.etag as string;
    let before = stats(b);
    const same = await b.req('GET', url, { headers: { ...partner.headers, 'if-none-match': etag } });
    t.equal(same.statusCode, 304, 'its own version: 304 from the kept copy');
    t.equal(stats(b).hits, before.hits + 1);
    // A later version than the kept one (its notification still on its way): the handler.
    a.resetQueries();
    const later = await b.req('GET', url, {
      headers: { ...partner.headers, 'if-none-match': `"${x.version + 1}"` },
    });
    t.equal(later.statusCode, 200);
    t.ok(
      a.queries.some((q) => q.includes('from "articles"')),
      'a partner naming a later version reads from the database',
    );

    // Nothing kept: the handler answers, and keeps nothing for anyone.
    const y = await article();
    const other = `/v1/articles/${y.id}`;
    before = stats(b);
    a.resetQueries();
    t.equal((await b.req('GET', other, partner)).statusCode, 200);
    t.ok(
      a.queries.some((q) => q.includes('from "articles"')),
      'a partner with no kept copy reads from the database',
    );
    t.same(stats(b), before, 'no hit, miss or store, nothing kept');

    // Changed: the kept copy is dropped, and the partner reads the new version.
    await b.req('GET', other);
    const changed = heard(b, 'article', y.id);
    await patch(other, y.version, { headline: 'Een nieuwe kop' });
    await changed;
    before = stats(b);
    t.equal((await b.req('GET', other, partner)).json().headline, 'Een nieuwe kop', 'the new version');
    t.equal(stats(b).hits, before.hits, 'not the old copy');

    // Withdrawn: the partner no longer sees the article, only its kill notice, as the public.
    const withdrawn = heard(b, 'article', x.id);
    t.equal((await a.req('POST', `${url}/withdraw`, { as: 'write' })).statusCode, 200);
    await withdrawn;
    t.equal((await b.req('GET', url, partner)).statusCode, 404, 'the article is gone');
    t.equal((await b.req('GET', `/v1/quotes/${quote.id}`, partner)).statusCode, 404, 'and its quote');
    t.equal(
      (await b.req('GET', `${url}/ninjs`, partner)).json().pubStatus,
      'canceled',
      'ninjs: the kill notice',
    );

    // Lists show a partner embargoed work: never the public's page.
    const embargoed = await post(
      `/v1/articles/${(await article({ embargoedUntil: new Date(Date.now() + 3_600_000).toISOString() }, false)).id}/publish`,
    );
    const list = '/v1/articles?limit=100';
    before = stats(b);
    for (let i = 0; i < 2; i++) await b.req('GET', list);
    t.equal(stats(b).stores, before.stores + 1, "the public's page is kept");
    before = stats(b);
    const page = await b.req('GET', list, partner);
    t.equal(stats(b).hits, before.hits, 'a list is not answered from the cache');
    t.ok(
      page.json().data.some((r: { id: string }) => r.id === embargoed.id),
      "the partner's page shows the embargoed article",
    );
    t.notOk(
      (await b.req('GET', list)).json().data.some((r: { id: string }) => r.id === embargoed.id),
      "the public's does not",
    );
  },
);

t.test('with PUBLIC_READ=false, read keys are still answered from the cache', async (t) => {
  const closed = await buildTestApp(t, { PUBLIC_READ: 'false' }, { database: a.database });
  const x = await article();
  await settled(closed);
  const url = `/v1/articles/${x.id}`;
  t.equal((await closed.req('GET', url)).statusCode, 401, 'anonymous callers are refused');
  t.equal((await closed.req('GET', url, { as: 'read' })).statusCode, 200);
  const hits = stats(closed).hits;
  t.equal((await closed.req('GET', url, { as: 'read' })).statusCode, 200);
  t.equal(stats(closed).hits, hits + 1);
  t.equal((await closed.req('GET', url)).statusCode, 401, 'and a kept answer never reaches anonymous ones');
});

t.test('an article with includes is invalidated by a change to what it includes', async (t) => {
  const person = await post('/v1/people', { name: 'Volodymyr Zelensky' });
  const other = await post('/v1/people', { name: 'António Guterres' });
  const place = await post('/v1/places', { name: 'Kiev', kind: 'city' });
  const x = await article({ personIds: [person.id], placeIds: [place.id] });
  const url = `/v1/articles/${x.id}?include=people,places,quotes`;
  const first = (await b.req('GET', url)).json();
  t.same(first.quotes, []);

  let notified = heard(b, 'person', other.id);
  await patch(`/v1/people/${other.id}`, other.version, { description: 'Secretaris-generaal' });
  await notified;
  const hits = stats(b).hits;
  await b.req('GET', url);
  t.equal(stats(b).hits, hits + 1, 'a person it does not include changes nothing');

  notified = heard(b, 'person', person.id);
  await patch(`/v1/people/${person.id}`, person.version, { name: 'Volodymyr Zelenskyy' });
  await notified;
  t.equal((await b.req('GET', url)).json().people[0].name, 'Volodymyr Zelenskyy', 'an included person');

  notified = heard(b, 'place', place.id);
  await patch(`/v1/places/${place.id}`, place.version, { name: 'Kyiv' });
  await notified;
  t.equal((await b.req('GET', url)).json().places[0].name, 'Kyiv', 'an included place');

  const said = { text: 'Wij geven niet op.', language: 'nl', personId: person.id, articleId: x.id };
  notified = b.app.responseCache.next('change', (p) => p.startsWith('quote:'));
  const quote = await post('/v1/quotes', said);
  await notified;
  const withQuote = (await b.req('GET', url)).json();
  t.same(
    withQuote.quotes.map((q: { id: string }) => q.id),
    [quote.id],
    'a quote taken from it joins it',
  );
});

t.test('people, places and quotes are cached and invalidated alike', async (t) => {
  const person = await post('/v1/people', { name: 'Lloyd Austin' });
  const place = await post('/v1/places', { name: 'Ramstein', kind: 'site' });
  const x = await article();
  const quote = await post('/v1/quotes', {
    text: 'Steun.',
    language: 'nl',
    personId: person.id,
    articleId: x.id,
  });
  for (const [type, id, url, version, change] of [
    ['person', person.id, `/v1/people/${person.id}`, person.version, { description: 'Minister' }],
    ['place', place.id, `/v1/places/${place.slug}`, place.version, { countryCode: 'DE' }],
    ['quote', quote.id, `/v1/quotes/${quote.id}`, quote.version, { context: 'Persconferentie' }],
  ] as const) {
    await b.req('GET', url);
    const hits = stats(b).hits;
    const cached = await b.req('GET', url);
    t.equal(stats(b).hits, hits + 1, `${type} cached`);
    const notified = heard(b, type, id);
    await patch(url, version, change);
    await notified;
    const fresh = await b.req('GET', url);
    t.not(fresh.headers.etag, cached.headers.etag, `${type} invalidated`);
  }
  const notified = heard(b, 'article', x.id);
  await a.req('POST', `/v1/articles/${x.id}/withdraw`, { as: 'write' });
  await notified;
  t.equal((await b.req('GET', `/v1/quotes/${quote.id}`)).statusCode, 404, 'a quote leaves with its article');
});

t.test('bounded, and off with RESPONSE_CACHE_SIZE=0', async (t) => {
  const one = await buildTestApp(t, { RESPONSE_CACHE_SIZE: '1' }, { database: a.database, keys: false });
  const off = await buildTestApp(t, { RESPONSE_CACHE_SIZE: '0' }, { database: a.database, keys: false });
  const [x, y] = [await article(), await article()];
  await settled(one, off);
  await one.req('GET', `/v1/articles/${x.id}`);
  await one.req('GET', `/v1/articles/${y.id}`);
  t.equal(stats(one).entries, 1, 'the least recently used entry made room');
  // The byte budget bounds it too: room for either article (body and ~200 bytes of
  // bookkeeping), never both, whichever of the two is longer.
  const [bx, by] = await Promise.all(
    [x, y].map(async ({ id }) => Buffer.byteLength((await one.req('GET', `/v1/articles/${id}`)).body)),
  );
  const small = await buildTestApp(
    t,
    { RESPONSE_CACHE_MAX_BYTES: String(Math.max(bx!, by!) + 200 + Math.floor(Math.min(bx!, by!) / 2)) },
    { database: a.database, keys: false },
  );
  await settled(small);
  await small.req('GET', `/v1/articles/${x.id}`);
  t.equal(stats(small).entries, 1, 'one body fits the bytes');
  await small.req('GET', `/v1/articles/${y.id}`);
  t.equal(stats(small).entries, 1, 'a second one makes the first leave');
  const hits = stats(small).hits;
  await small.req('GET', `/v1/articles/${y.id}`);
  t.equal(stats(small).hits, hits + 1, 'and is kept');
  t.equal(off.app.responseCache.enabled, false);
  for (let i = 0; i < 2; i++) {
    a.resetQueries();
    t.equal((await off.req('GET', `/v1/articles/${x.id}`)).statusCode, 200);
    t.not(a.queries.length, 0, 'every read goes to the database');
  }
});

t.test('its bodies stay within the byte budget, each served whole after the space is reused', async (t) => {
  // Two segments of 1 MiB; each article's page is ~200 KB, so sixteen of them wrap the ring.
  const budget = 2 * 1024 * 1024;
  const big = await buildTestApp(
    t,
    { RESPONSE_CACHE_MAX_BYTES: String(budget) },
    { database: a.database, keys: false },
  );
  const letters = 'abcdefghijklmnop';
  const made: { id: string }[] = [];
  for (const letter of letters) {
    const paragraph = { type: 'paragraph', text: `${letter.repeat(19_999)}’` };
    made.push(await article({ body: Array.from({ length: 10 }, () => paragraph) }));
  }
  await settled(big);
  const read = async (i: number) => {
    const res = await big.req('GET', `/v1/articles/${made[i]!.id}`);
    t.equal(res.statusCode, 200);
    const got = res.json();
    if (got.id !== made[i]!.id || got.body[9].text !== `${letters[i]!.repeat(19_999)}’`)
      t.fail(`article ${i} came back as another's bytes`);
  };
  const before = stats(big);
  for (let round = 0; round < 3; round++) {
    for (let i = 1; i < made.length; i++) {
      await read(i);
      await read(0); // read again and again: it is kept while the others come and go
    }
  }
  const after = stats(big);
  t.ok(after.stores - before.stores > made.length, 'the ring turned over: evicted pages were stored again');
  t.ok(after.bytes <= budget, `bodies in ${after.bytes} bytes, within ${budget}`);
  t.ok(after.hits - before.hits >= 3 * (made.length - 1) - 2, 'the page read every time stayed');
  await new Promise((r) => setImmediate(r));
  t.equal(stats(big).sending, 0, 'no response holds a segment once it is sent');
});

t.test(
  'a client that does not read keeps the segment it is sent from pinned until it has read',
  async (t) => {
    // Real sockets: the cache's own hit and store paths must pin what they send. Loopback buffers
    // a few MB for a client that does not read, so it is sent more than that, pipelined.
    const slow = await buildTestApp(
      t,
      { RESPONSE_CACHE_MAX_BYTES: String(2 * 1024 * 1024) },
      { database: a.database, keys: false },
    );
    const paragraph = { type: 'paragraph', text: `${'z'.repeat(19_999)}’` };
    const x = await article({ body: Array.from({ length: 10 }, () => paragraph) });
    await settled(slow);
    const path = `/v1/articles/${x.id}`;
    t.equal((await slow.req('GET', path)).statusCode, 200);
    t.equal(stats(slow).entries, 1, 'kept: the requests below are hits');
    await slow.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = slow.app.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.pause();
    const requests = 40; // ~8 MB of ~200 KB answers
    socket.write(`GET ${path} HTTP/1.1\r\nhost: kopij\r\n\r\n`.repeat(requests));
    const until = async (what: () => boolean) => {
      for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
      return what();
    };
    t.ok(
      await until(() => stats(slow).sending > 0),
      'answers waiting for the client pin the segment they are written from',
    );
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.resume();
    t.ok(await until(() => received > requests * 200_000), 'the client reads every answer');
    t.ok(await until(() => stats(slow).sending === 0), 'all released once the client has read');
    socket.destroy();
  },
);

if (serverUrl) {
  t.test('a listener that loses its connection: bypassed, then emptied and listening again', async (t) => {
    const x = await article();
    const url = `/v1/articles/${x.id}`;
    await b.req('GET', url);
    const up = await dropListener(b);
    // Whether B is still reconnecting or already back, what it missed is never served.
    await patch(url, x.version, { headline: 'Geschreven terwijl B niet luisterde' });
    t.equal((await b.req('GET', url)).json().headline, 'Geschreven terwijl B niet luisterde');
    await up;
    t.equal(b.app.responseCache.listening, true);
    t.equal(
      (await b.req('GET', url)).json().headline,
      'Geschreven terwijl B niet luisterde',
      'nothing from before the loss survives it',
    );
    const hits = stats(b).hits;
    await b.req('GET', url);
    t.equal(stats(b).hits, hits + 1, 'caching again');
    const notified = heard(b, 'article', x.id);
    await patch(url, x.version + 1, { headline: 'Na het herstel' });
    await notified;
    t.equal((await b.req('GET', url)).json().headline, 'Na het herstel', 'and invalidated again');
  });
}

t.test('a client error on a cached route is its problem, never kept', async (t) => {
  await settled();
  const stores = stats(b).stores;
  for (const url of ['/v1/articles?limit=abc', '/v1/articles?limit=abc', '/v1/articles?sort=relevance']) {
    const res = await b.req('GET', url);
    t.equal(res.statusCode, 400, url);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.match(res.json(), { status: 400, errors: [{ path: /^query\./ }] });
  }
  t.equal(stats(b).stores, stores, 'nothing kept');
});

t.test('a page is kept only when asked again before a kept copy would have expired', async (t) => {
  // An embargo ending in a moment: pages may live LIST_CACHE_TTL_MS at most, and only a URL
  // asked within that time is a repeat.
  const ends = new Date(Date.now() + 300).toISOString();
  await post(`/v1/articles/${(await article({ embargoedUntil: ends }, false)).id}/publish`);
  await releaseReadAgain();
  const url = '/v1/articles?limit=2&language=nl&sort=-updatedAt';
  await b.req('GET', url);
  await new Promise((r) => setTimeout(r, LIST_CACHE_TTL_MS + 200));
  const stores = stats(b).stores;
  await b.req('GET', url);
  t.equal(stats(b).stores, stores, 'asked again after the TTL: a copy would never have been read');
  await b.req('GET', url);
  t.equal(stats(b).stores, stores + 1, 'asked again within it: kept');
  const hits = stats(b).hits;
  await b.req('GET', url);
  t.equal(stats(b).hits, hits + 1, 'and read');
});

t.test('with no release due sooner, a page asked again after LIST_CACHE_TTL_MS is a repeat', async (t) => {
  await noReleaseDue();
  await article({ tags: ['archief-herhaald'] });
  await releaseReadAgain();
  const url = '/v1/articles?tag=archief-herhaald&limit=5';
  await b.req('GET', url);
  await new Promise((r) => setTimeout(r, LIST_CACHE_TTL_MS + 300));
  const stores = stats(b).stores;
  await b.req('GET', url);
  t.equal(stats(b).stores, stores + 1, 'kept: a copy kept the first time would still have been read');
  a.resetQueries();
  await b.req('GET', url);
  t.same(a.queries, [], 'and read');
});

t.test(
  'pages of articles, with and without q, are cached with their Link and dropped by any article change',
  async (t) => {
    await article({ headline: 'Eerste stuk over de coalitieonderhandelingen', tags: ['lijst'] });
    await article({ headline: 'Tweede stuk over de coalitieonderhandelingen', tags: ['lijst'] });
    for (const url of [
      '/v1/articles?limit=1&tag=lijst',
      '/v1/articles?q=coalitieonderhandelingen&tag=lijst&limit=1',
    ]) {
      await settled();
      const first = await b.req('GET', url);
      const stores = stats(b).stores;
      const miss = await b.req('GET', url);
      t.equal(stats(b).stores, stores + 1, 'a page is kept once it is asked again, not the first time');
      t.equal(miss.body, first.body);
      t.equal(miss.statusCode, 200, url);
      t.match(String(miss.headers.link), /rel="next"/, 'a next page');
      a.resetQueries();
      const hit = await b.req('GET', url);
      t.same(a.queries, [], `${url}: no statement for a hit`);
      t.equal(hit.body, miss.body, 'byte for byte');
      t.same(stable(hit), stable(miss), 'same headers, Link among them');

      const notified = b.app.responseCache.next('change', (p) => p.startsWith('article:'));
      const x = await article({ headline: 'Derde stuk over de coalitieonderhandelingen', tags: ['lijst'] });
      await notified;
      await settled();
      const after = await b.req('GET', url);
      t.not(a.queries.length, 0);
      t.equal(after.json().data[0].id, x.id, `${url}: the new article heads the page once B heard of it`);
    }
    // Keyed callers see drafts in lists: never from, never into the shared cache.
    const draft = await article({ headline: 'Concept over de coalitieonderhandelingen' }, false);
    await settled();
    const before = stats(b);
    for (let i = 0; i < 2; i++) {
      const res = await b.req('GET', '/v1/articles?status=draft&limit=1', { as: 'preview' });
      t.equal(res.json().data[0].id, draft.id);
      t.equal(res.headers['cache-control'], 'private, no-store');
    }
    t.same(stats(b), { ...before, entries: stats(b).entries }, 'no hit, miss or store');
  },
);

t.test('feeds and ninjs are cached and dropped by what they show', async (t) => {
  const person = await post('/v1/people', { name: 'Caroline van der Plas' });
  const x = await article({ personIds: [person.id], tags: ['feeds-cache'] });
  for (const url of ['/v1/feeds/articles.atom?tag=feeds-cache', '/v1/feeds/articles.json?tag=feeds-cache']) {
    await settled();
    await b.req('GET', url);
    const miss = await b.req('GET', url);
    a.resetQueries();
    const hit = await b.req('GET', url);
    t.same(a.queries, [], `${url}: no statement for a hit`);
    t.equal(hit.body, miss.body, 'byte for byte');
    t.same(stable(hit), stable(miss), 'same headers');
    const y = await article({ tags: ['feeds-cache'] });
    await settled();
    t.match(
      (await b.req('GET', url)).body,
      y.id,
      `${url}: the new article is in the feed once B heard of it`,
    );
  }
  const url = `/v1/articles/${x.id}/ninjs`;
  await settled();
  const first = await b.req('GET', url);
  t.match(first.json().people, [{ name: 'Caroline van der Plas' }]);
  a.resetQueries();
  const hit = await b.req('GET', url);
  t.same(a.queries, [], 'ninjs: no statement for a hit');
  t.equal(hit.body, first.body);
  const renamed = heard(b, 'person', person.id);
  await patch(`/v1/people/${person.id}`, person.version, { name: 'Caroline van der Plas (BBB)' });
  await renamed;
  t.match(
    (await b.req('GET', url)).json().people,
    [{ name: 'Caroline van der Plas (BBB)' }],
    'a person renamed',
  );
});

t.test('a list page lives until the next embargo ends, which needs no write to happen', async (t) => {
  // No embargo worker runs in these apps: at its end an embargo is released by no write, so
  // no notification says the page changed. The page must not outlive the embargo all the same.
  const ends = Date.now() + 2500;
  const x = await post(
    `/v1/articles/${(await article({ embargoedUntil: new Date(ends).toISOString() }, false)).id}/publish`,
  );
  const url = `/v1/articles?tag=ttl-${x.id}`;
  await a.database.db.execute(
    sql`update articles set tags = ${JSON.stringify([`ttl-${x.id}`])}::jsonb where id = ${x.id}`,
  );
  await releaseReadAgain();
  t.same((await b.req('GET', url)).json().data, [], 'hidden while embargoed');
  await b.req('GET', url);
  a.resetQueries();
  t.same((await b.req('GET', url)).json().data, []);
  t.same(a.queries, [], 'and cached');
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, ends - Date.now()) + 50));
  t.same(
    (await b.req('GET', url)).json().data.map((r: { id: string }) => r.id),
    [x.id],
    'shown once the embargo has ended',
  );
});

t.test('with no embargo ending sooner, a list page lives longer than LIST_CACHE_TTL_MS', async (t) => {
  await noReleaseDue();
  const x = await article({ tags: ['lang-leven'] });
  const url = `/v1/articles?tag=lang-leven&limit=3`;
  await releaseReadAgain();
  await b.req('GET', url);
  await b.req('GET', url);
  await new Promise((r) => setTimeout(r, LIST_CACHE_TTL_MS + 300));
  a.resetQueries();
  const res = await b.req('GET', url);
  t.same(
    res.json().data.map((r: { id: string }) => r.id),
    [x.id],
  );
  t.same(a.queries, [], 'still cached after LIST_CACHE_TTL_MS');
  // Any article change still drops it at once.
  const notified = heard(b, 'article', x.id);
  await patch(`/v1/articles/${x.id}`, x.version, { headline: 'Langer leven, opnieuw' });
  await notified;
  a.resetQueries();
  await b.req('GET', url);
  t.not(a.queries.length, 0, 'dropped by the change');
});

t.test("a person's article list is dropped when the person changes", async (t) => {
  const person = await post('/v1/people', { name: 'Dick Schoof' });
  await article({ personIds: [person.id] });
  const url = `/v1/people/${person.slug}/articles`;
  t.equal((await b.req('GET', url)).json().data.length, 1);
  const notified = heard(b, 'person', person.id);
  await patch(`/v1/people/${person.id}`, person.version, { slug: `${person.slug}-2` });
  await notified;
  t.equal((await b.req('GET', url)).statusCode, 404, 'the old slug names nobody now');
});

t.test(
  'a list filtered by a place or a person is dropped when a place moves or a slug changes',
  async (t) => {
    await noReleaseDue();
    const region = await post('/v1/places', { name: 'Regio Twente', kind: 'region' });
    const village = await post('/v1/places', { name: 'Lattrop', kind: 'city' });
    const person = await post('/v1/people', { name: 'Ilse Bakker' });
    await article({ placeIds: [village.id], personIds: [person.id] });
    await releaseReadAgain();
    const byPlace = `/v1/articles?place=${region.slug}`;
    const bySlug = `/v1/articles?person=${person.slug}`;
    for (const url of [byPlace, bySlug]) for (let i = 0; i < 2; i++) await b.req('GET', url);
    t.equal((await b.req('GET', byPlace)).json().data.length, 0, 'nothing about the region yet');
    t.equal((await b.req('GET', bySlug)).json().data.length, 1);
    const hits = stats(b).hits;
    await b.req('GET', byPlace);
    await b.req('GET', bySlug);
    t.equal(stats(b).hits, hits + 2, 'both pages kept');

    const moved = heard(b, 'place', village.id);
    await patch(`/v1/places/${village.id}`, village.version, { parentId: region.id });
    await moved;
    t.equal((await b.req('GET', byPlace)).json().data.length, 1, 'the village now lies in the region');
    const renamed = heard(b, 'person', person.id);
    const other = await post('/v1/people', { name: 'Ilse Bakker-de Wit' });
    await patch(`/v1/people/${person.id}`, person.version, { slug: `${person.slug}-oud` });
    await patch(`/v1/people/${other.id}`, other.version, { slug: person.slug });
    await renamed;
    await settled();
    t.equal((await b.req('GET', bySlug)).json().data.length, 0, 'the slug names someone else now');
  },
);

t.test('concurrent writers on one instance each read their own write back at once', async (t) => {
  const xs = await Promise.all(Array.from({ length: 12 }, () => article()));
  await settled();
  for (const x of xs) await a.req('GET', `/v1/articles/${x.id}`);
  // Twelve writes at once share the listener's round trips; none may be acknowledged before
  // its own notification has dropped what it changed.
  const reads = await Promise.all(
    xs.map(async (x, i) => {
      await patch(`/v1/articles/${x.id}`, x.version, { headline: `Gelijktijdig ${i}` });
      return (await a.req('GET', `/v1/articles/${x.id}`)).json().headline;
    }),
  );
  t.same(
    reads,
    xs.map((_, i) => `Gelijktijdig ${i}`),
  );
});
