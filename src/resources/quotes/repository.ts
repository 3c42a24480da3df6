import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { preparedPerDb } from '../../db/prepared.js';
import { quotes } from '../../db/schema.js';
import { isUuid } from '../../http/fields.js';
import { PUBLIC_VISIBILITY, type Visibility } from '../../plugins/auth.js';
import { VISIBILITIES, type VisibilityKey, visibilityKey } from '../articles/visibility.js';
import type { Quote } from './schemas.js';
import { quoteVisible } from './visibility.js';

// The generated tsvector is for the index and ranking only; never fetch it.
const { search: _search, ...quoteColumnsOnly } = getTableColumns(quotes);
export const quoteColumns = quoteColumnsOnly;

export type QuoteRow = Omit<typeof quotes.$inferSelect, 'search'>;

export function toQuote(r: QuoteRow): Quote {
  return {
    id: r.id,
    text: r.text,
    language: r.language,
    personId: r.personId,
    articleId: r.articleId,
    placeId: r.placeId,
    saidAt: r.saidAt,
    context: r.context,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const quoteById = preparedPerDb('kopij_quote', (db, vis: VisibilityKey, name) =>
  db
    .select(quoteColumns)
    .from(quotes)
    .where(and(eq(quotes.id, sql.placeholder('id')), quoteVisible(VISIBILITIES[vis])))
    .limit(1)
    .prepare(name),
);

/** A quote by id, only if the caller may see it. Quotes have no slug: any other ref is a miss. */
export async function findQuote(tx: Executor, ref: string, v: Visibility): Promise<QuoteRow | undefined> {
  if (!isUuid(ref)) return undefined;
  return (await quoteById(tx, visibilityKey(v)).execute({ id: ref.toLowerCase() }))[0];
}

/** Whether anonymous readers can see the quote now: decides a change's audience. */
export async function isPublicQuote(tx: Executor, id: string): Promise<boolean> {
  const rows = await tx
    .select({ id: quotes.id })
    .from(quotes)
    .where(and(eq(quotes.id, id), quoteVisible(PUBLIC_VISIBILITY)));
  return rows.length > 0;
}

export async function insertQuote(tx: Executor, row: QuoteRow): Promise<QuoteRow> {
  const [created] = await tx.insert(quotes).values(row).returning(quoteColumns);
  return created!;
}

export async function updateQuote(tx: Executor, id: string, values: Partial<QuoteRow>): Promise<QuoteRow> {
  const [updated] = await tx.update(quotes).set(values).where(eq(quotes.id, id)).returning(quoteColumns);
  return updated!;
}

export async function deleteQuote(tx: Executor, id: string): Promise<void> {
  await tx.delete(quotes).where(eq(quotes.id, id));
}
