import { sql } from 'drizzle-orm';
import t from 'tap';
import { apiTimestamp } from '../../src/resources/articles/repository.js';
import { buildTestApp } from '../helpers/app.js';
import { serverUrl } from '../helpers/database.js';

/**
 * The list page and the article read take their rows from the driver and map them by hand
 * (articleRowFromDriver); searches and relation lists through drizzle. Every column must reach
 * the API as stored by either path, each timestamp from its own column: here no two are equal.
 */
const ctx = await buildTestApp(t);
const { req, post } = ctx;

const person = await post('/v1/people', { name: 'Dilan Yeşilgöz' });
const place = await post('/v1/places', { name: 'Den Haag', kind: 'city' });
const written = {
  language: 'nl',
  headline: 'Kabinet valt over asielbeleid',
  standfirst: 'De coalitie is het niet eens geworden.',
  body: [
    { type: 'paragraph', text: 'Het kabinet is gevallen.' },
    { type: 'heading', text: 'Reacties' },
  ],
  byline: 'Redactie Binnenland',
  credit: 'ANP',
  tags: ['politiek', 'kabinet'],
  canonicalUrl: 'https://example.nl/kabinet-valt',
  personIds: [person.id],
  placeIds: [place.id],
};
const created = await post('/v1/articles', written);
const published = await req('POST', `/v1/articles/${created.id}/publish`, { as: 'write' });
if (published.statusCode !== 200) throw new Error(`publish: ${published.body}`);

const stored = {
  publishedAt: '2024-07-01T10:00:00.123Z', // stored with microseconds: see below
  firstPublishedAt: '2024-06-30T09:00:00.000Z',
  embargoedUntil: '2024-06-30T08:00:00.500Z',
  createdAt: '2024-06-29T07:00:00.000Z',
  updatedAt: '2024-07-02T11:30:00.250Z',
};
await ctx.database.db.execute(sql`update articles set
  published_at = '2024-07-01T10:00:00.123987Z'::timestamptz,
  first_published_at = ${stored.firstPublishedAt}::timestamptz,
  embargoed_until = ${stored.embargoedUntil}::timestamptz,
  created_at = ${stored.createdAt}::timestamptz,
  updated_at = ${stored.updatedAt}::timestamptz
  where id = ${created.id}`);

t.test('the item read and the list page show every column as stored', async (t) => {
  const item = (await req('GET', `/v1/articles/${created.id}`)).json();
  t.match(item, {
    ...written,
    ...stored,
    id: created.id,
    slug: created.slug,
    status: 'published',
    version: created.version + 1,
  });
  const list = (await req('GET', '/v1/articles?tag=kabinet&limit=5')).json();
  t.same(list.data, [item], 'the list shows it as the read does');
  // Searches and relation lists still go through drizzle's own mapping: the same article.
  const searched = (await req('GET', '/v1/articles?q=kabinet&sort=-publishedAt')).json();
  t.same(searched.data, [item], 'a search (drizzle-mapped) shows it the same');
  const related = (await req('GET', `/v1/people/${person.slug}/articles`)).json();
  t.same(related.data, [item], "a person's list (drizzle-mapped) too");
  const included = (await req('GET', `/v1/articles/${created.id}?include=people,places`)).json();
  t.match(included, { people: [{ id: person.id }], places: [{ id: place.id }] });
  const listed = (await req('GET', '/v1/articles?tag=kabinet&include=people,places')).json();
  t.same(listed.data, [included], 'includes too');
});

t.test("a list's timestamps, rewritten from PostgreSQL's text, are what Date would write", async (t) => {
  let differ = 0;
  for (let i = 0; i < 20_000; i++) {
    const at = new Date((Math.floor(Math.random() * 6e9) - 2e9) * 1000); // 1906 to 2096, whole seconds
    const micros = String(Math.floor(Math.random() * 1e6))
      .padStart(6, '0')
      .replace(/0+$/, '');
    const text = `${at.toISOString().slice(0, 19).replace('T', ' ')}${micros ? `.${micros}` : ''}+00`;
    if (apiTimestamp(text) !== new Date(text).toISOString()) differ++;
  }
  t.equal(differ, 0, 'random instants, 0 to 6 digits of fraction');
  // Other forms go through Date: a session in another time zone, years outside 4 digits.
  t.equal(apiTimestamp('2024-07-01 12:00:00.5+02'), '2024-07-01T10:00:00.500Z');
  t.equal(apiTimestamp('2024-07-01 15:30:00+05:30'), '2024-07-01T10:00:00.000Z');
  t.equal(apiTimestamp('0999-01-01 00:00:00+00'), '0999-01-01T00:00:00.000Z');
  t.equal(apiTimestamp('12024-07-01 10:00:00+00'), '+012024-07-01T10:00:00.000Z');
});

t.test('instants a client gives to store are in the years 1000 to 9999 (UTC)', async (t) => {
  const draft = await post('/v1/articles', { language: 'nl', headline: 'Uit het archief' });
  const patch = (embargoedUntil: string) =>
    req('PATCH', `/v1/articles/${draft.id}`, {
      as: 'write',
      body: { embargoedUntil },
      headers: { 'if-match': '*' },
    });
  for (const at of ['0050-01-01T00:00:00Z', '0999-12-31T23:59:59Z', '9999-12-31T23:30:00-01:00']) {
    const res = await patch(at);
    t.equal(res.statusCode, 400, at);
    t.match(res.json(), { errors: [{ path: 'body.embargoedUntil', message: /years 1000 to 9999/ }] });
  }
  const publish = await req('POST', `/v1/articles/${draft.id}/publish`, {
    as: 'write',
    body: { publishedAt: '0024-05-07T10:00:00Z' },
  });
  t.equal(publish.statusCode, 400, 'a typo for 2024');
  t.match(publish.json(), { errors: [{ path: 'body.publishedAt' }] });
  const archived = await req('POST', `/v1/articles/${draft.id}/publish`, {
    as: 'write',
    body: { publishedAt: '1000-01-01T00:00:00Z' },
  });
  t.equal(archived.statusCode, 200);
  t.equal(archived.json().publishedAt, '1000-01-01T00:00:00.000Z');
  const listed = (await req('GET', '/v1/articles?publishedBefore=1000-01-02T00:00:00Z')).json();
  t.same(
    listed.data.map((a: { publishedAt: string }) => a.publishedAt),
    ['1000-01-01T00:00:00.000Z'],
    'and comes back as sent, read and listed',
  );
});

t.test('an instant stored before the bound still reads, and lists, as stored', async (t) => {
  // Written before the schema bounded what a client may set: responses still carry it.
  const old = await post('/v1/articles', { language: 'nl', headline: 'Een oude datum' });
  await ctx.database.db.execute(
    sql`update articles set embargoed_until = '0500-06-01T00:00:00Z', tags = '["oude-datum"]' where id = ${old.id}`,
  );
  const item = await req('GET', `/v1/articles/${old.id}`, { as: 'preview' });
  t.equal(item.statusCode, 200);
  t.equal(item.json().embargoedUntil, '0500-06-01T00:00:00.000Z');
  const listed = await req('GET', '/v1/articles?tag=oude-datum', { as: 'preview' });
  t.equal(listed.statusCode, 200);
  t.equal(listed.json().data[0].embargoedUntil, '0500-06-01T00:00:00.000Z');
});

t.test('the database session answers in UTC, whatever the server’s zone', async (t) => {
  const result = (await ctx.database.db.execute(sql`select now()::text as now`)) as unknown as {
    rows: { now: string }[];
  };
  t.match(result.rows[0]!.now, /\+00$/);
  if (serverUrl) {
    // Set by the pool itself, not left to the server's own zone (Etc/UTC here, anything elsewhere).
    const zone = (await ctx.database.db.execute(
      sql`select current_setting('TimeZone') as zone`,
    )) as unknown as {
      rows: { zone: string }[];
    };
    t.equal(zone.rows[0]!.zone, 'UTC');
  }
});
