import { type SQL, type Subquery, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.js';
import { orderBy, type SortDirection } from '../../http/list.js';

/**
 * The text search configurations of migration 0000 (accent-folding copies of the built-in
 * ones). Without a language filter a query is parsed with each of them and the results are
 * OR-ed, so that a row stemmed with its own language's rules matches and the expression is
 * still a constant the GIN index can serve (a per-row config would defeat the index).
 */
const CONFIGS = [
  'kopij_dutch',
  'kopij_english',
  'kopij_german',
  'kopij_french',
  'kopij_spanish',
  'kopij_italian',
  'kopij_portuguese',
  'kopij_swedish',
  'kopij_danish',
  'kopij_norwegian',
  'kopij_finnish',
  'kopij_russian',
  'kopij_simple',
] as const;

const WEBSEARCH_SYNTAX = /["()]|(^|\s)-|\sor\s/i;
const MIN_PREFIX = 3;

/**
 * Snowball gaps (`Oekraïne` -> oekrain, `Oekraïense` -> oekraien; kernwapen/kernwapens)
 * make stems miss words a reader would call the same. For plain input (no quotes,
 * exclusions or `or`, whose meaning a prefix query would change) every word of three or
 * more characters also matches as an accent-folded prefix. Words are letters and digits
 * only, so nothing from the input reaches the tsquery syntax.
 */
function prefixQuery(q: string): string | undefined {
  if (WEBSEARCH_SYNTAX.test(q)) return undefined;
  const words = (q.match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length >= MIN_PREFIX).slice(0, 16);
  return words.length ? words.map((w) => `${w}:*`).join(' & ') : undefined;
}

const ALL_CONFIGS = sql.raw(`'{${CONFIGS.join(',')}}'::regconfig[]`);

/**
 * The tsquery for `q`: websearch syntax, per language (or every language, each distinct parse
 * once: migration 0006), plus prefixes.
 */
export function tsQuery(q: string, language?: string, text: SQL = sql`${q}`): SQL {
  const parts = language
    ? [sql`websearch_to_tsquery(kopij_ts_config(${language}), ${text})`]
    : [sql`kopij_websearch_any(${ALL_CONFIGS}, ${text})`];
  const prefix = prefixQuery(q);
  if (prefix) parts.push(sql`to_tsquery('kopij_simple'::regconfig, ${prefix})`);
  return sql`(${sql.join(parts, sql` || `)})`;
}

/**
 * The tsquery for `q` as a one-row relation named `q`, to cross join: the query text and its
 * parameters are sent once, however many places (match, rank, cursor) refer to it as
 * `QUERY`. PostgreSQL flattens the subquery, so the planner still sees a constant the GIN
 * index can serve.
 */
export const queryRelation = (q: string, language?: string): SQL =>
  sql`(select ${tsQuery(q, language, sql`input.text`)} as query from (select ${q}::text as text) as input) as q`;
export const QUERY = sql`q.query`;

export const matches = (column: PgColumn, query: SQL): SQL => sql`${column} @@ ${query}`;

/** float8 so the score survives a JSON cursor exactly and compares equal on the next page. */
export const rank = (column: PgColumn | SQL, query: SQL): SQL<number> =>
  sql<number>`ts_rank(${column}, ${query})::float8`;

/**
 * How many of the newest matches a relevance search ranks. Enough for fifty pages of twenty;
 * an archive search narrows the window with publishedBefore/After or sorts by date.
 */
export const SEARCH_CANDIDATES = 1000;

/**
 * A relevance page among `candidates` (a subquery of the newest matches, with `id` and
 * `search`): each ranked for `query`, those `after` the cursor, the best `limit` as `hits`
 * (id, score), to be joined back to their rows.
 */
export function rankedHits(
  tx: Executor,
  candidates: Subquery,
  query: SQL,
  page: { dir: SortDirection; limit: number; after?: ((score: SQL<number>, id: SQL) => SQL) | undefined },
) {
  const c = candidates as unknown as { id: PgColumn; search: PgColumn };
  const id = sql`${c.id}`;
  const ranked = rank(sql`${c.search}`, query);
  return tx
    .select({ id: c.id, score: ranked.as('score') })
    .from(candidates)
    .where(page.after?.(ranked, id))
    .orderBy(orderBy(ranked, id, page.dir))
    .limit(page.limit)
    .as('hits');
}
