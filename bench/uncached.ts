import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { kopijEnv } from './kopij.js';
import { buildServers, freePort, KOPIJ_SCRIPT, SERVER_NODE_FLAGS, startNode } from './servers.js';

/**
 * Every kind of read, uncached, one request at a time: the server on a loaded bench database
 * (`npm run bench` first) with RESPONSE_CACHE_SIZE=0, each URL timed `--rounds` times, the best
 * kept, slowest first. It finds plans that grow with the archive, which the load scenarios
 * (the hot paths, mostly cached) do not reach: a read that takes tens of milliseconds here
 * on 100k articles is worth an EXPLAIN.
 *
 *   npx tsx bench/uncached.ts [--rounds 3] [--no-build]      (BENCH_DATABASE_URL as for the bench)
 */
const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, 'no-build': { type: 'boolean', default: false } },
});
const databaseUrl = process.env.BENCH_DATABASE_URL || 'postgres://kopij:kopij@127.0.0.1:5432/kopij_bench';

/** Refs worth timing, from the data itself: the busiest and the quietest of each kind. */
async function sample() {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const one = async (text: string) => Object.values((await db.query(text)).rows[0] ?? {})[0] as string;
  const refs = {
    busyPerson: await one(`select p.slug from people p join article_people l on l.person_id = p.id
      group by p.slug order by count(*) desc limit 1`),
    quietPerson: await one(`select p.slug from people p join article_people l on l.person_id = p.id
      group by p.slug order by count(*) limit 1`),
    bigPlace: await one(`select p.slug from places p join places c on c.parent_id = p.id
      group by p.slug order by count(*) desc limit 1`),
    smallPlace: await one(`select p.slug from places p join article_places l on l.place_id = p.id
      group by p.slug order by count(*) limit 1`),
    tag: await one(`select t from articles, jsonb_array_elements_text(tags) t
      where status = 'published' group by t order by count(*) limit 1`),
    article: await one(`select slug from articles where status = 'published' order by published_at desc
      offset 5000 limit 1`),
    word: await one(`select word from ts_stat($$select search from articles
      where published_at > now() - interval '30 days'$$) where length(word) > 5 order by ndoc desc limit 1`),
  };
  await db.end();
  return refs;
}

function urls(r: Awaited<ReturnType<typeof sample>>): [string, 'public' | 'editor'][] {
  const pub = [
    '/v1/articles?limit=20',
    '/v1/articles?limit=20&sort=publishedAt',
    '/v1/articles?limit=20&sort=-updatedAt',
    '/v1/articles?limit=20&language=fr',
    `/v1/articles?limit=20&tag=${encodeURIComponent(r.tag)}`,
    `/v1/articles?limit=20&person=${r.busyPerson}`,
    `/v1/articles?limit=20&person=${r.quietPerson}`,
    `/v1/articles?limit=20&place=${r.bigPlace}`,
    `/v1/articles?limit=20&place=${r.smallPlace}`,
    '/v1/articles?limit=20&publishedBefore=2020-01-01T00:00:00Z',
    `/v1/articles?limit=20&q=${r.word}`,
    `/v1/articles?limit=20&q=${r.word}&sort=-publishedAt`,
    `/v1/articles?limit=20&q=${r.word}&language=nl&tag=${encodeURIComponent(r.tag)}`,
    '/v1/articles?limit=20&include=people,places,quotes',
    `/v1/articles/${r.article}?include=people,places,quotes`,
    `/v1/articles/${r.article}/ninjs`,
    '/v1/people?limit=20',
    '/v1/people?limit=20&q=vries',
    `/v1/people/${r.busyPerson}/articles?limit=20`,
    `/v1/people/${r.busyPerson}/quotes?limit=20`,
    '/v1/places?limit=20&q=sluis',
    `/v1/places/${r.bigPlace}/articles?limit=20`,
    '/v1/quotes?limit=20',
    `/v1/quotes?limit=20&q=${r.word}`,
    `/v1/quotes?limit=20&person=${r.busyPerson}`,
    `/v1/quotes?limit=20&place=${r.bigPlace}`,
    '/v1/changes?limit=100',
    '/v1/feeds/articles.atom',
    `/v1/feeds/articles.atom?place=${r.bigPlace}`,
  ];
  const editor = [
    '/v1/articles?limit=20',
    '/v1/articles?limit=20&status=draft',
    '/v1/articles?limit=20&sort=-updatedAt',
    `/v1/articles?limit=20&tag=${encodeURIComponent(r.tag)}`,
    `/v1/articles?limit=20&q=${r.word}`,
    '/v1/quotes?limit=20',
  ];
  return [
    ...pub.map((u) => [u, 'public'] as [string, 'public']),
    ...editor.map((u) => [u, 'editor'] as [string, 'editor']),
  ];
}

if (!values['no-build']) buildServers();
const refs = await sample();
const port = await freePort();
const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
const server = await startNode({
  name: 'kopij',
  script: KOPIJ_SCRIPT,
  nodeArgs: SERVER_NODE_FLAGS,
  env: kopijEnv(port, adminKey, { kind: 'postgres', url: databaseUrl }, false),
  port,
  readyPath: '/readyz',
});
try {
  const key = await fetch(`${server.url}/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'uncached reads', scopes: ['preview'] }),
  });
  const { secret } = (await key.json()) as { secret: string };
  const timed: { ms: number; status: number; who: string; url: string }[] = [];
  for (const [url, who] of urls(refs)) {
    const headers: Record<string, string> = who === 'editor' ? { authorization: `Bearer ${secret}` } : {};
    let best = Number.POSITIVE_INFINITY;
    let status = 0;
    for (let i = 0; i < Number(values.rounds); i++) {
      const start = performance.now();
      const res = await fetch(`${server.url}${url}`, { headers });
      await res.arrayBuffer();
      best = Math.min(best, performance.now() - start);
      status = res.status;
    }
    timed.push({ ms: best, status, who, url });
  }
  for (const t of timed.sort((a, b) => b.ms - a.ms))
    console.log(`${t.ms.toFixed(1).padStart(8)} ms  ${t.status}  ${t.who.padEnd(6)}  ${t.url}`);
} finally {
  await server.stop();
}
