import { and, eq, gt, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.js';
import { articles } from '../../db/schema.js';
import { validationError } from '../../errors.js';
import type { CursorCodec } from '../../http/cursor.js';
import { afterCursor, orderBy, type SortDirection, TS } from '../../http/list.js';
import type { Visibility } from '../../plugins/auth.js';
import { aboutPlace, mentionsPerson, personRef, placeRef } from './filters.js';
import { type EmbeddedRow, includeColumns } from './includes.js';
import { type ArticleRow, articleColumns } from './repository.js';
import type { ArticlesQuery } from './schemas.js';
import { matches, QUERY, queryRelation, rank } from './search.js';
import { articleVisible } from './visibility.js';

export type ScoredArticleRow = ArticleRow & EmbeddedRow & { score: number };

interface SortKey {
  key: PgColumn | SQL;
  dir: SortDirection;
  cast: string;
  value: (r: ScoredArticleRow) => string | number | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function sortKeys(score: SQL<number>): Record<string, SortKey> {
  return {
    '-publishedAt': { key: articles.publishedAt, dir: 'desc', cast: TS, value: (r) => iso(r.publishedAt) },
    publishedAt: { key: articles.publishedAt, dir: 'asc', cast: TS, value: (r) => iso(r.publishedAt) },
    '-updatedAt': { key: articles.updatedAt, dir: 'desc', cast: TS, value: (r) => iso(r.updatedAt) },
    relevance: { key: score, dir: 'desc', cast: '::float8', value: (r) => r.score },
  };
}

/** The filters of the article list, each an allow-listed condition with bound values. */
function filters(query: Partial<ArticlesQuery>, v: Visibility): SQL[] {
  const where: SQL[] = [];
  if (query.status) {
    // Asking for drafts without the right to see them is a mistake worth telling, not an
    // empty page: the answer depends only on the caller's scopes, never on stored data.
    if (query.status !== 'published' && !v.preview)
      throw validationError(
        'query.status',
        'only callers with the preview scope can list unpublished articles',
      );
    where.push(eq(articles.status, query.status));
  }
  if (query.language) where.push(eq(articles.language, query.language));
  if (query.tag) where.push(sql`${articles.tags} @> ${JSON.stringify([query.tag])}::jsonb`);
  if (query.person) where.push(mentionsPerson(personRef(query.person)));
  if (query.place) where.push(aboutPlace(placeRef(query.place)));
  if (query.publishedAfter) where.push(gt(articles.publishedAt, new Date(query.publishedAfter)));
  if (query.publishedBefore) where.push(lt(articles.publishedAt, new Date(query.publishedBefore)));
  if (query.updatedSince) where.push(gte(articles.updatedAt, new Date(query.updatedSince)));
  return where;
}

/**
 * The query for one page (plus one row) of articles the caller may see, in keyset order. `extra` narrows
 * it for the relation endpoints (articles of a person, of a place).
 */
export function articleListQuery(
  tx: Executor,
  query: Partial<ArticlesQuery> & { limit: number },
  v: Visibility,
  codec: CursorCodec,
  extra: SQL[] = [],
) {
  const sort = query.sort ?? (query.q ? 'relevance' : '-publishedAt');
  if (sort === 'relevance' && !query.q) throw validationError('query.sort', 'relevance needs q');
  const score = query.q ? rank(articles.search, QUERY) : sql<number>`0::float8`;
  const where = [articleVisible(v), ...filters(query, v), ...extra];
  const k = sortKeys(score)[sort]!;
  if (query.cursor)
    where.push(afterCursor(k.key, articles.id, k.dir, codec.decode(query.cursor, sort), k.cast));
  if (!query.q) {
    const builder = tx
      .select({ ...articleColumns, score, ...includeColumns(query.include) })
      .from(articles)
      .where(and(...where))
      .orderBy(orderBy(k.key, articles.id, k.dir))
      .limit(query.limit + 1);
    return { query: builder, sort, sortValue: k.value };
  }
  // Search: every match is ranked, so the ranking reads only what it needs (the id, the
  // tsvector, the filter and sort columns) and keeps the page; the page's rows are joined
  // back for their columns, body and links included, 21 times rather than once per match.
  where.push(matches(articles.search, QUERY));
  const hits = tx
    .select({ id: articles.id, score: score.as('score') })
    .from(articles)
    .crossJoin(queryRelation(query.q, query.language))
    .where(and(...where))
    .orderBy(orderBy(k.key, articles.id, k.dir))
    .limit(query.limit + 1)
    .as('hits');
  const builder = tx
    .select({ ...articleColumns, score: hits.score, ...includeColumns(query.include) })
    .from(articles)
    .innerJoin(hits, eq(hits.id, articles.id))
    .orderBy(orderBy(sort === 'relevance' ? sql`${hits.score}` : k.key, articles.id, k.dir));
  return { query: builder, sort, sortValue: k.value };
}

/** Runs the list query: the page's rows (plus one, to tell whether there is more). */
export async function listArticles(
  tx: Executor,
  query: Partial<ArticlesQuery> & { limit: number },
  v: Visibility,
  codec: CursorCodec,
  extra: SQL[] = [],
): Promise<{ rows: ScoredArticleRow[]; sort: string; sortValue: SortKey['value'] }> {
  const { query: builder, sort, sortValue } = articleListQuery(tx, query, v, codec, extra);
  return { rows: await builder, sort, sortValue };
}
