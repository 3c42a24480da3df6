import { type AnyColumn, type SQL, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CursorCodec, CursorPayload } from './cursor.js';
import { TimestampSchema } from './fields.js';

export const listQueryFields = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .meta({ description: 'Page size, 1..100.', example: 20 }),
  cursor: z
    .string()
    .max(600)
    .optional()
    .meta({ description: 'Opaque cursor from `page.next` of the previous page.' }),
  updatedSince: TimestampSchema.optional().meta({
    description: 'Only resources changed at or after this instant.',
  }),
};

export function listEnvelope<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    page: z.object({
      next: z.string().nullable().meta({ description: 'Cursor of the next page; null on the last page.' }),
      limit: z.number().int(),
    }),
  });
}

export type SortDirection = 'asc' | 'desc';

export interface SortSpec {
  /** Name used in the `sort` parameter and bound into cursors. */
  name: string;
  direction: SortDirection;
}

/**
 * Keyset condition for "rows after the cursor" in ORDER BY key <dir>, id <dir> order, with
 * PostgreSQL's default null placement (NULLS FIRST for DESC, NULLS LAST for ASC) so that
 * a plain btree index on (key, id) serves the order in either direction.
 */
export function afterCursor(
  key: AnyColumn | SQL,
  id: AnyColumn | SQL,
  dir: SortDirection,
  c: Pick<CursorPayload, 'v' | 'i'> | { v: unknown; i: unknown },
  cast = '',
): SQL {
  const v = c.v === null ? null : sql`${c.v}${sql.raw(cast)}`;
  if (dir === 'desc') {
    if (v === null) return sql`((${key} is null and ${id} < ${c.i}) or ${key} is not null)`;
    return sql`(${key}, ${id}) < (${v}, ${c.i})`;
  }
  if (v === null) return sql`(${key} is null and ${id} > ${c.i})`;
  return sql`((${key}, ${id}) > (${v}, ${c.i}) or ${key} is null)`;
}

export function orderBy(key: AnyColumn | SQL, id: AnyColumn | SQL, dir: SortDirection): SQL {
  return dir === 'desc' ? sql`${key} desc, ${id} desc` : sql`${key} asc, ${id} asc`;
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only tells that there is more.
 * Sets the Link header and returns the envelope.
 */
export function page<Row extends { id: string }, Out>(
  request: FastifyRequest,
  reply: FastifyReply,
  args: {
    rows: Row[];
    limit: number;
    sort: string;
    codec: CursorCodec;
    sortValue: (row: Row) => string | number | null;
    toApi: (row: Row) => Out;
  },
): { data: Out[]; page: { next: string | null; limit: number } } {
  const { rows, limit } = args;
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown.at(-1);
  const next = more && last ? args.codec.encode({ s: args.sort, v: args.sortValue(last), i: last.id }) : null;
  if (next) reply.header('link', `<${linkWithCursor(request.url, next)}>; rel="next"`);
  return { data: shown.map(args.toApi), page: { next, limit } };
}

function linkWithCursor(url: string, cursor: string): string {
  const u = new URL(url, 'http://x');
  u.searchParams.set('cursor', cursor);
  return `${u.pathname}?${u.searchParams.toString()}`;
}

/** Timestamps travel in cursors as ISO strings; cast them back for the comparison. */
export const TS = '::timestamptz';
