import type autocannon from 'autocannon';
import type { CursorCodec } from '../src/http/cursor.js';
import { SEARCH_TERMS, TOPICS } from './corpus.js';
import type { Sample } from './load.js';
import { Rng } from './random.js';
import { body, headline, type Subject, standfirst } from './text.js';

export type CeilingKind = 'static' | 'item' | 'list' | 'insert';
export type ServerKind = 'kopij' | CeilingKind;

export interface ScenarioContext {
  sample: Sample;
  writeKey: string;
  cursors: CursorCodec;
  seed: number;
  /** Current version of each article the PATCH scenarios touch, learned from responses. */
  versions: Map<string, number>;
  /** Articles PATCHed whose answer never came (cut off when a run ends): version unknown. */
  unsettled: Set<string>;
}

export function newContext(
  sample: Sample,
  writeKey: string,
  cursors: CursorCodec,
  seed: number,
): ScenarioContext {
  return { sample, writeKey, cursors, seed, versions: new Map(), unsettled: new Set() };
}

/** Learns the current version of the articles whose PATCH answer was cut off by the end of a run. */
export async function settleVersions(ctx: ScenarioContext, baseUrl: string): Promise<void> {
  for (const id of ctx.unsettled) {
    const res = await fetch(`${baseUrl}/v1/articles/${id}`, {
      headers: { authorization: `Bearer ${ctx.writeKey}` },
    });
    if (res.ok) ctx.versions.set(id, ((await res.json()) as { version: number }).version);
    ctx.unsettled.delete(id);
  }
}

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

/** Realistic new articles (~2 KB), each headline unique as in a real newsroom. */
function articleBodies(ctx: ScenarioContext): () => string {
  const rng = new Rng(ctx.seed + 99);
  const bases = Array.from({ length: 100 }, () => {
    const s: Subject = {
      language: 'nl',
      topic: rng.pick(TOPICS),
      people: ['Sanne de Vries', 'Mark Jansen'],
      places: ['Den Haag'],
    };
    return {
      language: 'nl',
      headline: headline(s, rng),
      standfirst: standfirst(s, rng),
      body: body(s, rng, 1100),
      credit: 'ANP',
      tags: [s.topic.tag],
      personIds: [] as string[],
      placeIds: [] as string[],
    };
  });
  for (const b of bases) {
    const p = rng.int(Math.max(1, ctx.sample.personIds.length - 3));
    b.personIds = ctx.sample.personIds.slice(p, p + rng.between(0, 3));
    const q = rng.int(Math.max(1, ctx.sample.placeIds.length - 2));
    b.placeIds = ctx.sample.placeIds.slice(q, q + rng.between(0, 2));
  }
  let n = 0;
  return () => {
    n++;
    const base = bases[n % bases.length]!;
    return JSON.stringify({ ...base, headline: `${base.headline} (${process.pid}-${n})` });
  };
}

function kopijCreate(ctx: ScenarioContext): (req: Req) => Req {
  const next = articleBodies(ctx);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${ctx.writeKey}` };
  return (req) => ({ ...req, method: 'POST', path: '/v1/articles', headers, body: next() });
}

/**
 * PATCH with If-Match: the version sent is the last one this run saw for the article (the
 * sample's, then each 200's; settleVersions() asks for those whose answer a run's end cut
 * off). A concurrent PATCH of the same article can still win first: that is a 412, counted
 * apart and left out of req/s and latency, and its detail teaches the current version.
 */
type OnResponse = (status: number, body: string, context: object) => void;

function kopijPatch(ctx: ScenarioContext): {
  make: (req: Req, context: Record<string, unknown>) => Req;
  onResponse: OnResponse;
} {
  const rng = new Rng(ctx.seed + 7);
  const ids = ctx.sample.articles.map((a) => a.id);
  for (const a of ctx.sample.articles) if (!ctx.versions.has(a.id)) ctx.versions.set(a.id, a.version);
  let n = 0;
  const make = (req: Req, context: Record<string, unknown>): Req => {
    const id = rng.pick(ids);
    context.id = id;
    ctx.unsettled.add(id);
    n++;
    return {
      ...req,
      method: 'PATCH',
      path: `/v1/articles/${id}`,
      headers: {
        'content-type': 'application/merge-patch+json',
        authorization: `Bearer ${ctx.writeKey}`,
        'if-match': `"${ctx.versions.get(id)}"`,
      },
      body: JSON.stringify({
        standfirst: `Bijgewerkt (${n}): de cijfers zijn gecorrigeerd na nieuwe informatie.`,
      }),
    };
  };
  const onResponse = (status: number, text: string, context: object) => {
    const id = (context as { id?: string }).id;
    if (id) ctx.unsettled.delete(id);
    if (status === 200) {
      const { id: got, version } = JSON.parse(text) as { id: string; version: number };
      ctx.versions.set(got, version);
    } else if (status === 412 && id) {
      const m = /\("(\d+)"\)/.exec(text);
      if (m) ctx.versions.set(id, Number(m[1]));
    }
  };
  return { make, onResponse };
}

const pick = <T>(rng: Rng, items: readonly T[]) => rng.pick(items);

export function scenarios(): Scenario[] {
  const rng = new Rng(12345);
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
        return each((req) => ({ ...req, method: 'POST', path: '/articles', headers, body: next() }));
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
      requests: (ctx) => each(kopijCreate(ctx)),
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
          const r = mixRng.next();
          const a = pick(mixRng, ctx.sample.articles);
          if (r < 0.5) return { ...req, method: 'GET', path: `/v1/articles/${a.id}` };
          if (r < 0.7)
            return { ...req, method: 'GET', path: `/v1/articles/${a.slug}?include=people,places,quotes` };
          if (r < 0.9) {
            const tag = encodeURIComponent(pick(mixRng, ctx.sample.tags));
            return { ...req, method: 'GET', path: `/v1/articles?language=nl&tag=${tag}&limit=20` };
          }
          return r < 0.95 ? patch.make(req, context) : create(req);
        };
        const onResponse: OnResponse = (status, text, c) => {
          if ((c as { id?: string }).id) patch.onResponse(status, text, c);
        };
        return [{ setupRequest, onResponse }];
      },
    },
  ];
}
