import { getTableColumns, sql } from 'drizzle-orm';
import type { PgInsertValue, PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createDb, type Database, type Executor } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrate.js';
import {
  articlePeople,
  articlePlaces,
  articles,
  changes,
  pendingReleases,
  people,
  places,
  quotes,
  revisions,
  settings,
} from '../src/db/schema.js';
import { type Batch, type DatasetSize, generate } from './dataset.js';
import { fmt, Progress } from './progress.js';

/** Where the benchmark's data lives: a PostgreSQL database it owns, or a PGlite directory. */
export type Target =
  | { kind: 'postgres'; url: string; adminUrl: string }
  | { kind: 'pglite'; dataDir: string };

/**
 * The loader's connection: a bulk job, so statements (a 250-article INSERT, VACUUM) may run
 * for minutes, and a transaction waits as long as it takes for one of the pool's slots.
 */
export function openTarget(target: Target): Promise<Database> {
  const bulk = { DB_POOL_SIZE: '4', DB_STATEMENT_TIMEOUT_MS: '3600000', DB_LOCK_TIMEOUT_MS: '600000' };
  const env =
    target.kind === 'postgres' ? { DATABASE_URL: target.url, ...bulk } : { DATA_DIR: target.dataDir };
  return createDb(loadConfig(env));
}

/** Drops and creates the bench database through the admin connection. */
export async function recreatePostgres(target: Extract<Target, { kind: 'postgres' }>): Promise<void> {
  const name = new URL(target.url).pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`refusing odd database name ${JSON.stringify(name)}`);
  const admin = new pg.Client({ connectionString: target.adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
}

// Far below PostgreSQL's 65,535 bind parameters per statement.
const MAX_PARAMS = 30_000;

async function insertChunked<T extends PgTable>(
  tx: Executor,
  table: T,
  rows: T['$inferInsert'][] | undefined,
) {
  if (!rows?.length) return;
  const per = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(getTableColumns(table)).length));
  for (let i = 0; i < rows.length; i += per) {
    await tx.insert(table).values(rows.slice(i, i + per) as PgInsertValue<T>[]);
  }
}

/** Foreign keys decide the order: what is referred to goes first. */
async function insertBatch(db: Database['db'], b: Batch): Promise<void> {
  await db.transaction(async (tx) => {
    await insertChunked(tx, people, b.people);
    await insertChunked(tx, places, b.places);
    await insertChunked(tx, articles, b.articles);
    await insertChunked(tx, articlePeople, b.articlePeople);
    await insertChunked(tx, articlePlaces, b.articlePlaces);
    await insertChunked(tx, quotes, b.quotes);
    await insertChunked(tx, revisions, b.revisions);
    await insertChunked(tx, changes, b.changes);
    await insertChunked(tx, pendingReleases, b.pendingReleases);
  });
}

interface IndexDef {
  name: string;
  def: string;
}

/**
 * Secondary indexes (not primary keys or constraints' own) on the tables the loader fills,
 * as the migrations made them. Building a GIN or btree index once over the loaded rows is far
 * cheaper than maintaining it row by row: the tsvector GIN entries were most of the load time.
 */
async function dropSecondaryIndexes(db: Database['db']): Promise<IndexDef[]> {
  const tables = [
    'people',
    'places',
    'articles',
    'article_people',
    'article_places',
    'quotes',
    'revisions',
    'changes',
  ];
  const found = await rows<IndexDef>(
    db,
    sql`select c.relname as name, pg_get_indexdef(i.indexrelid) as def
        from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
        join pg_namespace n on n.oid = t.relnamespace
        where n.nspname = 'public' and t.relname in (${sql.join(
          tables.map((t) => sql`${t}`),
          sql`, `,
        )})
          and not i.indisprimary
          and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`,
  );
  for (const ix of found) await db.execute(sql`drop index ${sql.identifier(ix.name)}`);
  return found;
}

/** Builds the dropped indexes again, with the memory a bulk build wants. */
async function recreateIndexes(db: Database['db'], indexes: IndexDef[]): Promise<void> {
  process.stderr.write(`  building ${indexes.length} indexes…\n`);
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local maintenance_work_mem = '256MB'`);
    for (const ix of indexes) await tx.execute(sql.raw(ix.def));
  });
}

/**
 * Fills a migrated, empty database with the generated dataset through the real schema
 * (multi-row INSERTs in one transaction per batch), then VACUUM ANALYZE so the planner
 * and the visibility map are in the state a long-running archive's would be.
 */
export async function loadDataset(
  database: Database,
  size: DatasetSize,
  seed: number,
  cursorSecret: string,
): Promise<{ seconds: number }> {
  const started = Date.now();
  await runMigrations(database);
  await database.db.insert(settings).values({ key: 'cursor_secret', value: cursorSecret });
  const indexes = await dropSecondaryIndexes(database.db);
  const bars = {
    people: new Progress('people', size.people),
    places: new Progress('places', size.places),
    articles: new Progress('articles', size.articles),
  };
  // Two article batches in flight: PostgreSQL computes the tsvectors of one (most of the load time)
  // while the other commits and the next is generated. People and places finish first, as
  // articles and quotes refer to them (and places to earlier places: one at a time).
  const inflight = new Set<Promise<void>>();
  let current: Batch['kind'] | undefined;
  for (const b of generate(size, seed)) {
    if (current !== b.kind) {
      await Promise.all(inflight);
      if (current) bars[current].finish();
      current = b.kind;
    }
    while (inflight.size >= (b.kind === 'articles' ? 2 : 1)) await Promise.race(inflight);
    const p: Promise<void> = insertBatch(database.db, b).then(() => {
      inflight.delete(p);
      bars[b.kind].add(b.count);
    });
    p.catch(() => undefined);
    inflight.add(p);
  }
  await Promise.all(inflight);
  if (current) bars[current].finish();
  await recreateIndexes(database.db, indexes);
  process.stderr.write('  vacuum analyze…\n');
  await database.db.execute(sql`vacuum analyze`);
  return { seconds: (Date.now() - started) / 1000 };
}

/** What the scenarios pick their requests from, read back from the loaded database. */
export interface Sample {
  articles: { id: string; slug: string; version: number }[];
  /** published_at values to start keyset pages from. */
  before: string[];
  /** The most mentioned people (slugs): "articles of a person" pages that have content. */
  people: string[];
  personIds: string[];
  placeIds: string[];
  tags: string[];
  maxSeq: number;
  counts: Record<string, number>;
}

async function rows<T>(db: Database['db'], query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

export async function readSample(database: Database, n = 2000): Promise<Sample> {
  const { db } = database;
  // Anonymous readers' visibility: published, and any embargo already lifted.
  const visible = sql`status = 'published' and (embargoed_until is null or embargoed_until <= now())`;
  const picked = await rows<{ id: string; slug: string; version: number; published_at: string }>(
    db,
    sql`select id, slug, version, published_at::text from articles where ${visible} order by random() limit ${n}`,
  );
  // The most mentioned people and most used tags among what readers can see: the lists they
  // drive show visible articles only. Counted over every article, a tag only drafts carry (an
  // editor's working tag, or a bench run's own leftovers) could make the sample.
  const top = await rows<{ slug: string }>(
    db,
    sql`select p.slug from people p join article_people ap on ap.person_id = p.id
        join articles on articles.id = ap.article_id where ${visible}
        group by p.id order by count(*) desc limit 50`,
  );
  const tags = await rows<{ tag: string }>(
    db,
    sql`select t as tag from articles, jsonb_array_elements_text(tags) t where ${visible}
        group by t order by count(*) desc limit 10`,
  );
  const personIds = await rows<{ id: string }>(db, sql`select id from people order by random() limit 200`);
  const placeIds = await rows<{ id: string }>(db, sql`select id from places order by random() limit 200`);
  const [seq] = await rows<{ max: string | null }>(db, sql`select max(seq)::text as max from changes`);
  const counts: Record<string, number> = {};
  for (const t of ['articles', 'people', 'places', 'quotes', 'revisions', 'changes']) {
    const [c] = await rows<{ n: string }>(db, sql`select count(*)::text as n from ${sql.identifier(t)}`);
    counts[t] = Number(c?.n ?? 0);
  }
  if (!picked.length) throw new Error('the database holds no published articles to benchmark');
  process.stderr.write(
    `  dataset: ${Object.entries(counts)
      .map(([k, v]) => `${fmt(v)} ${k}`)
      .join(', ')}\n`,
  );
  return {
    articles: picked.map((r) => ({ id: r.id, slug: r.slug, version: Number(r.version) })),
    before: picked.map((r) => new Date(r.published_at).toISOString()),
    people: top.map((r) => r.slug),
    personIds: personIds.map((r) => r.id),
    placeIds: placeIds.map((r) => r.id),
    tags: tags.map((r) => r.tag),
    maxSeq: Number(seq?.max ?? 0),
    counts,
  };
}

/** The cursor secret the loader stored (a reused database keeps its own). */
export async function storedCursorSecret(database: Database): Promise<string | undefined> {
  const [row] = await rows<{ value: string }>(
    database.db,
    sql`select value from settings where key = 'cursor_secret'`,
  );
  return row?.value;
}
