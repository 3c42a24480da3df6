import { randomUUID } from 'node:crypto';
import t from 'tap';
import { buildTestApp, type TestContext } from '../helpers/app.js';

/**
 * The canary sweep (SECURITY-CASES row 1): hidden content carries unique markers; every GET
 * route is crawled with every include, filter and sort as anonymous, read and partner
 * callers; no marker may ever appear in a body or a header.
 */
const ctx = await buildTestApp(t);
const { req } = ctx;

const hidden = `CANARY-${randomUUID()}`; // drafts, withdrawn, deleted, history: nobody but editors
const embargoed = `CANARYEMB-${randomUUID()}`; // embargoed: partners (embargo scope) may see it
const sentinel = `SENTINEL-${randomUUID()}`; // key names, webhook URLs: admins only

async function create(path: string, body: Record<string, unknown>, as: keyof TestContext['keys'] = 'write') {
  const res = await req('POST', path, { as, body });
  if (res.statusCode !== 201) throw new Error(`${path}: ${res.body}`);
  return res.json();
}
const article = (headline: string, extra: Record<string, unknown> = {}) => ({
  language: 'nl',
  headline,
  body: [{ type: 'paragraph', text: `${headline} tekst` }],
  tags: [headline.toLowerCase()],
  personIds: [],
  placeIds: [],
  ...extra,
});
const publish = (id: string, body?: unknown) =>
  req('POST', `/v1/articles/${id}/publish`, { as: 'write', body });

const person = await create('/v1/people', { name: 'Volodymyr Zelensky' });
const place = await create('/v1/places', { name: 'Kiev', kind: 'city' });
const open = await create(
  '/v1/articles',
  article('Openbaar artikel', { personIds: [person.id], placeIds: [place.id] }),
);
await publish(open.id);
await create('/v1/quotes', {
  text: 'Openbaar citaat',
  language: 'nl',
  personId: person.id,
  articleId: open.id,
});

const draft = await create(
  '/v1/articles',
  article(`Concept ${hidden}`, { personIds: [person.id], placeIds: [place.id] }),
);
await create('/v1/quotes', {
  text: `Citaat ${hidden}`,
  language: 'nl',
  personId: person.id,
  articleId: draft.id,
});

const withdrawn = await create('/v1/articles', article(`Ingetrokken ${hidden}`, { personIds: [person.id] }));
await publish(withdrawn.id);
await req('POST', `/v1/articles/${withdrawn.id}/withdraw`, { as: 'write' });
await create('/v1/quotes', {
  text: `Ingetrokken citaat ${hidden}`,
  language: 'nl',
  personId: person.id,
  articleId: withdrawn.id,
});

// A published article whose earlier draft version carried the canary: only history has it.
const corrected = await create('/v1/articles', article(`Eerste versie ${hidden}`, { placeIds: [place.id] }));
await req('PATCH', `/v1/articles/${corrected.id}`, {
  as: 'write',
  body: { headline: 'Gecorrigeerde versie', body: [{ type: 'paragraph', text: 'schoon' }], tags: ['schoon'] },
  headers: { 'if-match': '"1"' },
});
await publish(corrected.id);

const deleted = await create('/v1/articles', article(`Verwijderd ${hidden}`));
await publish(deleted.id);
await req('DELETE', `/v1/articles/${deleted.id}`, { as: 'write', headers: { 'if-match': '"2"' } });

const embargo = await create(
  '/v1/articles',
  article(`Embargo ${embargoed}`, {
    embargoedUntil: new Date(Date.now() + 3600e3).toISOString(),
    personIds: [person.id],
  }),
);
await publish(embargo.id);

await create('/v1/keys', { name: `Partner ${sentinel}`, scopes: ['read'] }, 'admin');

const refs = [open, draft, withdrawn, corrected, deleted, embargo].flatMap((a) => [a.id, a.slug]);
const quoteIds = (await req('GET', '/v1/quotes?limit=100', { as: 'preview' }))
  .json()
  .data.map((q: { id: string }) => q.id);
// Every include joins in the full set; the single-relation forms are subsets of it.
const includes = ['', 'people,places,quotes'];
const queries = [
  '',
  'sort=-updatedAt',
  `q=${hidden}`,
  `q=${embargoed}`,
  'q=Concept',
  `tag=${hidden.toLowerCase()}`,
  `person=${person.slug}`,
  `place=${place.slug}`,
  'status=draft',
  'status=withdrawn',
  'limit=1',
];

function urlsFor(path: string): string[] {
  const expand = (p: string): string[] => {
    if (p.includes('{ref}')) {
      const subject = p.startsWith('/v1/people')
        ? [person.id, person.slug]
        : p.startsWith('/v1/places')
          ? [place.id, place.slug]
          : p.startsWith('/v1/quotes')
            ? quoteIds
            : refs;
      return subject.flatMap((r: string) => expand(p.replace('{ref}', r)));
    }
    if (p.includes('{version}')) return [1, 2, 3].flatMap((v) => expand(p.replace('{version}', String(v))));
    if (p.includes('{id}')) return [expand(p.replace('{id}', randomUUID()))].flat();
    return [p];
  };
  const bases = expand(path);
  const isList = !path.includes('{') || /\/(articles|quotes)$/.test(path);
  if (!isList) return bases.flatMap((b) => includes.map((i) => (i ? `${b}?include=${i}` : b)));
  return bases.flatMap((b) =>
    queries.flatMap((q) => includes.map((i) => `${b}?${[q, i && `include=${i}`].filter(Boolean).join('&')}`)),
  );
}

t.test('no marker reaches anonymous, read or partner callers on any GET', async (t) => {
  const doc = ctx.app.swagger() as unknown as { paths: Record<string, Record<string, unknown>> };
  const paths = Object.entries(doc.paths)
    .filter(([, ops]) => 'get' in ops)
    .map(([p]) => p);
  t.ok(paths.length >= 20, `${paths.length} GET routes to crawl`);
  let requests = 0;
  const leaks: string[] = [];
  for (const path of paths) {
    for (const url of urlsFor(path)) {
      // A read key sees what anonymous callers see; it is crawled on the plain URLs only.
      const callers = url.includes('?')
        ? ([undefined, 'embargo'] as const)
        : ([undefined, 'read', 'embargo'] as const);
      for (const as of callers) {
        const res = await req('GET', url, as ? { as } : {});
        requests++;
        const seen = `${JSON.stringify(res.headers)}\n${res.body}`;
        if (res.statusCode >= 500) leaks.push(`${res.statusCode} ${as ?? 'anonymous'} ${url}`);
        if (seen.includes(hidden) || seen.includes(sentinel))
          leaks.push(`hidden marker: ${as ?? 'anonymous'} ${url}`);
        if (as !== 'embargo' && seen.includes(embargoed))
          leaks.push(`embargo marker: ${as ?? 'anonymous'} ${url}`);
      }
    }
  }
  t.same(leaks, [], `${requests} requests, no leak and no 5xx`);
});

t.test('a hidden article is a 404 byte-identical to a random id (row 2)', async (t) => {
  const strip = (body: string) => body.replace(/"requestId":"[^"]+"/, '');
  for (const as of [undefined, 'read', 'embargo'] as const) {
    const hiddenRes = await req('GET', `/v1/articles/${draft.id}`, as ? { as } : {});
    const randomRes = await req('GET', `/v1/articles/${randomUUID()}`, as ? { as } : {});
    t.equal(hiddenRes.statusCode, 404);
    t.equal(strip(hiddenRes.body), strip(randomRes.body));
    t.same(Object.keys(hiddenRes.headers).sort(), Object.keys(randomRes.headers).sort(), 'same headers, too');
  }
});

t.test('lists count published content only', async (t) => {
  const anon = (await req('GET', '/v1/articles?limit=100')).json().data;
  t.same(anon.map((a: { id: string }) => a.id).sort(), [open.id, corrected.id].sort());
  const partner = (await req('GET', '/v1/articles?limit=100', { as: 'embargo' })).json().data;
  t.equal(partner.length, 3, 'partners also see the embargoed article');
  const editors = (await req('GET', '/v1/articles?limit=100', { as: 'preview' })).json().data;
  t.equal(editors.length, 5, 'editors see drafts and withdrawn too (not the deleted one)');
});
