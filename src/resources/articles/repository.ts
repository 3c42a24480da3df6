import { and, count, eq, getTableColumns, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { completionSql, type IdempotencyRecord } from '../../content/idempotency.js';
import { type Audience, changeLogCtes } from '../../content/write.js';
import type { Executor } from '../../db/client.js';
import { driverRows, preparedPerDb } from '../../db/prepared.js';
import { articles, quotes } from '../../db/schema.js';
import { isUuid, splitRef } from '../../http/fields.js';
import { PUBLIC_VISIBILITY, type Visibility } from '../../plugins/auth.js';
import { type EmbeddedRow, includeColumns, includeKey } from './includes.js';
import type { Article, ArticleStatus, Block, Include } from './schemas.js';
import { articleVisible, VISIBILITIES, type VisibilityKey, visibilityKey } from './visibility.js';

// The generated tsvector is for the index and ranking only; never fetch it.
const { search: _search, ...storedColumns } = getTableColumns(articles);

/**
 * Every column the API shows. The ordered people and places ids are columns too, copies of the
 * link tables (migration 0009): a read looks nothing up.
 */
export const articleColumns = storedColumns;

export type ArticleRow = Omit<typeof articles.$inferSelect, 'search'>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toArticle(r: ArticleRow): Article {
  return articleWithBody(r, r.body as Block[]);
}

/**
 * The API's article from a row, with `body` as given: parsed blocks (toArticle), or the text a
 * list page sends on as stored (page-json.ts).
 */
export function articleWithBody<B>(
  r: Omit<ArticleRow, 'body'>,
  body: B,
): Omit<Article, 'body'> & { body: B } {
  return {
    id: r.id,
    slug: r.slug,
    language: r.language,
    headline: r.headline,
    standfirst: r.standfirst,
    body,
    byline: r.byline,
    credit: r.credit,
    tags: r.tags,
    personIds: r.personIds,
    placeIds: r.placeIds,
    canonicalUrl: r.canonicalUrl,
    status: r.status as ArticleStatus,
    publishedAt: iso(r.publishedAt),
    firstPublishedAt: iso(r.firstPublishedAt),
    embargoedUntil: iso(r.embargoedUntil),
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/**
 * PostgreSQL's text of a timestamptz as the API writes it (Date's toISOString: milliseconds,
 * Z). A session in UTC writes `2026-12-07 11:47:03.123456+00`, rewritten here as text: a list
 * page has 84 of them, and a Date made and written again costs about 1 µs each. Any other
 * form (another time zone, a year past 9999) goes through Date.
 */
export function apiTimestamp(text: string): string {
  const n = text.length;
  if (n >= 22 && n <= 29 && text[4] === '-' && text[10] === ' ' && text.endsWith('+00')) {
    const fraction = text[19] === '.' ? text.slice(20, n - 3) : '';
    const ms = fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0');
    return `${text.slice(0, 10)}T${text.slice(11, 19)}.${ms}Z`;
  }
  return new Date(text).toISOString();
}

type Stamped = 'publishedAt' | 'firstPublishedAt' | 'embargoedUntil' | 'createdAt' | 'updatedAt';

/** An article's columns with `body` as given and each timestamp made by `stamp`. */
type DriverArticle<B, S> = Omit<Article, 'body' | Stamped> & { body: B } & {
  publishedAt: S | null;
  firstPublishedAt: S | null;
  embargoedUntil: S | null;
  createdAt: S;
  updatedAt: S;
};

/**
 * A row as a prepared statement's `.all()` hands it over (keyed by SQL column name, timestamps
 * as PostgreSQL's text, JSON parsed) into an article's fields. By hand: drizzle's mapping is
 * generic per field and row, about 8% of a list page's CPU; this is what it does for these
 * columns.
 */
function driverArticle<B, S>(
  r: Record<string, unknown>,
  body: B,
  stamp: (text: string) => S,
): DriverArticle<B, S> {
  const at = (v: unknown) => (v === null ? null : stamp(v as string));
  return {
    id: r.id as string,
    slug: r.slug as string,
    language: r.language as string,
    headline: r.headline as string,
    standfirst: r.standfirst as string | null,
    body,
    byline: r.byline as string | null,
    credit: r.credit as string | null,
    tags: r.tags as string[],
    personIds: r.person_ids as string[],
    placeIds: r.place_ids as string[],
    canonicalUrl: r.canonical_url as string | null,
    status: r.status as ArticleStatus,
    publishedAt: at(r.published_at),
    firstPublishedAt: at(r.first_published_at),
    embargoedUntil: at(r.embargoed_until),
    version: r.version as number,
    createdAt: stamp(r.created_at as string),
    updatedAt: stamp(r.updated_at as string),
  };
}

const toDate = (text: string) => new Date(text);

/** A prepared statement's row as drizzle's own mapping would have made it, with the included relations. */
export function articleRowFromDriver(r: Record<string, unknown>): ArticleRow & EmbeddedRow {
  return Object.assign(driverArticle(r, r.body as unknown[], toDate), {
    people: r.people ?? null,
    places: r.places ?? null,
    quotes: r.quotes ?? null,
  });
}

/**
 * A listed article as the API shows it, straight from a prepared statement's row, its body the
 * stored JSON text: no Date, no parsed blocks.
 */
export function listedArticleFromDriver<B>(
  r: Record<string, unknown>,
  body: B,
): Omit<Article, 'body'> & { body: B } {
  return driverArticle(r, body, apiTimestamp);
}

/** The condition "this row is the one the ref names": a ref is an id or a slug. */
export function articleRef(ref: string): SQL {
  return isUuid(ref) ? eq(articles.id, ref.toLowerCase()) : eq(articles.slug, ref);
}

type ReadKey = `${'id' | 'slug'}_${VisibilityKey}_${string}`;

/**
 * One article by id or by slug, for one visibility, with the relations asked for: one
 * prepared statement per variant. The visibility rule stays SQL (now() decides embargoes at
 * each run), only the ref is a parameter.
 */
const articleRead = preparedPerDb('kopij_article', (db, key: ReadKey, name) => {
  const [by, vis, includes] = key.split('_', 3) as ['id' | 'slug', VisibilityKey, string];
  const include = includes === 'none' ? [] : (includes.split('-') as Include[]);
  const column = by === 'id' ? articles.id : articles.slug;
  return db
    .select({ ...articleColumns, ...includeColumns(include) })
    .from(articles)
    .where(and(eq(column, sql.placeholder('ref')), articleVisible(VISIBILITIES[vis])))
    .limit(1)
    .prepare(name);
});

/**
 * An article by id or slug, only if the caller may see it: otherwise it does not exist.
 * With `include`, the related people, places and quotes come in the same statement.
 */
export async function findArticle(
  tx: Executor,
  ref: string,
  v: Visibility,
  include?: readonly Include[],
): Promise<(ArticleRow & EmbeddedRow) | undefined> {
  const { by, value } = splitRef(ref);
  const key: ReadKey = `${by}_${visibilityKey(v)}_${includeKey(include)}`;
  const [row] = await driverRows(articleRead(tx, key), { ref: value });
  return row && articleRowFromDriver(row);
}

/** Whether anonymous readers can see the article now. */
export async function isPublic(tx: Executor, id: string): Promise<boolean> {
  return (await audienceOf(tx, id)) === 'public';
}

/**
 * Who may see the article now, by the one visibility rule: everyone, partners with the
 * embargo scope (published but under embargo), or editors only. Decides a change's audience;
 * a column, so a write can return it with the row it changed.
 */
const audienceColumn = sql<Audience>`case when ${articleVisible(PUBLIC_VISIBILITY)} then 'public'
  when ${articleVisible(VISIBILITIES.embargo)} then 'embargo' else 'private' end`;

export async function audienceOf(tx: Executor, id: string): Promise<Audience> {
  const [row] = await tx.select({ audience: audienceColumn }).from(articles).where(eq(articles.id, id));
  return row?.audience ?? 'private';
}

const LINKS = {
  person: { ids: 'personIds', table: 'article_people', column: 'person_id', target: 'people' },
  place: { ids: 'placeIds', table: 'article_places', column: 'place_id', target: 'places' },
} as const;

export type LinkKind = keyof typeof LINKS;
type LinkLists = { personIds?: readonly string[] | undefined; placeIds?: readonly string[] | undefined };
type UnknownLink = { kind: LinkKind; index: number };

/** A PostgreSQL array literal of validated UUIDs, which need no quoting or escaping. */
/** A list of uuids as one PostgreSQL array literal, to bind as a single parameter (`::uuid[]`). */
export const uuidArray = (ids: readonly string[]) => `{${ids.join(',')}}`;

/** The lists given (a fresh article's empty lists have nothing to do), people before places. */
function givenLinks(lists: LinkLists, fresh: boolean) {
  return (Object.keys(LINKS) as LinkKind[])
    .map((kind) => ({
      kind,
      ...LINKS[kind],
      list: lists[LINKS[kind].ids],
      ids: sql`${uuidArray((lists[LINKS[kind].ids] ?? []).map(lower))}::uuid[]`,
    }))
    .filter((l) => l.list && (l.list.length > 0 || !fresh));
}

/**
 * For each given list, CTEs `<kind>_ids` (id, 1-based pos) and `<kind>_unknown` (the first
 * pos naming no stored row), and the select list that reads those positions.
 */
function linkChecks(given: ReturnType<typeof givenLinks>): { ctes: SQL; unknown: SQL } {
  const ctes = given.map(
    ({ kind, target, ids }) => sql`${sql.raw(`${kind}_ids`)}(id, pos) as (
      select id, pos::int from unnest(${ids}) with ordinality as x(id, pos)),
      ${sql.raw(`${kind}_unknown`)} as (select min(pos) as pos from ${sql.raw(`${kind}_ids`)} l
        where not exists (select 1 from ${sql.raw(target)} r where r.id = l.id))`,
  );
  const unknown = given.map((l) => sql.raw(`(select pos from ${l.kind}_unknown) as ${l.kind}`));
  return { ctes: sql.join(ctes, sql`, `), unknown: sql.join(unknown, sql`, `) };
}

function firstUnknown(
  given: ReturnType<typeof givenLinks>,
  row: Partial<Record<LinkKind, number | null>> | undefined,
): UnknownLink | undefined {
  for (const { kind } of given) {
    const pos = row?.[kind];
    if (pos !== null && pos !== undefined) return { kind, index: Number(pos) - 1 };
  }
  return undefined;
}

/**
 * Sets the article's people and/or places (a list not given stays as it is) in one statement
 * that first checks that every id names a stored row, and writes nothing unless all do.
 * Returns the first unknown id (people before places), for the 422 that names its index.
 * `fresh`: the article was inserted in this transaction, so it has no links to remove.
 */
export async function setArticleLinks(
  tx: Executor,
  articleId: string,
  lists: LinkLists,
  fresh: boolean,
): Promise<UnknownLink | undefined> {
  const given = givenLinks(lists, fresh);
  if (given.length === 0) return undefined;
  const checks = linkChecks(given);
  const writes: SQL[] = [];
  for (const { kind, table, column, ids } of given) {
    const [t, c] = [sql.raw(table), sql.raw(column)];
    if (!fresh)
      writes.push(sql`${sql.raw(`${kind}_removed`)} as (delete from ${t}
        where article_id = ${articleId} and ${c} <> all(${ids}) and (select ok from ok))`);
    writes.push(sql`${sql.raw(`${kind}_added`)} as (insert into ${t} (article_id, ${c}, position)
      select ${articleId}, id, pos - 1 from ${sql.raw(`${kind}_ids`)} where (select ok from ok)
      on conflict (article_id, ${c}) do update set position = excluded.position)`);
  }
  const ok = given.map((l) => sql.raw(`(select pos from ${l.kind}_unknown) is null`));
  const result = (await tx.execute(sql`with ${checks.ctes},
    ok as (select ${sql.join(ok, sql` and `)} as ok),
    ${sql.join(writes, sql`, `)}
    select ${checks.unknown}`)) as unknown as { rows: Partial<Record<LinkKind, number | null>>[] };
  return firstUnknown(given, result.rows[0]);
}

const dialect = new PgDialect();
const p = (name: string) => sql.placeholder(name);
/** A PostgreSQL array literal of strings, each quoted (a bare `null` would read as NULL). */
const textArray = (items: readonly string[]) =>
  `{${items.map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/**
 * A new draft in one statement, which PostgreSQL commits by itself: the row, its people and
 * places, the revision, the change and the Idempotency-Key record, or none of them. Its text
 * never changes, so it is prepared once per connection and rendered once per process.
 * The slug is the one given, else the first free of the candidates (none free: null, which
 * fails the insert with 23502); the revision and the idempotency answer get it from the row.
 * An unknown person or place fails the insert on a foreign key (23503).
 */
const createStatement = preparedPerDb('kopij_create', (db, _key: 'article', name) => {
  const links = (Object.keys(LINKS) as LinkKind[]).map((kind) => {
    const { ids, table, column } = LINKS[kind];
    return sql`${sql.raw(`${kind}_added`)} as (
      insert into ${sql.raw(table)} (article_id, ${sql.raw(column)}, position)
      select ${p('id')}::uuid, id, pos - 1 from unnest(${p(ids)}::uuid[]) with ordinality as x(id, pos))`;
  });
  // The people and places it names, locked FOR KEY SHARE (as its foreign keys will be) before
  // the change log's lock: the foreign keys alone take theirs at the statement's end, after it.
  // An edit changing a person's slug holds that row FOR UPDATE and takes the log's lock last,
  // so a create holding the log's lock while waiting for the row would deadlock with it.
  const named = (Object.keys(LINKS) as LinkKind[]).map((kind) => {
    const { ids, target } = LINKS[kind];
    return sql`${sql.raw(`${kind}_named`)} as materialized (
      select id from ${sql.raw(target)} where id = any(${p(ids)}::uuid[]) for key share)`;
  });
  const namedFirst = sql.raw(
    (Object.keys(LINKS) as LinkKind[]).map((kind) => `(select count(*) from ${kind}_named)`).join(' + ') +
      ' >= 0',
  );
  const snapshot = sql`(select data from snapshot)`;
  const statement = sql`with ${sql.join(named, sql`, `)},
    chosen as (
      select coalesce(${p('slug')}::text, (
        select c from unnest(${p('candidates')}::text[]) with ordinality as x(c, n)
        where not exists (select 1 from ${articles} a where a.slug = x.c)
        order by n limit 1)) as slug),
    article as (
      insert into ${articles} (id, slug, language, headline, standfirst, body, byline, credit, tags,
        person_ids, place_ids, canonical_url, status, embargoed_until, version, created_at, updated_at)
      values (${p('id')}, (select slug from chosen), ${p('language')}, ${p('headline')},
        ${p('standfirst')}, ${p('body')}, ${p('byline')}, ${p('credit')}, ${p('tags')},
        to_jsonb(${p('personIds')}::uuid[]), to_jsonb(${p('placeIds')}::uuid[]),
        ${p('canonicalUrl')}, 'draft', ${p('embargoedUntil')}, 1, ${p('now')}, ${p('now')})
      returning slug),
    ${sql.join(links, sql`, `)},
    snapshot as (select jsonb_set(${p('data')}::jsonb, '{slug}', to_jsonb(slug)) as data from article),
    ${sql.join(
      changeLogCtes(
        {
          type: 'article',
          id: p('id'),
          version: 1,
          action: 'created',
          audience: 'private',
          actor: p('actor'),
          at: p('now'),
          data: snapshot,
        },
        true,
        namedFirst,
      ),
      sql`, `,
    )},
    idempotency as (${completionSql(
      { status: 201, headers: p('idemHeaders'), principal: p('idemPrincipal'), key: p('idemKey') },
      snapshot,
    )}),
    -- The row's person_ids/place_ids come from the same lists as its links: the link-id
    -- triggers need not recompute them (migration 0010).
    own_links as (select set_config('kopij.link_ids', 'written', true))
    select slug from article, own_links`;
  return db._.session.prepareQuery(dialect.sqlToQuery(statement), undefined, name, false);
});

/**
 * Writes a new draft (see createStatement) and returns the slug it got: `slug` when given, else
 * the first free of `candidates`. A new draft is private, and no release can be pending for a
 * row that did not exist, so nothing else is written.
 */
export async function insertNewArticle(
  db: Executor,
  a: {
    row: ArticleRow;
    slug: string | undefined;
    candidates: readonly string[];
    actor: string;
    idempotency: IdempotencyRecord | undefined;
  },
): Promise<string> {
  const { row } = a;
  const result = (await createStatement(db, 'article').execute({
    id: row.id,
    slug: a.slug ?? null,
    candidates: textArray(a.slug === undefined ? a.candidates : []),
    language: row.language,
    headline: row.headline,
    standfirst: row.standfirst,
    body: JSON.stringify(row.body),
    byline: row.byline,
    credit: row.credit,
    tags: JSON.stringify(row.tags),
    canonicalUrl: row.canonicalUrl,
    embargoedUntil: row.embargoedUntil?.toISOString() ?? null,
    now: row.createdAt.toISOString(),
    personIds: uuidArray(row.personIds),
    placeIds: uuidArray(row.placeIds),
    data: JSON.stringify(toArticle(row)),
    actor: a.actor,
    idemHeaders: a.idempotency ? JSON.stringify(a.idempotency.headers) : null,
    idemPrincipal: a.idempotency?.principal ?? null,
    idemKey: a.idempotency?.key ?? null,
  })) as unknown as { rows: { slug: string }[] };
  return result.rows[0]!.slug;
}

/** The first id in the lists that names no stored row (people before places), if any. */
export async function firstUnknownLink(tx: Executor, lists: LinkLists): Promise<UnknownLink | undefined> {
  const given = givenLinks(lists, true);
  if (given.length === 0) return undefined;
  const checks = linkChecks(given);
  const result = (await tx.execute(sql`with ${checks.ctes} select ${checks.unknown}`)) as unknown as {
    rows: Partial<Record<LinkKind, number | null>>[];
  };
  return firstUnknown(given, result.rows[0]);
}

const lower = (s: string) => s.toLowerCase();

export async function articleById(tx: Executor, id: string): Promise<ArticleRow> {
  const [row] = await tx.select(articleColumns).from(articles).where(eq(articles.id, id));
  return row!;
}

/**
 * Updates the row and bumps its version, only if the version is `ifMatch` (or any for '*'),
 * and returns it as stored with its audience after the change: undefined when nothing matched.
 * Under READ COMMITTED a concurrent writer's UPDATE waits for the row lock and then re-checks
 * the version, so of two writers holding the same version exactly one matches.
 */
export async function updateArticle(
  tx: Executor,
  id: string,
  values: Partial<typeof articles.$inferInsert>,
  ifMatch: number | '*',
): Promise<(ArticleRow & { audience: Audience }) | undefined> {
  const [row] = await tx
    .update(articles)
    .set({ ...values, version: sql`${articles.version} + 1` })
    .where(ifMatch === '*' ? eq(articles.id, id) : and(eq(articles.id, id), eq(articles.version, ifMatch)))
    .returning({ ...articleColumns, audience: audienceColumn });
  return row;
}

export async function deleteArticle(tx: Executor, id: string): Promise<void> {
  await tx.delete(articles).where(eq(articles.id, id));
}

/** How many quotes were taken from the article (a delete must wait for them). */
export async function quotesOfArticle(tx: Executor, id: string): Promise<number> {
  const [q] = await tx.select({ n: count() }).from(quotes).where(eq(quotes.articleId, id));
  return q?.n ?? 0;
}
