import { and, eq, gte, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.js';
import { articles, quotes } from '../../db/schema.js';
import { validationError } from '../../errors.js';
import type { CursorCodec } from '../../http/cursor.js';
import { afterCursor, orderBy, type SortDirection, TS } from '../../http/list.js';
import type { Visibility } from '../../plugins/auth.js';
import { inPlaces, type ResolvedRefs, resolveRefs } from '../articles/filters.js';
import { articleRef, uuidArray } from '../articles/repository.js';
import { matches, rank, rankedHits, SEARCH_CANDIDATES, tsQuery } from '../articles/search.js';
import { type QuoteRow, quoteColumns } from './repository.js';
import type { QuotesQuery } from './schemas.js';
import { quoteVisible } from './visibility.js';

export type ScoredQuoteRow = QuoteRow & { score: number };

interface SortKey {
  key: PgColumn | SQL;
  dir: SortDirection;
  cast: string;
  value: (r: ScoredQuoteRow) => string | number | null;
}

function sortKeys(score: SQL<number>): Record<string, SortKey> {
  return {
    '-createdAt': { key: quotes.createdAt, dir: 'desc', cast: TS, value: (r) => r.createdAt.toISOString() },
    createdAt: { key: quotes.createdAt, dir: 'asc', cast: TS, value: (r) => r.createdAt.toISOString() },
    '-updatedAt': { key: quotes.updatedAt, dir: 'desc', cast: TS, value: (r) => r.updatedAt.toISOString() },
    relevance: { key: score, dir: 'desc', cast: '::float8', value: (r) => r.score },
  };
}

/** The filters of the quote list; `refs`: what query.person and query.place name (resolveRefs). */
function filters(query: Partial<QuotesQuery>, refs: ResolvedRefs = {}): SQL[] {
  const where: SQL[] = [];
  if (query.person) {
    if (!refs.person) throw new Error('a person filter needs its person looked up first');
    where.push(eq(quotes.personId, refs.person));
  }
  if (query.article)
    where.push(
      sql`${quotes.articleId} in (select ${articles.id} from ${articles} where ${articleRef(query.article)})`,
    );
  if (query.place) {
    if (!refs.places) throw new Error('a place filter needs its placeTree looked up first');
    where.push(inPlaces(quotes.placeId, uuidArray(refs.places)));
  }
  if (query.language) where.push(eq(quotes.language, query.language));
  if (query.updatedSince) where.push(gte(quotes.updatedAt, new Date(query.updatedSince)));
  return where;
}

/**
 * The query for one page (plus one row) of the quotes the caller may see. `extra` narrows it for the
 * relation endpoints (quotes of a person, of an article); `refs` is what query.person and
 * query.place name (resolveRefs).
 */
export function quoteListQuery(
  tx: Executor,
  query: Partial<QuotesQuery> & { limit: number },
  v: Visibility,
  codec: CursorCodec,
  extra: SQL[] = [],
  refs?: ResolvedRefs,
) {
  const sort = query.sort ?? (query.q ? 'relevance' : '-createdAt');
  if (sort === 'relevance' && !query.q) throw validationError('query.sort', 'relevance needs q');
  const tsq = query.q ? tsQuery(query.q, query.language) : undefined;
  const score = tsq ? rank(quotes.search, tsq) : sql<number>`0::float8`;
  const where = [quoteVisible(v), ...filters(query, refs), ...extra];
  if (tsq) where.push(matches(quotes.search, tsq));
  const k = sortKeys(score)[sort]!;
  if (tsq && sort === 'relevance') {
    // As for articles: the newest SEARCH_CANDIDATES matches are ranked, not every match (a
    // common word is in thousands of quotes: 80-120 ms at 200k quotes, growing with them).
    const candidates = tx
      .select({ id: quotes.id, search: quotes.search })
      .from(quotes)
      .where(and(...where))
      .orderBy(orderBy(quotes.createdAt, quotes.id, 'desc'))
      .limit(SEARCH_CANDIDATES)
      .as('candidates');
    const cursor = query.cursor ? codec.decode(query.cursor, sort) : undefined;
    const hits = rankedHits(tx, candidates, tsq, {
      dir: k.dir,
      limit: query.limit + 1,
      after: cursor && ((score, id) => afterCursor(score, id, k.dir, cursor, k.cast)),
    });
    const builder = tx
      .select({ ...quoteColumns, score: hits.score })
      .from(quotes)
      .innerJoin(hits, eq(hits.id, quotes.id))
      .orderBy(orderBy(sql`${hits.score}`, quotes.id, k.dir));
    return { query: builder, sort, sortValue: k.value };
  }
  if (query.cursor)
    where.push(afterCursor(k.key, quotes.id, k.dir, codec.decode(query.cursor, sort), k.cast));
  const builder = tx
    .select({ ...quoteColumns, score })
    .from(quotes)
    .where(and(...where))
    .orderBy(orderBy(k.key, quotes.id, k.dir))
    .limit(query.limit + 1);
  return { query: builder, sort, sortValue: k.value };
}

/**
 * Runs the list query: the page's rows (plus one, to tell whether there is more). A place's
 * tree and a person's slug are looked up first, a statement each (see resolveRefs).
 */
export async function listQuotes(
  tx: Executor,
  query: Partial<QuotesQuery> & { limit: number },
  v: Visibility,
  codec: CursorCodec,
  extra: SQL[] = [],
): Promise<{ rows: ScoredQuoteRow[]; sort: string; sortValue: SortKey['value'] }> {
  const refs = await resolveRefs(tx, query);
  const { query: builder, sort, sortValue } = quoteListQuery(tx, query, v, codec, extra, refs);
  return { rows: await builder, sort, sortValue };
}
