import { type SQL, sql } from 'drizzle-orm';
import { articles, quotes } from '../../db/schema.js';
import type { Visibility } from '../../plugins/auth.js';
import { articleVisible } from '../articles/visibility.js';

/**
 * The one rule for quotes: a quote is as visible as the article it was taken from, and
 * always visible when it was taken from none. Built on articleVisible, inside the SQL.
 */
export function quoteVisible(v: Visibility): SQL {
  if (v.preview) return sql`true`;
  return sql`(${quotes.articleId} is null or exists (select 1 from ${articles} where ${articles.id} = ${quotes.articleId} and ${articleVisible(v)}))`;
}

/** A quote response depends on the quote and on the article that decides whether it may be seen. */
export const quoteCacheTags = (q: { id: string; articleId: string | null }): string[] => [
  `quote:${q.id}`,
  ...(q.articleId ? [`article:${q.articleId}`] : []),
];
