import t from 'tap';
import { seed } from '../../src/cli/seed.js';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req, post } = ctx;

const article = (body: Record<string, unknown> = {}) =>
  post('/v1/articles', {
    language: 'nl',
    headline: 'Kort nieuws',
    body: [{ type: 'paragraph', text: 'Tekst.' }],
    ...body,
  });
const publish = (id: string) => req('POST', `/v1/articles/${id}/publish`, { as: 'write' });

const { article: slug } = await seed(ctx.app);
type Thing = { '@type': string; name: string; sameAs?: string[]; geo?: unknown; address?: unknown };

t.test('the seeded article as a schema.org NewsArticle', async (t) => {
  const a = (await req('GET', `/v1/articles/${slug}`)).json();
  const res = await req('GET', `/v1/articles/${slug}/jsonld`);
  t.equal(res.statusCode, 200, res.body);
  t.match(res.headers['content-type'], /^application\/ld\+json/);
  t.equal(res.headers['cache-control'], 'public, max-age=60');
  const ld = res.json();
  t.match(ld, {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    '@id': `urn:kopij:article:${a.id}`,
    url: 'https://nieuws.example/buitenland/zelensky-onderhandelingen',
    headline: 'Zelensky: „Alleen onderhandelingen kunnen deze oorlog beëindigen”',
    description: a.standfirst,
    inLanguage: 'nl',
    datePublished: '2022-04-23T17:45:00.000Z',
    dateModified: a.updatedAt,
    creativeWorkStatus: 'Published',
    keywords: ['oorlog in Oekraïne', 'diplomatie'],
    author: { '@type': 'Organization', name: 'AFP' },
    sourceOrganization: { '@type': 'Organization', name: 'AFP' },
  });
  t.ok(ld.articleBody.startsWith('De Oekraïense president Volodymyr Zelensky heeft zaterdag'));
  t.ok(ld.articleBody.includes('\n\n‘Wij geven geen grondgebied op’\n\n'), 'headings as their own paragraph');
  t.ok(ld.articleBody.includes('de [zuidelijke] regio, zijn wij bereid te praten. — Volodymyr Zelensky'));
  t.notOk(ld.articleBody.includes('<'), 'plain text, no markup');

  const about = new Map<string, Thing>(ld.about.map((x: Thing) => [x.name, x]));
  const mentions = new Map<string, Thing>(ld.mentions.map((x: Thing) => [x.name, x]));
  t.same([...about.keys()].sort(), ['Kiev', 'Volodymyr Zelensky'], 'what the headline and standfirst name');
  t.equal(about.size + mentions.size, 6 + 8);
  t.same(about.get('Volodymyr Zelensky'), {
    '@type': 'Person',
    name: 'Volodymyr Zelensky',
    description: 'President van Oekraïne',
    sameAs: ['https://www.wikidata.org/wiki/Q3874799'],
  });
  t.same(about.get('Kiev'), {
    '@type': 'Place',
    name: 'Kiev',
    sameAs: ['https://www.wikidata.org/wiki/Q1899', 'https://sws.geonames.org/703448/'],
    geo: { '@type': 'GeoCoordinates', latitude: 50.4501, longitude: 30.5234 },
    address: { '@type': 'PostalAddress', addressCountry: 'UA' },
  });
  t.same(mentions.get('Marioepol')?.geo, {
    '@type': 'GeoCoordinates',
    latitude: 47.0971,
    longitude: 37.5434,
  });
  t.notOk(mentions.get('Marioepol')?.sameAs, 'no ids, no sameAs');
  t.same(mentions.get('Vladimir Poetin')?.sameAs, ['https://www.wikidata.org/wiki/Q7747']);
  t.notOk(mentions.get('Lloyd Austin')?.sameAs);

  const again = await req('GET', `/v1/articles/${a.id}/jsonld`, {
    headers: { 'if-none-match': res.headers.etag as string },
  });
  t.equal(again.statusCode, 304);
});

t.test('a byline is the author; the agency stays the source', async (t) => {
  const a = await article({ byline: 'Anna de Vries', credit: 'ANP' });
  await publish(a.id);
  const ld = (await req('GET', `/v1/articles/${a.id}/jsonld`)).json();
  t.same(ld.author, { '@type': 'Person', name: 'Anna de Vries' });
  t.same(ld.sourceOrganization, { '@type': 'Organization', name: 'ANP' });

  const plain = await article();
  await publish(plain.id);
  const noCredit = (await req('GET', `/v1/articles/${plain.id}/jsonld`)).json();
  t.notOk('author' in noCredit);
  t.notOk('sourceOrganization' in noCredit);
  t.notOk('description' in noCredit);
});

t.test('headlines and body text stay text in the JSON', async (t) => {
  const a = await article({
    headline: '<script>alert(1)</script> & co',
    body: [{ type: 'paragraph', text: '</script><b>vet</b> &amp;' }],
  });
  await publish(a.id);
  const res = await req('GET', `/v1/articles/${a.id}/jsonld`);
  t.equal(res.json().headline, '<script>alert(1)</script> & co');
  t.equal(res.json().articleBody, '</script><b>vet</b> &amp;');
  t.notMatch(res.body, /[<>&]/, 'safe to paste into a <script> element: JSON escapes only');
  t.ok(res.body.includes('\\u003c/script\\u003e'));
});

t.test('visible exactly when the article is', async (t) => {
  const draft = await article({ headline: 'Concept' });
  const withdrawn = await article({ headline: 'Ingetrokken' });
  await publish(withdrawn.id);
  await req('POST', `/v1/articles/${withdrawn.id}/withdraw`, { as: 'write' });
  const embargoed = await article({
    headline: 'Embargo',
    embargoedUntil: new Date(Date.now() + 3600e3).toISOString(),
  });
  await publish(embargoed.id);

  for (const as of [undefined, 'read', 'embargo'] as const) {
    const who = as ?? 'anonymous';
    t.equal((await req('GET', `/v1/articles/${draft.id}/jsonld`, as ? { as } : {})).statusCode, 404, who);
    const killed = await req('GET', `/v1/articles/${withdrawn.slug}/jsonld`, as ? { as } : {});
    t.equal(killed.statusCode, 404, `${who}: withdrawn is gone (ninjs alone carries the kill notice)`);
  }
  for (const as of [undefined, 'read'] as const)
    t.equal((await req('GET', `/v1/articles/${embargoed.id}/jsonld`, as ? { as } : {})).statusCode, 404);
  const partner = await req('GET', `/v1/articles/${embargoed.id}/jsonld`, { as: 'embargo' });
  t.equal(partner.statusCode, 200);
  t.equal(partner.headers['cache-control'], 'private, no-store');

  const editorDraft = (await req('GET', `/v1/articles/${draft.id}/jsonld`, { as: 'preview' })).json();
  t.equal(editorDraft.creativeWorkStatus, 'Draft');
  t.notOk('datePublished' in editorDraft, 'never published');
  const editorKilled = (await req('GET', `/v1/articles/${withdrawn.id}/jsonld`, { as: 'preview' })).json();
  t.equal(editorKilled.creativeWorkStatus, 'Withdrawn');
  t.equal((await req('GET', '/v1/articles/niet-bestaand/jsonld')).statusCode, 404);
});
