import { randomBytes } from 'node:crypto';
import type autocannon from 'autocannon';
import { slugBase } from '../src/content/slug.js';
import type { CursorCodec } from '../src/http/cursor.js';
import { TOPICS } from './corpus.js';
import type { Sample } from './load.js';
import { Rng } from './random.js';
import { body, headline, type Subject, standfirst } from './text.js';

/**
 * The write scenarios' requests, and the bookkeeping that keeps runs comparable: the version
 * each PATCH must name, and the drafts each create leaves behind, deleted between runs so
 * that later scenarios, rounds and --reuse runs read the archive that was loaded.
 */
/** The API keys a run makes: an editor's, a frontend's (`read`) and a partner's (`read`, `embargo`). */
export interface BenchKeys {
  writeKey: string;
  readKey: string;
  partnerKey: string;
}

export interface ScenarioContext extends BenchKeys {
  sample: Sample;
  cursors: CursorCodec;
  seed: number;
  /** Current version of each article the PATCH scenarios touch, learned from responses. */
  versions: Map<string, number>;
  /** Articles PATCHed whose answer never came (cut off when a run ends): version unknown. */
  unsettled: Set<string>;
  /** Drafts the create scenarios made, to delete before the next run. */
  created: string[];
  /**
   * Headlines of creates not yet answered with a 201 (a run's end cut them off, yet the
   * server may still commit them), with how many clean-ups have looked for them.
   */
  sentHeadlines: Map<string, number>;
  /** Makes every headline of the run unique, across scenarios, rounds and earlier runs. */
  runTag: string;
  serial: number;
}

export function newContext(
  sample: Sample,
  keys: BenchKeys,
  cursors: CursorCodec,
  seed: number,
): ScenarioContext {
  return {
    sample,
    ...keys,
    cursors,
    seed,
    versions: new Map(),
    unsettled: new Set(),
    created: [],
    sentHeadlines: new Map(),
    runTag: randomBytes(3).toString('hex'),
    serial: 0,
  };
}

/**
 * Between runs (outside the measured time): learns the versions of the articles whose PATCH
 * answer a run's end cut off, and deletes the drafts created so far, through the API (four
 * at a time). Drafts sort first in a descending published_at index, so leaving thousands of
 * them would slow down the list scenarios that run after the writes.
 */
export async function tidy(ctx: ScenarioContext, baseUrl: string): Promise<void> {
  const auth = { authorization: `Bearer ${ctx.writeKey}` };
  // Writes cut off by the run's end may still be committing: let them land before asking.
  if (ctx.unsettled.size || ctx.sentHeadlines.size) await new Promise((r) => setTimeout(r, 1000));
  for (const id of ctx.unsettled) {
    const res = await fetch(`${baseUrl}/v1/articles/${id}`, { headers: auth });
    if (res.ok) ctx.versions.set(id, ((await res.json()) as { version: number }).version);
    ctx.unsettled.delete(id);
  }
  const drafts: { ref: string; headline?: string }[] = ctx.created.splice(0).map((ref) => ({ ref }));
  for (const headline of ctx.sentHeadlines.keys()) drafts.push({ ref: slugBase(headline), headline });
  const worker = async () => {
    for (let d = drafts.pop(); d; d = drafts.pop()) {
      const res = await deleteDraft(`${baseUrl}/v1/articles/${d.ref}`, auth);
      if (res.status !== 204 && res.status !== 404) throw new Error(`deleting draft ${d.ref}: ${res.status}`);
      if (!d.headline) continue;
      // Not there (yet): the create may still be in flight; look again next time, three times at most.
      const tries = (ctx.sentHeadlines.get(d.headline) ?? 0) + 1;
      if (res.status === 204 || tries >= 3) ctx.sentHeadlines.delete(d.headline);
      else ctx.sentHeadlines.set(d.headline, tries);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

/** A DELETE that waits out load shedding (503 + Retry-After: PGlite under load sheds too). */
async function deleteDraft(url: string, auth: Record<string, string>): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, { method: 'DELETE', headers: { ...auth, 'if-match': '"1"' } });
    if (res.status !== 503 || attempt >= 10) return res;
    await res.arrayBuffer();
    const wait = Number(res.headers.get('retry-after') ?? 1);
    await new Promise((r) => setTimeout(r, Math.min(10, Math.max(1, wait)) * 1000));
  }
}

/** The clean-up at the end: gives creates still in flight a few seconds to land, then deletes them. */
export async function finalTidy(ctx: ScenarioContext, baseUrl: string): Promise<void> {
  await tidy(ctx, baseUrl);
  for (let i = 0; i < 3 && ctx.sentHeadlines.size; i++) {
    await new Promise((r) => setTimeout(r, 1500));
    await tidy(ctx, baseUrl);
  }
}

type Req = autocannon.Request;
export type OnResponse = (status: number, body: string, context: object) => void;

/** Realistic new articles (~2 KB), each headline unique as in a real newsroom. */
export function articleBodies(ctx: ScenarioContext): () => { json: string; headline: string } {
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
  return () => {
    const n = ++ctx.serial;
    const base = bases[n % bases.length]!;
    // The mark first: slugs keep their first 80 characters, and one at the end of a long
    // headline was cut off, so the slugs of a base collided (the server then numbers them,
    // and tidy() could not find a draft whose 201 a run's end had cut off by its slug).
    const headline = `(${ctx.runTag}-${n}) ${base.headline}`;
    return { json: JSON.stringify({ ...base, headline }), headline };
  };
}

/**
 * POST /v1/articles. Each 201's id is kept so tidy() can delete the draft later; a request
 * whose answer a run's end cut off is known by its headline, whose slug is derived the way
 * the server derives it (headlines are unique, so no -2 suffix).
 */
export function kopijCreate(ctx: ScenarioContext): {
  make: (req: Req, context: Record<string, unknown>) => Req;
  onResponse: OnResponse;
} {
  const next = articleBodies(ctx);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${ctx.writeKey}` };
  const make = (req: Req, context: Record<string, unknown>): Req => {
    context.creating = true;
    const { json, headline } = next();
    ctx.sentHeadlines.set(headline, 0);
    return { ...req, method: 'POST', path: '/v1/articles', headers, body: json };
  };
  const onResponse: OnResponse = (status, text) => {
    if (status !== 201) return;
    const { id, headline } = JSON.parse(text) as { id: string; headline: string };
    ctx.sentHeadlines.delete(headline);
    ctx.created.push(id);
  };
  return { make, onResponse };
}

/**
 * PATCH with If-Match: the version sent is the last one this run saw for the article (the
 * sample's, then each 200's; tidy() asks for those whose answer a run's end cut
 * off). A concurrent PATCH of the same article can still win first: that is a 412, counted
 * apart and left out of req/s and latency, and its detail teaches the current version.
 */
export function kopijPatch(ctx: ScenarioContext): {
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
