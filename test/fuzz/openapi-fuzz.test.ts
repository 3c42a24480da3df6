import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { OPENAPI_FILE } from '../../src/cli/openapi.js';
import { EXAMPLE_ARTICLE } from '../../src/resources/articles/examples.js';
import { buildTestApp } from '../helpers/app.js';
import {
  anyJson,
  type GenContext,
  invalidValue,
  type JsonSchema,
  nastyString,
  validValue,
} from './schema-arbitrary.js';

/**
 * Schema-driven fuzzing: every operation in openapi/openapi.json gets valid and hostile
 * requests through app.inject(). Oracles: the status is one the document declares for the
 * operation; never a 5xx; every error is problem+json; every 2xx body validates against the
 * documented schema. CI runs a fixed seed and few runs; `npm run fuzz` runs long
 * (FUZZ_RUNS runs per operation, FUZZ_SEED=random for a new seed each time).
 */
const RUNS = Number(process.env.FUZZ_RUNS || 20);
const SEED =
  process.env.FUZZ_SEED === 'random'
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(process.env.FUZZ_SEED || 20261124);
t.comment(`fuzz seed ${SEED}, ${RUNS} runs per operation (FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} to replay)`);

type Operation = {
  operationId: string;
  parameters?: { in: string; name: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
};
type Doc = { paths: Record<string, Record<string, Operation>>; components: unknown };

const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Doc;

// The request-only resolver: every host is public (no DNS here), so webhooks can be created.
const ctx = await buildTestApp(
  t,
  {},
  { build: { resolve: async () => [{ address: '93.184.216.34', family: 4 }] } },
);

// ---- Known resources, so path parameters and references sometimes hit real rows --------------

/** Refs (ids and slugs) per collection, e.g. '/v1/people'; grown from every 201 the fuzzer gets. */
const pool = new Map<string, Set<string>>();
const ids = new Set<string>();
function remember(collection: string, body: { id?: unknown; slug?: unknown }) {
  const refs = pool.get(collection) ?? new Set<string>();
  pool.set(collection, refs);
  for (const v of [body.id, body.slug]) if (typeof v === 'string') refs.add(v);
  if (typeof body.id === 'string') ids.add(body.id);
}

async function seed(collection: string, body: unknown, as: 'admin' | 'write' = 'write') {
  const res = await ctx.req('POST', collection, { as, body });
  if (res.statusCode !== 201) throw new Error(`seeding ${collection}: ${res.statusCode} ${res.body}`);
  remember(collection, res.json());
  return res.json();
}

const person = await seed('/v1/people', {
  name: 'Volodymyr Zelensky',
  aliases: ['Зеленський'],
  wikidataId: 'Q3874799',
});
const city = await seed('/v1/places', { name: 'Kiev', kind: 'city' });
const draft = await seed('/v1/articles', { ...EXAMPLE_ARTICLE, personIds: [person.id], placeIds: [city.id] });
const published = await seed('/v1/articles', {
  ...EXAMPLE_ARTICLE,
  slug: 'gepubliceerd',
  personIds: [person.id],
});
const pub = await ctx.req('POST', `/v1/articles/${published.id}/publish`, {
  as: 'write',
  body: {},
  headers: { 'if-match': '"1"' },
});
if (pub.statusCode !== 200) throw new Error(`publishing: ${pub.body}`);
await seed('/v1/quotes', {
  text: '„Deze oorlog moet eindigen”',
  language: 'nl',
  personId: person.id,
  articleId: draft.id,
});
await seed('/v1/webhooks', { url: 'https://partner.example/hook', events: ['article.*'] }, 'admin');
for (const key of (await ctx.req('GET', '/v1/keys', { as: 'admin' })).json().data) remember('/v1/keys', key);

// ---- The oracles ----------------------------------------------------------------------------

const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
addFormats.default(ajv);
ajv.addSchema({ $id: 'openapi', components: doc.components } as object);
/** A response schema whose `#/components/…` references point into the document. */
const rebase = (s: unknown): unknown =>
  Array.isArray(s)
    ? s.map(rebase)
    : s && typeof s === 'object'
      ? Object.fromEntries(
          Object.entries(s).map(([k, v]) => [
            k,
            k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `openapi${v}` : rebase(v),
          ]),
        )
      : s;
// Compiled up front: compiling while requests run would block the loop and trip load shedding.
const validators = new Map<string, ValidateFunction>();
for (const [path, ops] of Object.entries(doc.paths))
  for (const [method, op] of Object.entries(ops))
    for (const [status, response] of Object.entries(op.responses))
      for (const [type, media] of Object.entries(response.content ?? {}))
        if (/json/.test(type) && Number(status) < 300)
          validators.set(`${method} ${path} ${status} ${type}`, ajv.compile(rebase(media.schema) as object));

function check(
  path: string,
  method: string,
  op: Operation,
  sent: InjectOptions,
  res: LightMyRequestResponse,
) {
  const where = `${method.toUpperCase()} ${sent.url} -> ${res.statusCode}`;
  const fail = (why: string) => {
    throw new Error(
      `${where}: ${why}\nsent: ${JSON.stringify(sent).slice(0, 600)}\ngot: ${res.body.slice(0, 600)}`,
    );
  };
  if (res.statusCode >= 500) fail('a 5xx');
  const declared = op.responses[String(res.statusCode)];
  if (!declared) fail(`status not declared (declared: ${Object.keys(op.responses).join(', ')})`);
  const type = String(res.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  if (res.statusCode >= 400) {
    if (type !== 'application/problem+json') fail(`error with content-type ${type}`);
    const body = res.json();
    if (body.status !== res.statusCode || typeof body.type !== 'string' || typeof body.title !== 'string')
      fail('problem body without matching status/type/title');
    if (typeof body.detail !== 'string' || !body.requestId) fail('problem body without detail/requestId');
    if (/at .+\.(ts|js):\d+|SELECT |INSERT |UPDATE |DrizzleQueryError|node_modules/i.test(res.body))
      fail('problem body leaks internals');
    return;
  }
  if (res.statusCode === 204 || res.statusCode === 304) {
    if (res.body !== '') fail('a body on 204/304');
    return;
  }
  const content = declared!.content ?? {};
  if (!content[type]) fail(`content-type ${type} not declared (${Object.keys(content).join(', ')})`);
  if (/json/.test(type)) {
    const validate = validators.get(`${method} ${path} ${res.statusCode} ${type}`);
    if (!validate) fail('no schema to validate against');
    if (!validate!(res.json()))
      fail(`body does not match the documented schema: ${ajv.errorsText(validate!.errors)}`);
  }
}

// ---- Requests ---------------------------------------------------------------------------------

const gen: GenContext = { doc, knownIds: () => [...ids] };

/** Percent-encodes the UTF-8 of any string (lone surrogates become U+FFFD, as on the wire). */
const encode = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');

/** Path segments that are already encoded, some of them wrongly on purpose. */
const RAW_SEGMENTS = [
  '%00',
  '%ZZ',
  '%',
  '%ED%A0%80',
  '%C0%AF',
  '...',
  '.%2e.',
  '%2F',
  'a%2Fb',
  '+',
  '%20',
  'null',
];

const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

function pathParam(collection: string, schema: JsonSchema): fc.Arbitrary<string> {
  const known = [...(pool.get(collection) ?? [])];
  return fc.oneof(
    { weight: 5, arbitrary: known.length ? fc.constantFrom(...known) : validValue(gen, schema).map(String) },
    { weight: 2, arbitrary: validValue(gen, schema).map((v) => encode(String(v))) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    {
      weight: 1,
      arbitrary: nastyString()
        .filter((s) => s.length > 0)
        .map(encode),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('a'.repeat(121), 'a'.repeat(200), 'a'.repeat(201), "1' OR '1'='1"),
    },
  );
}

const queryValue = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function queryString(op: Operation): fc.Arbitrary<string> {
  const params = (op.parameters ?? []).filter((p) => p.in === 'query');
  const parts = params.map((p) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<string[]>([]) },
      { weight: 3, arbitrary: validValue(gen, p.schema).map((v) => [`${p.name}=${encode(queryValue(v))}`]) },
      {
        weight: 1,
        arbitrary: invalidValue(gen, p.schema).map((v) => [`${p.name}=${encode(queryValue(v))}`]),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(validValue(gen, p.schema), validValue(gen, p.schema))
          .map(([a, b]) => [`${p.name}=${encode(queryValue(a))}`, `${p.name}=${encode(queryValue(b))}`]),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(`${p.name}[]=1`, `${p.name}[a][b]=1`, `${p.name}=%ZZ`, `${p.name}=%00`, p.name)
          .map((s) => [s]),
      },
    ),
  );
  const extra = fc.oneof(
    { weight: 6, arbitrary: fc.constant<string[]>([]) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          'status=draft',
          'preview=1',
          'draft=true',
          'fields=*',
          'filter[author.email][startsWith]=a',
          'sort=author.passwordHash',
          '__proto__[polluted]=1',
          'constructor[prototype][polluted]=1',
          'api_key=abc',
          'include=quotes.person.articles',
          'limit=1000000',
          'offset=1e12',
        )
        .map((s) => [s]),
    },
  );
  return fc.tuple(fc.tuple(...parts), extra).map(([ps, e]) => {
    const all = [...ps.flat(), ...e];
    return all.length ? `?${all.join('&')}` : '';
  });
}

const RAW_BODIES = [
  '',
  '{',
  '{"a":',
  'null',
  '1',
  '"text"',
  '[]',
  '{"name":"a","name":"b"}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '\ufeff{}',
  '{"name":"\\ud800"}',
  '{"name":"a\\u0000b"}',
  `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
  `{"a":${'1'.repeat(400)}}`,
];

type Body = { payload: string | Buffer; contentType?: string };

function bodyArb(op: Operation): fc.Arbitrary<Body | undefined> {
  if (!op.requestBody) {
    return fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constant({ payload: '{}', contentType: 'application/json' }) },
    );
  }
  const [mediaType, media] = Object.entries(op.requestBody.content)[0]!;
  const json = (a: fc.Arbitrary<unknown>) =>
    a.map((v): Body => ({ payload: JSON.stringify(v) ?? '', contentType: mediaType }));
  return fc.oneof(
    { weight: 4, arbitrary: json(validValue(gen, media.schema)) },
    { weight: 4, arbitrary: json(invalidValue(gen, media.schema)) },
    { weight: 1, arbitrary: json(anyJson()) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...RAW_BODIES).map((payload): Body => ({ payload, contentType: mediaType })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          validValue(gen, media.schema),
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/json; charset=utf-16',
            'application/json; charset=latin1',
            'application/merge-patch+json',
            'application/json-seq',
            'application/JSON',
            undefined,
          ),
        )
        .map(([v, contentType]): Body => ({ payload: JSON.stringify(v), contentType })),
    },
    // Odd encodings of the bytes themselves: UTF-16, invalid UTF-8, a BOM.
    {
      weight: 1,
      arbitrary: validValue(gen, media.schema).chain((v) =>
        fc.constantFrom<Body>(
          { payload: Buffer.from(JSON.stringify(v), 'utf16le'), contentType: mediaType },
          {
            payload: Buffer.concat([Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from(JSON.stringify(v))]),
            contentType: mediaType,
          },
          {
            payload: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(v))]),
            contentType: mediaType,
          },
        ),
      ),
    },
  );
}

const AUTH = fc.constantFrom<('admin' | 'read' | 'anon' | 'bogus')[]>(
  ...(['admin', 'admin', 'admin', 'admin', 'admin', 'read', 'anon', 'bogus'] as const).map((x) => [x]),
);

function requestArb(path: string, method: string, op: Operation): fc.Arbitrary<InjectOptions> {
  const collection = `/${path.split('/').slice(1, 3).join('/')}`;
  const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
  const filled = fc.tuple(
    ...pathParams.map((p) =>
      p.name === 'version'
        ? fc.oneof(fc.constantFrom('1', '2', '3'), pathParam(collection, p.schema))
        : pathParam(collection, p.schema),
    ),
  );
  const ifMatch = fc.constantFrom(
    undefined,
    undefined,
    '"1"',
    '"2"',
    '"3"',
    '*',
    'W/"1"',
    '"abc"',
    '"99999999999999999999"',
    '1',
  );
  const ifNoneMatch = fc.constantFrom(undefined, undefined, undefined, '"1"', '*', 'W/"1"', 'garbage');
  const idem = fc.constantFrom(undefined, undefined, 'fuzz-key-1', 'x'.repeat(300), '');
  return fc
    .tuple(filled, queryString(op), bodyArb(op), AUTH, ifMatch, ifNoneMatch, idem)
    .map(([values, query, body, [auth], im, inm, key]) => {
      let url = path;
      pathParams.forEach((p, i) => {
        // inject() resolves the URL as a browser would: `..` would climb to another route.
        url = url.replace(`{${p.name}}`, DOT_SEGMENT.test(values[i]!) ? '...' : values[i]!);
      });
      const headers: Record<string, string> = {};
      if (auth === 'admin') headers.authorization = `Bearer ${ctx.keys.admin}`;
      if (auth === 'read') headers.authorization = `Bearer ${ctx.keys.read}`;
      if (auth === 'bogus') headers.authorization = 'Bearer kpj_not-a-real-key';
      if (im !== undefined) headers['if-match'] = im;
      if (inm !== undefined) headers['if-none-match'] = inm;
      if (key !== undefined && method === 'post') headers['idempotency-key'] = key;
      if (body?.contentType) headers['content-type'] = body.contentType;
      return {
        method: method.toUpperCase() as InjectOptions['method'],
        url: url + query,
        headers,
        ...(body ? { payload: body.payload } : {}),
      };
    });
}

// Deletes last, so the other operations keep finding the seeded rows.
const operations = Object.entries(doc.paths)
  .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })))
  .sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));

t.ok(operations.length >= 40, `${operations.length} operations in the document`);

// Setting up blocked the loop for a while: let load shedding see it is over before fuzzing.
for (let i = 0; i < 50 && ctx.app.isUnderPressure(); i++) await new Promise((r) => setTimeout(r, 100));

for (const [i, { path, method, op }] of operations.entries()) {
  t.test(`${op.operationId} (${method.toUpperCase()} ${path})`, async (t) => {
    const collection = `/${path.split('/').slice(1, 3).join('/')}`;
    const statuses = new Map<number, number>();
    const result = await fc.check(
      fc.asyncProperty(requestArb(path, method, op), async (sent) => {
        const res = await ctx.app.inject(sent);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        check(path, method, op, sent, res);
        if (res.statusCode === 201 && method === 'post') remember(collection, res.json());
      }),
      { seed: SEED + i, numRuns: RUNS, endOnFailure: false },
    );
    if (result.failed) {
      const err =
        result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
      t.fail(
        `${err}\n(seed ${result.seed}, path ${result.counterexamplePath}, shrunk ${result.numShrinks} times)`,
      );
    } else
      t.pass(
        `${RUNS} requests: ${[...statuses]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}`,
      );
    t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  });
}
