import { and, eq, type Placeholder, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.js';
import { driverRows, preparedPerDb } from '../../db/prepared.js';
import { articles, editorDate, publishedTags } from '../../db/schema.js';
import { validationError } from '../../errors.js';
import type { CursorCodec } from '../../http/cursor.js';
import { afterCursor, orderBy, type SortDirection, TS } from '../../http/list.js';
import type { Visibility } from '../../plugins/auth.js';
import { aboutPlaces, mentionsPerson, type ResolvedRefs, resolveRefs } from './filters.js';
import { type EmbeddedRow, includeColumns, includeKey } from './includes.js';
import type { StoredJson } from './page-json.js';
import {
  type ArticleRow,
  articleColumns,
  articleWithBody,
  listedArticleFromDriver,
  uuidArray,
} from './repository.js';
import { ARTICLE_SORTS, type Article, type ArticlesQuery, type Block } from './schemas.js';
import { matches, QUERY, queryRelation, rank, rankedHits, SEARCH_CANDIDATES } from './search.js';
import { articleVisible, visibilityKey } from './visibility.js';

/** An article of a list as the API shows it, its body the JSON text as stored (not parsed). */
export type ListedArticleFields = Omit<Article, 'body'> & { body: StoredJson };

/**
 * A listed article: what the API shows, the relations its statement selected (page-json.ts
 * embeds those asked for), and its search score. A page of the API sends the body on as it is;
 * a feed parses it (parsedArticle).
 */
export interface ListedRow {
  id: string;
  article: ListedArticleFields;
  embedded: EmbeddedRow;
  score: number;
}

/**
 * The columns of a listed article: the body as text (json's text is the stored text itself),
 * so that neither driver parses it into objects for the serializer to write out again.
 */
const listedColumns = { ...articleColumns, body: sql<StoredJson>`${articles.body}::text`.as('body') };

type MappedRow = Omit<ArticleRow, 'body'> & { body: StoredJson } & EmbeddedRow & { score: number };

/** A row drizzle mapped (the search and relation statements). */
const fromMapped = (r: MappedRow): ListedRow => ({
  id: r.id,
  article: articleWithBody(r, r.body),
  embedded: r,
  score: r.score,
});

/** A prepared statement's row (the plain list). */
const fromDriver = (r: Record<string, unknown>): ListedRow => ({
  id: r.id as string,
  article: listedArticleFromDriver(r, r.body as StoredJson),
  embedded: { people: r.people ?? null, places: r.places ?? null, quotes: r.quotes ?? null },
  score: 0,
});

/** A listed article with its body parsed, for those who need the blocks (feeds). */
export const parsedArticle = (r: ListedRow): Article => ({
  ...r.article,
  body: JSON.parse(r.article.body) as Block[],
});

interface SortKey {
  key: PgColumn | SQL;
  dir: SortDirection;
  cast: string;
  value: (r: ListedRow) => string | number | null;
  /** What a null cursor value (issued for a draft before editors sorted by editorDate) means. */
  nullAs?: string;
}

/**
 * The sorts, for a caller with visibility `v`. Editors see drafts, which have no date: they
 * sort by editorDate (infinity for a draft), whose index is theirs alone (articles_editor_order).
 */
function sortKeys(score: SQL<number>, v: Visibility): Record<string, SortKey> {
  const date = v.preview
    ? {
        key: editorDate(articles),
        cast: TS,
        value: (r: ListedRow) => r.article.publishedAt ?? 'infinity',
        nullAs: 'infinity',
      }
    : { key: articles.publishedAt, cast: TS, value: (r: ListedRow) => r.article.publishedAt };
  return {
    '-publishedAt': { ...date, dir: 'desc' },
    publishedAt: { ...date, dir: 'asc' },
    '-updatedAt': { key: articles.updatedAt, dir: 'desc', cast: TS, value: (r) => r.article.updatedAt },
    relevance: { key: score, dir: 'desc', cast: '::float8', value: (r) => r.score },
  };
}

/**
 * Where a filter's value goes: bound into the query (the search path, EXPLAIN), or a named
 * placeholder of a prepared statement. Names are one letter: they also make its key.
 */
type Bind = <T>(name: string, value: T) => T | Placeholder;
const bound: Bind = (_name, value) => value;

/**
 * The filters of the article list, each an allow-listed condition with its values bound.
 * `refs`: what query.person and query.place name, looked up before (resolveRefs).
 */
function filters(query: Partial<ArticlesQuery>, v: Visibility, bind: Bind, refs: ResolvedRefs = {}): SQL[] {
  const where: SQL[] = [];
  if (query.status) {
    // Asking for drafts without the right to see them is a mistake worth telling, not an
    // empty page: the answer depends only on the caller's scopes, never on stored data.
    if (query.status !== 'published' && !v.preview)
      throw validationError(
        'query.status',
        'only callers with the preview scope can list unpublished articles',
      );
    where.push(eq(articles.status, bind('s', query.status)));
  }
  if (query.language) where.push(eq(articles.language, bind('l', query.language)));
  if (query.tag) {
    // A list of published articles only (every public one; an editor's with status=published,
    // as feeds are) compares the published tags (index articles_published_tags, whose
    // statistics count published articles only): a tag only drafts carry is then known to
    // match nothing here, instead of sending the planner through every published article in
    // date order looking for a page. The placeholder's name differs with the expression, as
    // a prepared statement is kept per placeholder names.
    const tag = JSON.stringify([query.tag]);
    where.push(
      v.preview && query.status !== 'published'
        ? sql`${articles.tags} @> ${bind('t', tag)}::jsonb`
        : sql`${publishedTags(articles)} @> ${bind('T', tag)}::jsonb`,
    );
  }
  if (query.person) {
    if (!refs.person) throw new Error('a person filter needs its person looked up first');
    where.push(mentionsPerson(bind('p', refs.person)));
  }
  if (query.place) {
    if (!refs.places) throw new Error('a place filter needs its placeTree looked up first');
    where.push(aboutPlaces(bind('a', uuidArray(refs.places))));
  }
  const at = (t: string) => new Date(t).toISOString();
  if (query.publishedAfter) where.push(sql`${articles.publishedAt} > ${bind('f', at(query.publishedAfter))}`);
  if (query.publishedBefore)
    where.push(sql`${articles.publishedAt} < ${bind('b', at(query.publishedBefore))}`);
  if (query.updatedSince) where.push(sql`${articles.updatedAt} >= ${bind('u', at(query.updatedSince))}`);
  return where;
}

/** The visibility rule, the filters and the keyset condition of one page. */
function conditions(
  query: Partial<ArticlesQuery>,
  v: Visibility,
  codec: CursorCodec,
  sort: string,
  k: SortKey,
  bind: Bind,
  refs?: ResolvedRefs,
): SQL[] {
  const where = [articleVisible(v), ...filters(query, v, bind, refs)];
  if (query.cursor) where.push(cursorAfter(query.cursor, codec, sort, k.key, articles.id, k, bind));
  return where;
}

/** The keyset condition for the rows after this cursor, in the sort's order. */
function cursorAfter(
  cursor: string,
  codec: CursorCodec,
  sort: string,
  key: PgColumn | SQL,
  id: PgColumn | SQL,
  k: SortKey,
  bind: Bind = bound,
): SQL {
  const c = codec.decode(cursor, sort);
  const v = c.v ?? k.nullAs ?? null;
  const after = { v: v === null ? null : bind('v', v), i: bind('i', c.i) };
  return afterCursor(key, id, k.dir, after, k.cast);
}

const NO_SCORE = sql<number>`0::float8`;

/**
 * The query for one page (plus one row) of articles the caller may see, in keyset order. `extra` narrows
 * it for the relation endpoints; `refs` is what query.person and query.place name (resolveRefs).
 */
export function articleListQuery(
  tx: Executor,
  query: Partial<ArticlesQuery> & { limit: number },
  v: Visibility,
  codec: CursorCodec,
  extra: SQL[] = [],
  refs?: ResolvedRefs,
) {
  const sort = query.sort ?? (query.q ? 'relevance' : '-publishedAt');
  if (sort === 'relevance' && !query.q) throw validationError('query.sort', 'relevance needs q');
  const score = query.q ? rank(articles.search, QUERY) : NO_SCORE;
  const k = sortKeys(score, v)[sort]!;
  const where = [...conditions(query, v, codec, sort, k, bound, refs), ...extra];
  if (!query.q) {
    const builder = tx
      .select({ ...listedColumns, score, ...includeColumns(query.include) })
      .from(articles)
      .where(and(...where))
      .orderBy(orderBy(k.key, articles.id, k.dir))
      .limit(query.limit + 1);
    return { query: builder, sort, sortValue: k.value };
  }
  if (sort !== 'relevance') {
    // Search in date order: the date index walks the matches in order, ranking none.
    where.push(matches(articles.search, QUERY));
    const builder = tx
      .select({ ...listedColumns, score, ...includeColumns(query.include) })
      .from(articles)
      .crossJoin(queryRelation(query.q, query.language))
      .where(and(...where))
      .orderBy(orderBy(k.key, articles.id, k.dir))
      .limit(query.limit + 1);
    return { query: builder, sort, sortValue: k.value };
  }
  // Relevance: the newest SEARCH_CANDIDATES matches are ranked, not every match. Ranking
  // reads each match's tsvector (out of line, compressed): a common word matches a third of an
  // archive, 400 ms at 100k articles, growing with it. The newest matches are found through
  // the date index (a common word) or the GIN index (a rare one), so the cost is bounded
  // whatever the archive's size; publishedBefore/After move the window. Only the page's rows
  // are joined back for their columns.
  const base = [
    articleVisible(v),
    ...filters(query, v, bound, refs),
    ...extra,
    matches(articles.search, QUERY),
  ];
  const candidates = tx
    .select({ id: articles.id, search: articles.search, query: sql`${QUERY}`.as('query') })
    .from(articles)
    .crossJoin(queryRelation(query.q, query.language))
    .where(and(...base))
    .orderBy(orderBy(sortKeys(NO_SCORE, v)['-publishedAt']!.key, articles.id, 'desc'))
    .limit(SEARCH_CANDIDATES)
    .as('candidates');
  const cursor = query.cursor;
  const hits = rankedHits(tx, candidates, sql`${candidates.query}`, {
    dir: k.dir,
    limit: query.limit + 1,
    after: cursor ? (score, id) => cursorAfter(cursor, codec, sort, score, id, k) : undefined,
  });
  const builder = tx
    .select({ ...listedColumns, score: hits.score, ...includeColumns(query.include) })
    .from(articles)
    .innerJoin(hits, eq(hits.id, articles.id))
    .orderBy(orderBy(sql`${hits.score}`, articles.id, k.dir));
  return { query: builder, sort, sortValue: k.value };
}

/**
 * A page without full-text search, as a statement kept per shape (which filters, sort, cursor,
 * includes, visibility) with the values as placeholders: drizzle renders each shape once.
 * Unnamed on purpose: PostgreSQL plans every run for its values, as a tag or a person can be
 * rare or everywhere, and a generic plan would pick one index for both. Shapes are bounded.
 */
const pageStatement = preparedPerDb(
  'kopij_list',
  (db, _key: string, _name, where: SQL[], k: SortKey, include: ArticlesQuery['include']) =>
    db
      .select({ ...listedColumns, ...includeColumns(include) })
      .from(articles)
      .where(and(...where))
      .orderBy(orderBy(k.key, articles.id, k.dir))
      .limit(sql.placeholder('n'))
      .prepare(''), // '' is PostgreSQL's unnamed statement
  256,
);

/**
 * Runs the list query: the page's rows (plus one, to tell whether there is more). A place's
 * tree and a person's slug are looked up first (a statement each), unless `known`.
 */
export async function listArticles(
  tx: Executor,
  query: Partial<ArticlesQuery> & { limit: number },
  v: Visibility,
  codec: CursorCodec,
  extra: SQL[] = [],
  known: ResolvedRefs = {},
): Promise<{ rows: ListedRow[]; sort: string; sortValue: SortKey['value'] }> {
  const refs = await resolveRefs(tx, query, known);
  if (query.q || extra.length) {
    const { query: builder, sort, sortValue } = articleListQuery(tx, query, v, codec, extra, refs);
    return { rows: (await builder).map(fromMapped), sort, sortValue };
  }
  const sort = query.sort ?? '-publishedAt';
  if (sort === 'relevance') throw validationError('query.sort', 'relevance needs q');
  const k = sortKeys(NO_SCORE, v)[sort]!;
  const values: Record<string, unknown> = {};
  const placeholder: Bind = (name, value) => {
    values[name] = value;
    return sql.placeholder(name);
  };
  const where = conditions(query, v, codec, sort, k, placeholder, refs);
  const shape = [
    visibilityKey(v),
    ARTICLE_SORTS.indexOf(sort),
    includeKey(query.include),
    Object.keys(values).join(''),
  ];
  const key = shape.join('_');
  const statement = pageStatement(tx, key, where, k, query.include);
  const raw = await driverRows(statement, { ...values, n: query.limit + 1 });
  return { rows: raw.map(fromDriver), sort, sortValue: k.value };
}
