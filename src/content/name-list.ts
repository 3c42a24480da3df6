import { and, getTableColumns, gte, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client.js';
import { validationError } from '../errors.js';
import type { CursorCodec } from '../http/cursor.js';
import { fold } from '../http/fields.js';
import { afterCursor, orderBy, type SortDirection, TS } from '../http/list.js';

/** Tables of named things (people, places) that share trigram name search and name/update sorts. */
export type NamedTable = PgTable & {
  id: PgColumn;
  name: PgColumn;
  searchNames: PgColumn;
  updatedAt: PgColumn;
};

export interface NameListQuery {
  limit: number;
  cursor?: string | undefined;
  sort?: string | undefined;
  q?: string | undefined;
  updatedSince?: string | undefined;
}

/** Escapes LIKE metacharacters so `%_%` matches itself, not everything. */
export const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Builds the list query shared by people and places: optional trigram `q` over name and
 * aliases (word similarity, so `Zelenski` finds `Zelenskyy`; substring for short input),
 * `updatedSince`, a sort, and the keyset condition from the cursor. `extra` adds the
 * resource's own filters.
 */
export async function listNamed<T extends NamedTable>(
  tx: Executor,
  table: T,
  query: NameListQuery,
  codec: CursorCodec,
  extra: SQL[] = [],
): Promise<{
  rows: (T['$inferSelect'] & { score: number })[];
  sort: string;
  sortValue: (r: T['$inferSelect'] & { score: number }) => string | number | null;
}> {
  const sort = query.sort ?? (query.q ? 'relevance' : 'name');
  if (sort === 'relevance' && !query.q) throw validationError('query.sort', 'relevance needs q');
  const q = query.q ? fold(query.q) : undefined;
  const score = q ? sql<number>`word_similarity(${q}, ${table.searchNames})::float8` : sql<number>`0::float8`;
  const where: (SQL | undefined)[] = [...extra];
  if (q)
    where.push(sql`(${q} <% ${table.searchNames} or ${table.searchNames} like ${`%${likeLiteral(q)}%`})`);
  if (query.updatedSince) where.push(gte(table.updatedAt, new Date(query.updatedSince)));

  const keys: Record<
    string,
    {
      key: PgColumn | SQL;
      dir: SortDirection;
      cast: string;
      value: (r: Record<string, unknown>) => string | number | null;
    }
  > = {
    name: { key: table.name, dir: 'asc', cast: '', value: (r) => r.name as string },
    '-updatedAt': {
      key: table.updatedAt,
      dir: 'desc',
      cast: TS,
      value: (r) => (r.updatedAt as Date).toISOString(),
    },
    updatedAt: {
      key: table.updatedAt,
      dir: 'asc',
      cast: TS,
      value: (r) => (r.updatedAt as Date).toISOString(),
    },
    relevance: { key: score, dir: 'desc', cast: '::float8', value: (r) => r.score as number },
  };
  const k = keys[sort]!;
  if (query.cursor) where.push(afterCursor(k.key, table.id, k.dir, codec.decode(query.cursor, sort), k.cast));

  const rows = (await tx
    .select({ ...getTableColumns(table as PgTable), score })
    .from(table as PgTable)
    .where(and(...where))
    .orderBy(orderBy(k.key, table.id, k.dir))
    .limit(query.limit + 1)) as (T['$inferSelect'] & { score: number })[];
  return { rows, sort, sortValue: k.value };
}
