import type autocannon from 'autocannon';
import { SEARCH_TERMS } from './corpus.js';
import { Rng } from './random.js';
import { articleBodies, kopijCreate, kopijPatch, type OnResponse, type ScenarioContext } from './writes.js';

export type { ScenarioContext } from './writes.js';

export type CeilingKind = 'static' | 'item' | 'list' | 'insert';
export type ServerKind = 'kopij' | CeilingKind;

export interface Scenario {
  name: string;
  /** What it measures, for the report. */
  what: string;
  server: ServerKind;
  /** The ceiling its throughput is reported against. */
  ceiling?: Exclude<CeilingKind, 'static'>;
  /** The target for that ratio. */
  target?: number;
  /** A path to GET first: a 404 means the route does not exist (yet) and the scenario is skipped. */
  probe?: (ctx: ScenarioContext) => string;
  requests(ctx: ScenarioContext): autocannon.Request[];
}

type Req = autocannon.Request;

/** One request definition whose path (and more) is chosen afresh for every request. */
const each = (make: (req: Req, context: Record<string, unknown>) => Req): Req[] => [
  { setupRequest: (req, context) => make(req, context as Record<string, unknown>) },
];

const NIL = '00000000-0000-0000-0000-000000000000';

const pick = <T>(rng: Rng, items: readonly T[]) => rng.pick(items);

export function scenarios(): Scenario[] {
  const rng = new Rng(12345);
  /** A random published article by id, asked with the key `key` picks. */
  const keyedItem = (name: string, what: string, key: (ctx: ScenarioContext) => string): Scenario => ({
    name,
    what,
    server: 'kopij',
    ceiling: 'item',
    requests: (ctx) =>
      each((req) => ({
        ...req,
        path: `/v1/articles/${pick(rng, ctx.sample.articles).id}`,
        headers: { authorization: `Bearer ${key(ctx)}` },
      })),
  });
  return [
    {
      name: 'ceiling-http',
      what: 'Bare Fastify returning a fixed ~2 KB JSON article (the HTTP ceiling)',
      server: 'static',
      requests: () => [{ method: 'GET', path: '/static' }],
    },
    {
      name: 'ceiling-item',
      what: 'Bare Fastify + pg: one primary-key SELECT on articles (the naive-server ceiling)',
      server: 'item',
      requests: (ctx) => each((req) => ({ ...req, path: `/articles/${pick(rng, ctx.sample.articles).id}` })),
    },
    {
      name: 'ceiling-list',
      what: 'Bare Fastify + pg: a 20-row keyset page of published articles by published_at',
      server: 'list',
      requests: (ctx) =>
        each((req) => ({
          ...req,
          path: `/articles?before=${encodeURIComponent(pick(rng, ctx.sample.before))}`,
        })),
    },
    {
      name: 'ceiling-insert',
      what: 'Bare Fastify + pg: one single-row INSERT of a posted ~2 KB article',
      server: 'insert',
      requests: (ctx) => {
        const next = articleBodies(ctx);
        const headers = { 'content-type': 'application/json' };
        return each((req) => ({ ...req, method: 'POST', path: '/articles', headers, body: next().json }));
      },
    },
    {
      name: 'item-id',
      what: 'GET /v1/articles/{id}, a random published article',
      server: 'kopij',
      ceiling: 'item',
      target: 1.0,
      requests: (ctx) =>
        each((req) => ({ ...req, path: `/v1/articles/${pick(rng, ctx.sample.articles).id}` })),
    },
    keyedItem(
      'item-id-read-key',
      'GET /v1/articles/{id} with a `read` key (a frontend behind PUBLIC_READ=false)',
      (ctx) => ctx.readKey,
    ),
    keyedItem(
      'item-id-partner-key',
      'GET /v1/articles/{id} with a partner key (`read`, `embargo`: from the copy kept for the public, if any)',
      (ctx) => ctx.partnerKey,
    ),
    {
      name: 'item-slug-includes',
      what: 'GET /v1/articles/{slug}?include=people,places,quotes',
      server: 'kopij',
      ceiling: 'item',
      requests: (ctx) =>
        each((req) => ({
          ...req,
          path: `/v1/articles/${pick(rng, ctx.sample.articles).slug}?include=people,places,quotes`,
        })),
    },
    {
      name: 'list-page',
      what: 'GET /v1/articles?limit=20&publishedBefore={t}: a page deep in the archive',
      server: 'kopij',
      ceiling: 'list',
      target: 1.0,
      requests: (ctx) =>
        each((req) => ({
          ...req,
          path: `/v1/articles?limit=20&publishedBefore=${encodeURIComponent(pick(rng, ctx.sample.before))}`,
        })),
    },
    {
      name: 'list-filtered',
      what: 'GET /v1/articles?language=nl&tag={tag}&sort=-publishedAt&limit=20 (top-10 tags)',
      server: 'kopij',
      ceiling: 'list',
      target: 1.0,
      requests: (ctx) =>
        each((req) => ({
          ...req,
          path: `/v1/articles?language=nl&tag=${encodeURIComponent(pick(rng, ctx.sample.tags))}&sort=-publishedAt&limit=20`,
        })),
    },
    {
      name: 'list-person',
      what: 'GET /v1/people/{slug}/articles?limit=20 (the 50 most mentioned people)',
      server: 'kopij',
      ceiling: 'list',
      requests: (ctx) =>
        each((req) => ({ ...req, path: `/v1/people/${pick(rng, ctx.sample.people)}/articles?limit=20` })),
    },
    {
      name: 'search-nl',
      what: 'GET /v1/articles?q={Dutch word}&limit=20, ranked by relevance, no language given',
      server: 'kopij',
      ceiling: 'item',
      target: 0.5,
      requests: () =>
        each((req) => ({
          ...req,
          path: `/v1/articles?q=${encodeURIComponent(pick(rng, SEARCH_TERMS))}&limit=20`,
        })),
    },
    {
      name: 'changes',
      what: 'GET /v1/changes?since={cursor}: a 100-entry page within the last 20k changes',
      server: 'kopij',
      ceiling: 'item',
      requests: (ctx) =>
        each((req) => {
          const seq = Math.max(0, ctx.sample.maxSeq - rng.int(20_000) - 100);
          const since = ctx.cursors.encode({ s: 'seq', v: seq, i: NIL });
          return { ...req, path: `/v1/changes?limit=100&since=${encodeURIComponent(since)}` };
        }),
    },
    {
      name: 'atom',
      what: 'GET /v1/feeds/articles.atom (skipped where the route does not exist)',
      server: 'kopij',
      ceiling: 'item',
      probe: () => '/v1/feeds/articles.atom',
      requests: () => [{ method: 'GET', path: '/v1/feeds/articles.atom' }],
    },
    {
      name: 'ninjs',
      what: 'GET /v1/articles/{id}/ninjs (IPTC ninjs 3.1, people and places embedded)',
      server: 'kopij',
      ceiling: 'item',
      probe: (ctx) => `/v1/articles/${ctx.sample.articles[0]!.id}/ninjs`,
      requests: (ctx) =>
        each((req) => ({ ...req, path: `/v1/articles/${pick(rng, ctx.sample.articles).id}/ninjs` })),
    },
    {
      name: 'create',
      what: 'POST /v1/articles (write key): draft + links + revision + change log',
      server: 'kopij',
      ceiling: 'insert',
      target: 0.5,
      requests: (ctx) => {
        const create = kopijCreate(ctx);
        return [
          {
            setupRequest: (req, c) => create.make(req, c as Record<string, unknown>),
            onResponse: create.onResponse,
          },
        ];
      },
    },
    {
      name: 'patch',
      what: 'PATCH /v1/articles/{id} with If-Match (published: revision, change, outbox, webhook)',
      server: 'kopij',
      ceiling: 'insert',
      requests: (ctx) => {
        const { make, onResponse } = kopijPatch(ctx);
        return [{ setupRequest: (req, c) => make(req, c as Record<string, unknown>), onResponse }];
      },
    },
    {
      name: 'mix-90-10',
      what: '90% reads (item 50, item+includes 20, filtered list 20) / 10% writes (PATCH 5, create 5)',
      server: 'kopij',
      ceiling: 'item',
      requests: (ctx) => {
        const create = kopijCreate(ctx);
        const patch = kopijPatch(ctx);
        const mixRng = new Rng(ctx.seed + 3);
        const setupRequest = (req: Req, c: object): Req => {
          const context = c as Record<string, unknown>;
          context.id = undefined;
          context.creating = undefined;
          const r = mixRng.next();
          const a = pick(mixRng, ctx.sample.articles);
          if (r < 0.5) return { ...req, method: 'GET', path: `/v1/articles/${a.id}` };
          if (r < 0.7)
            return { ...req, method: 'GET', path: `/v1/articles/${a.slug}?include=people,places,quotes` };
          if (r < 0.9) {
            const tag = encodeURIComponent(pick(mixRng, ctx.sample.tags));
            return { ...req, method: 'GET', path: `/v1/articles?language=nl&tag=${tag}&limit=20` };
          }
          return r < 0.95 ? patch.make(req, context) : create.make(req, context);
        };
        const onResponse: OnResponse = (status, text, c) => {
          const context = c as { id?: string; creating?: boolean };
          if (context.id) patch.onResponse(status, text, c);
          else if (context.creating) create.onResponse(status, text, c);
        };
        return [{ setupRequest, onResponse }];
      },
    },
  ];
}
