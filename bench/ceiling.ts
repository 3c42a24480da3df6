import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { uuidv7 } from 'uuidv7';
import { TOPICS } from './corpus.js';
import { Rng } from './random.js';
import { body, headline, type Subject, standfirst } from './text.js';

/**
 * The bare ceilings Kopij is measured against, one kind per process:
 *   static  GET /static        a fixed ~2 KB article as JSON (the HTTP ceiling)
 *   item    GET /articles/:id  one primary-key SELECT on the same table (the naive server)
 *   list    GET /articles      a 20-row keyset page by published_at
 *   insert  POST /articles     one single-row INSERT of the posted article
 * Plain Fastify, no schemas, no plugins, pg with the same pool size Kopij uses by default
 * (or PGlite on a copy of the data directory for --embedded runs).
 */
const { values } = parseArgs({
  options: {
    kind: { type: 'string' },
    port: { type: 'string' },
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
    'pool-size': { type: 'string', default: '10' },
  },
});

type Query = (text: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

async function connect(): Promise<{ query: Query; close(): Promise<void> }> {
  if (values['database-url']) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: values['database-url'], max: Number(values['pool-size']) });
    return { query: (text, params) => pool.query(text, params), close: () => pool.end() };
  }
  if (values['data-dir']) {
    // Only the embedded run pays for loading PGlite (it counts in the ceiling's RSS).
    const { openPglite } = await import('../src/db/client.js');
    const db = await openPglite(values['data-dir']);
    return { query: (text, params) => db.query(text, params), close: () => db.close() };
  }
  return { query: () => Promise.reject(new Error('no database')), close: async () => undefined };
}

const COLUMNS = `id, slug, language, headline, standfirst, body, byline, credit, tags, canonical_url,
  status, published_at, first_published_at, embargoed_until, version, created_at, updated_at`;

/** About 2 KB of JSON, built once: what the HTTP ceiling serves on every request. */
function fixedArticle() {
  const rng = new Rng(7);
  const s: Subject = { language: 'nl', topic: TOPICS[0]!, people: ['Volodymyr Zelensky'], places: ['Kiev'] };
  const now = new Date().toISOString();
  return {
    id: '01890a5d-ac96-774b-bcce-b302099a8057',
    slug: 'zelensky-alleen-onderhandelingen-kunnen-deze-oorlog-beeindigen',
    language: 'nl',
    headline: headline(s, rng),
    standfirst: standfirst(s, rng),
    body: body(s, rng, 1100),
    tags: ['oorlog in Oekraïne'],
    status: 'published',
    publishedAt: now,
    version: 2,
    createdAt: now,
    updatedAt: now,
  };
}

const db = await connect();
/** Rows the insert ceiling wrote, deleted on shutdown so the shared database stays as loaded. */
const inserted: string[] = [];
const writing = new Set<Promise<unknown>>();
const app = Fastify({ logger: false });
app.get('/ready', async () => ({ ok: true }));

switch (values.kind) {
  case 'static': {
    const article = fixedArticle();
    app.get('/static', async () => article);
    break;
  }
  case 'item':
    app.get<{ Params: { id: string } }>('/articles/:id', async (request, reply) => {
      const { rows } = await db.query(`select ${COLUMNS} from articles where id = $1`, [request.params.id]);
      if (!rows[0]) return reply.code(404).send({ error: 'not found' });
      return rows[0];
    });
    break;
  case 'list':
    app.get<{ Querystring: { before?: string } }>('/articles', async (request) => {
      const { rows } = await db.query(
        `select ${COLUMNS} from articles where status = 'published' and published_at < $1
         order by published_at desc, id desc limit 21`,
        [request.query.before ?? new Date().toISOString()],
      );
      const last = rows[19];
      return { data: rows.slice(0, 20), next: rows.length > 20 && last ? last.published_at : null };
    });
    break;
  case 'insert':
    app.post<{ Body: Record<string, unknown> }>('/articles', async (request, reply) => {
      const b = request.body;
      const id = uuidv7();
      inserted.push(id);
      const now = new Date();
      const insert = db.query(
        `insert into articles (id, slug, language, headline, standfirst, body, byline, credit, tags,
           canonical_url, status, version, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', 1, $11, $11)`,
        [
          id,
          id,
          b.language,
          b.headline,
          b.standfirst ?? null,
          JSON.stringify(b.body ?? []),
          b.byline ?? null,
          b.credit ?? null,
          JSON.stringify(b.tags ?? []),
          b.canonicalUrl ?? null,
          now,
        ],
      );
      writing.add(insert);
      await insert.finally(() => writing.delete(insert));
      return reply.code(201).send({ id });
    });
    break;
  default:
    throw new Error(`unknown ceiling kind ${values.kind}`);
}

const close = async () => {
  await app.close();
  // An INSERT whose client hung up may still be running: it must land before the clean-up.
  await Promise.allSettled([...writing]);
  for (let i = 0; i < inserted.length; i += 1000)
    await db.query('delete from articles where id = any($1::uuid[])', [inserted.slice(i, i + 1000)]);
  await db.close();
  process.exit(0);
};
process.once('SIGTERM', close);
process.once('SIGINT', close);
await app.listen({ port: Number(values.port), host: '127.0.0.1' });
