import t from 'tap';
import { z } from 'zod';
import { seed } from '../../src/cli/seed.js';
import { listEnvelope } from '../../src/http/list.js';
import { ProblemSchema, problemBody } from '../../src/http/problem.js';
import { responseSerializerCompiler } from '../../src/http/serializer.js';
import { ArticleWithIncludesSchema } from '../../src/resources/articles/includes.js';
import { buildTestApp } from '../helpers/app.js';

const warnings: unknown[] = [];
const log = { warn: (...args: unknown[]) => warnings.push(args) } as never;
const production = responseSerializerCompiler({ validate: false, log });
const validating = responseSerializerCompiler({ validate: true, log });
const serializerFor = (compiler: typeof production, schema: z.ZodType) =>
  compiler({ schema, method: 'GET', url: '/test', httpStatus: '200' });

/** What the zod serializer wrote before: JSON.stringify of zod's output. */
const viaZod = (schema: z.ZodType, value: unknown) => JSON.stringify(z.encode(schema, value));

// Strings JSON must escape, and ones it must not.
const tricky = 'Zij zei: "nee"\n\t— \\ </script> \u2028 ok 🇺🇦 Зеленський';

const person = {
  id: '0196a3c2-7f4e-7b21-9c3d-5e8f1a2b3c4d',
  version: 2,
  createdAt: '2026-11-24T10:00:00.000Z',
  updatedAt: '2026-11-24T11:00:00+01:00',
  slug: 'volodymyr-zelensky',
  name: 'Volodymyr Zelensky',
  aliases: ['Zelenskyy', 'Зеленський'],
  description: null,
  wikidataId: 'Q3874799',
};

const article = {
  id: '0196a3c2-7f4e-7b21-9c3d-5e8f1a2b3c4e',
  version: 3,
  createdAt: '2026-11-24T10:00:00.000Z',
  updatedAt: '2026-11-24T12:00:00.123Z',
  slug: 'zelensky-onderhandelingen',
  language: 'nl',
  headline: tricky,
  standfirst: null,
  body: [
    { type: 'paragraph', text: tricky },
    { type: 'heading', text: 'Kop' },
    { type: 'blockquote', text: '„Wij geven niet op.”', attribution: 'Volodymyr Zelensky' },
    { type: 'blockquote', text: 'Zonder bron.' },
  ],
  byline: 'Redactie',
  credit: null,
  tags: ['oorlog in Oekraïne', 'diplomatie'],
  personIds: [person.id],
  placeIds: [],
  canonicalUrl: 'https://nieuws.example/a?b=1&c=2',
  embargoedUntil: null,
  status: 'published',
  publishedAt: '2026-11-24T12:00:00.000Z',
  firstPublishedAt: '2026-11-24T12:00:00.000Z',
  people: [person],
};

t.test('the production serializer writes what zod + JSON.stringify wrote, byte for byte', async (t) => {
  const cases: [string, z.ZodType, unknown][] = [
    ['article with every block kind and a person', ArticleWithIncludesSchema, article],
    ['article without includes', ArticleWithIncludesSchema, { ...article, people: undefined }],
    [
      'list envelope, last page',
      listEnvelope(ArticleWithIncludesSchema),
      { data: [article], page: { next: null, limit: 20 } },
    ],
    [
      'list envelope, more pages',
      listEnvelope(ArticleWithIncludesSchema),
      { data: [], page: { next: 'abc_-', limit: 1 } },
    ],
    ['problem', ProblemSchema, problemBody('not-found', 'No such article.', 'req-1')],
    [
      'problem naming fields',
      ProblemSchema,
      problemBody('validation', 'body.headline: too long', 'req-2', [
        { path: 'body.headline', message: tricky },
      ]),
    ],
  ];
  for (const [name, schema, value] of cases) {
    const written = serializerFor(production, schema)(value);
    t.equal(written, viaZod(schema, value), name);
    t.same(JSON.parse(written), JSON.parse(JSON.stringify(value)), `${name}: no field lost`);
  }
});

t.test('undeclared properties are left out, as zod left them out', async (t) => {
  const leaky = {
    ...article,
    internalNotes: 'SENTINEL-top',
    body: [{ type: 'heading', text: 'Kop' }],
    people: [{ ...person, passwordHash: 'SENTINEL-nested' }],
  };
  const written = serializerFor(production, ArticleWithIncludesSchema)(leaky);
  t.notMatch(written, /SENTINEL/);
  t.equal(written, viaZod(ArticleWithIncludesSchema, leaky));
});

t.test('over HTTP the production app writes the bytes the validating app checked', async (t) => {
  // Both on one database: the validating app (every test app) has compared each body with
  // zod's output of the handler's value; the production app must send the very same bytes.
  const checked = await buildTestApp(t);
  const prod = await buildTestApp(t, { VALIDATE_RESPONSES: 'false' }, { database: checked.database });
  const { article: slug } = await seed(checked.app);
  const headers = { 'x-request-id': 'same-id' };
  const urls: [string, number, RegExp][] = [
    [`/v1/articles/${slug}?include=people,places,quotes`, 200, /^application\/json/],
    ['/v1/articles?limit=2&include=people', 200, /^application\/json/],
    ['/v1/people', 200, /^application\/json/],
    ['/v1/places', 200, /^application\/json/],
    ['/v1/quotes', 200, /^application\/json/],
    [`/v1/articles/${slug}/ninjs`, 200, /^application\/json/],
    [`/v1/articles/${slug}/jsonld`, 200, /^application\/ld\+json/],
    ['/v1/feeds/articles.json', 200, /^application\/feed\+json/],
    ['/v1/changes', 200, /^application\/json/],
    ['/v1/articles/0196a3c2-7f4e-7b21-9c3d-5e8f1a2b3c4d', 404, /^application\/problem\+json/],
    ['/v1/articles?limit=abc', 400, /^application\/problem\+json/],
  ];
  for (const [url, status, type] of urls) {
    const want = await checked.req('GET', url, { headers });
    const got = await prod.req('GET', url, { headers });
    t.equal(want.statusCode, status, `${url}: ${want.body.slice(0, 300)}`);
    t.match(got.headers['content-type'], type, url);
    t.equal(got.body, want.body, url);
  }
  const full = (await prod.req('GET', `/v1/articles/${slug}?include=people,places,quotes`)).json();
  t.ok(
    full.people.length && full.places.length && full.quotes.length,
    'the seeded article has every include',
  );
  t.same(
    new Set(full.body.map((b: { type: string }) => b.type)),
    new Set(['paragraph', 'heading', 'blockquote']),
  );
  const problem = (await prod.req('GET', '/v1/articles?limit=abc')).json();
  t.match(problem, { status: 400, errors: [{ path: 'query.limit' }] }, 'problem fields survive');
});

t.test('validation: drift answers 500 in the tests, not a quietly different body', async (t) => {
  const missing = { ...article, headline: undefined };
  t.throws(() => serializerFor(validating, ArticleWithIncludesSchema)(missing), {
    code: 'FST_ERR_RESPONSE_SERIALIZATION',
  });
  // A plain union: zod takes the first branch that parses (dropping `b`); fast-json-stringify
  // the one that matches exactly. The check catches schemas that would write differently.
  const ambiguous = z.union([z.object({ a: z.string() }), z.object({ a: z.string(), b: z.string() })]);
  t.throws(() => serializerFor(validating, ambiguous)({ a: 'x', b: 'y' }), {
    code: 'FST_ERR_RESPONSE_SERIALIZATION',
  });
  t.equal(
    serializerFor(validating, ArticleWithIncludesSchema)(article),
    viaZod(ArticleWithIncludesSchema, article),
  );
});

t.test('a schema fast-json-stringify cannot take is served by zod, and logged once', async (t) => {
  warnings.length = 0;
  const dated = z.object({ at: z.date() });
  const first = serializerFor(production, dated);
  const second = serializerFor(production, dated);
  const value = { at: new Date('2026-11-24T10:00:00Z'), extra: 1 };
  t.equal(first(value), '{"at":"2026-11-24T10:00:00.000Z"}');
  t.equal(second(value), first(value));
  t.equal(warnings.length, 1, 'one warning for the schema, however many routes use it');
  t.throws(() => first({ at: 'not a date' }), { code: 'FST_ERR_RESPONSE_SERIALIZATION' });
  warnings.length = 0;
  serializerFor(production, z.undefined());
  t.equal(warnings.length, 0, '204/304 schemas have no body: nothing to warn about');
  const plain = serializerFor(production, { type: 'object', properties: { a: { type: 'string' } } } as never);
  t.equal(plain({ a: 'x', b: 'y' }), '{"a":"x"}', 'a plain JSON Schema response is written as Fastify would');
});
