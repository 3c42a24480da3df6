import { type SQL, sql } from 'drizzle-orm';
import { articles, quotes } from '../../db/schema.js';
import type { Visibility } from '../../plugins/auth.js';
import { articleVisible } from '../articles/visibility.js';

/**
 * The one rule for quotes: a quote is as visible as the article it was taken from, and
 * always visible when it was taken from none. Built on articleVisible, inside the SQL.
 *
 * The article's visibility is a scalar subquery, looked up by primary key for each quote a
 * page reads. An `exists (…)` there, under the `or`, let PostgreSQL pick a hashed subplan
 * instead: a hash of every visible article, built by reading the whole table for each list
 * of quotes, however short (270 ms for 21 quotes at 100k articles, growing with the archive).
 */
export function quoteVisible(v: Visibility): SQL {
  if (v.preview) return sql`true`;
  return sql`(${quotes.articleId} is null or coalesce((select ${articleVisible(v)} from ${articles} where ${articles.id} = ${quotes.articleId}), false))`;
}

/** A quote response depends on the quote and on the article that decides whether it may be seen. */
export const quoteCacheTags = (q: { id: string; articleId: string | null }): string[] => [
  `quote:${q.id}`,
  ...(q.articleId ? [`article:${q.articleId}`] : []),
];
