import fc from 'fast-check';
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

/**
 * A partner that replays the public change log from the start into an empty store ends
 * with exactly the public catalogue, whatever the editors did (issue 5, item 1).
 */
const ctx = await buildTestApp(t);
const { req } = ctx;

type Op =
  | { op: 'createArticle' }
  | { op: 'patchArticle'; i: number }
  | { op: 'publish'; i: number }
  | { op: 'withdraw'; i: number }
  | { op: 'deleteArticle'; i: number }
  | { op: 'createQuote'; i: number; attach: boolean }
  | { op: 'patchQuote'; i: number }
  | { op: 'deleteQuote'; i: number }
  | { op: 'createPerson' }
  | { op: 'patchPerson'; i: number };

const index = fc.nat({ max: 20 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constant({ op: 'createArticle' as const }), weight: 3 },
  { arbitrary: index.map((i) => ({ op: 'patchArticle' as const, i })), weight: 1 },
  { arbitrary: index.map((i) => ({ op: 'publish' as const, i })), weight: 4 },
  { arbitrary: index.map((i) => ({ op: 'withdraw' as const, i })), weight: 2 },
  { arbitrary: index.map((i) => ({ op: 'deleteArticle' as const, i })), weight: 1 },
  {
    arbitrary: fc.record({ op: fc.constant('createQuote' as const), i: index, attach: fc.boolean() }),
    weight: 3,
  },
  { arbitrary: index.map((i) => ({ op: 'patchQuote' as const, i })), weight: 1 },
  { arbitrary: index.map((i) => ({ op: 'deleteQuote' as const, i })), weight: 1 },
  { arbitrary: fc.constant({ op: 'createPerson' as const }), weight: 1 },
  { arbitrary: index.map((i) => ({ op: 'patchPerson' as const, i })), weight: 1 },
);

async function current(path: string) {
  const res = await req('GET', path, { as: 'preview' });
  return res.statusCode === 200 ? res.json() : undefined;
}

async function apply(op: Op, s: { articles: string[]; quotes: string[]; people: string[] }) {
  const pick = (list: string[], i: number) => (list.length ? list[i % list.length] : undefined);
  const person = s.people[0]!;
  switch (op.op) {
    case 'createArticle': {
      const body = {
        language: 'nl',
        headline: 'Artikel',
        body: [],
        tags: [],
        personIds: [person],
        placeIds: [],
      };
      s.articles.push((await req('POST', '/v1/articles', { as: 'write', body })).json().id);
      return;
    }
    case 'createPerson':
      s.people.push((await req('POST', '/v1/people', { as: 'write', body: { name: 'Persoon' } })).json().id);
      return;
    case 'createQuote': {
      const articleId = op.attach ? pick(s.articles, op.i) : undefined;
      const body = { text: 'Citaat', language: 'nl', personId: person, ...(articleId ? { articleId } : {}) };
      const res = await req('POST', '/v1/quotes', { as: 'write', body });
      if (res.statusCode === 201) s.quotes.push(res.json().id);
      return;
    }
  }
  const [type, list] =
    op.op === 'patchQuote' || op.op === 'deleteQuote'
      ? ['quotes', s.quotes]
      : op.op === 'patchPerson'
        ? ['people', s.people]
        : ['articles', s.articles];
  const id = pick(list, op.i);
  if (!id) return;
  const now = await current(`/v1/${type}/${id}`);
  if (!now) return;
  const headers = { 'if-match': `"${now.version}"` };
  if (op.op === 'publish') await req('POST', `/v1/articles/${id}/publish`, { as: 'write' });
  else if (op.op === 'withdraw') await req('POST', `/v1/articles/${id}/withdraw`, { as: 'write' });
  else if (op.op === 'deleteArticle' || op.op === 'deleteQuote')
    await req('DELETE', `/v1/${type}/${id}`, { as: 'write', headers });
  else {
    const body =
      op.op === 'patchArticle'
        ? { standfirst: `v${now.version}` }
        : op.op === 'patchQuote'
          ? { context: `v${now.version}` }
          : { description: `v${now.version}` };
    await req('PATCH', `/v1/${type}/${id}`, { as: 'write', body, headers });
  }
}

async function publicCatalogue(): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const type of ['articles', 'quotes', 'people', 'places']) {
    let url = `/v1/${type}?limit=100`;
    while (url) {
      const body = (await req('GET', url)).json();
      for (const r of body.data) ids.add(`${type}:${r.id}`);
      url = body.page.next ? `/v1/${type}?limit=100&cursor=${encodeURIComponent(body.page.next)}` : '';
    }
  }
  return ids;
}

const PLURAL: Record<string, string> = {
  article: 'articles',
  quote: 'quotes',
  person: 'people',
  place: 'places',
};

async function replay(): Promise<Set<string>> {
  const mirror = new Set<string>();
  let since = '';
  for (;;) {
    const body = (
      await req('GET', `/v1/changes?limit=100${since ? `&since=${encodeURIComponent(since)}` : ''}`)
    ).json();
    for (const c of body.data) {
      const key = `${PLURAL[c.type]}:${c.id}`;
      if (c.action === 'withdrawn' || c.action === 'deleted') mirror.delete(key);
      else mirror.add(key);
    }
    if (body.data.length === 0) return mirror;
    since = body.page.next;
  }
}

t.test('replaying the public change log rebuilds exactly the public catalogue', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 50 }), async (ops) => {
      // Each run starts from an empty catalogue.
      await ctx.database.db.execute(
        'truncate articles, article_people, article_places, quotes, people, places, revisions, changes cascade' as never,
      );
      const s = { articles: [] as string[], quotes: [] as string[], people: [] as string[] };
      await apply({ op: 'createPerson' }, s);
      for (const op of ops) await apply(op, s);
      const [mirror, catalogue] = [await replay(), await publicCatalogue()];
      return [...catalogue].every((k) => mirror.has(k)) && [...mirror].every((k) => catalogue.has(k));
    }),
    { numRuns: 8, seed: 7 },
  );
  t.pass('property held');
});
