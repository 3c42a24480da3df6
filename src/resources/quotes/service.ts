import { eq } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { IdempotencyState } from '../../content/idempotency.js';
import { type Audience, type ChangeAction, lockForWrite, recordChange } from '../../content/write.js';
import type { Db, Executor } from '../../db/client.js';
import { articles, people, places, quotes } from '../../db/schema.js';
import { unprocessable } from '../../errors.js';
import {
  deleteQuote,
  insertQuote,
  isPublicQuote,
  type QuoteRow,
  toQuote,
  updateQuote,
} from './repository.js';
import type { QuoteCreate, QuotePatch } from './schemas.js';

type IfMatch = number | '*';

const REFERENCES = [
  { field: 'personId', table: people, what: 'person' },
  { field: 'articleId', table: articles, what: 'article' },
  { field: 'placeId', table: places, what: 'place' },
] as const;

/** 422 naming the field whose id names no stored row (checked before any write). */
async function requireReferences(
  tx: Executor,
  refs: { personId?: string | null; articleId?: string | null; placeId?: string | null },
): Promise<void> {
  for (const { field, table, what } of REFERENCES) {
    const id = refs[field];
    if (!id) continue;
    const rows = await tx.select({ id: table.id }).from(table).where(eq(table.id, id.toLowerCase())).limit(1);
    if (rows.length === 0) throw unprocessable(`body.${field}`, `no such ${what}`);
  }
}

async function record(
  tx: Executor,
  row: QuoteRow,
  action: ChangeAction,
  actor: string,
  at: Date,
  audience?: Audience,
  idempotency?: IdempotencyState | null,
) {
  await recordChange(tx, {
    type: 'quote',
    id: row.id,
    version: row.version,
    action,
    data: toQuote(row),
    audience: audience ?? ((await isPublicQuote(tx, row.id)) ? 'public' : 'private'),
    actor,
    at,
    idempotency,
  });
}

const lower = (s: string | null | undefined) => (s ? s.toLowerCase() : null);

export async function createQuote(
  db: Db,
  input: QuoteCreate,
  actor: string,
  idempotency: IdempotencyState | null = null,
): Promise<QuoteRow> {
  return db.transaction(async (tx) => {
    await requireReferences(tx, input);
    const now = new Date();
    const row = await insertQuote(tx, {
      id: uuidv7(),
      text: input.text,
      language: input.language,
      personId: input.personId.toLowerCase(),
      articleId: lower(input.articleId),
      placeId: lower(input.placeId),
      saidAt: input.saidAt ?? null,
      context: input.context ?? null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    });
    await record(tx, row, 'created', actor, now, undefined, idempotency);
    return row;
  });
}

export async function patchQuote(
  db: Db,
  id: string,
  ifMatch: IfMatch,
  patch: QuotePatch,
  actor: string,
): Promise<QuoteRow> {
  return db.transaction(async (tx) => {
    const current = await lockForWrite(tx, quotes, id, ifMatch, 'quote');
    await requireReferences(tx, patch);
    const now = new Date();
    const values: Partial<QuoteRow> = { version: current.version + 1, updatedAt: now };
    if (patch.text !== undefined) values.text = patch.text;
    if (patch.language !== undefined) values.language = patch.language;
    if (patch.personId !== undefined) values.personId = patch.personId.toLowerCase();
    if (patch.articleId !== undefined) values.articleId = lower(patch.articleId);
    if (patch.placeId !== undefined) values.placeId = lower(patch.placeId);
    if (patch.saidAt !== undefined) values.saidAt = patch.saidAt;
    if (patch.context !== undefined) values.context = patch.context;
    const row = await updateQuote(tx, id, values);
    await record(tx, row, 'updated', actor, now);
    return row;
  });
}

export async function removeQuote(db: Db, id: string, ifMatch: IfMatch, actor: string): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockForWrite(tx, quotes, id, ifMatch, 'quote', 'delete');
    const audience = (await oncePublic(tx, current)) ? 'public' : 'private';
    await deleteQuote(tx, id);
    await record(tx, { ...current, version: current.version + 1 }, 'deleted', actor, new Date(), audience);
  });
}

/** A quote was public if it is now, or if the article it came from was ever published. */
async function oncePublic(tx: Executor, q: QuoteRow): Promise<boolean> {
  if (await isPublicQuote(tx, q.id)) return true;
  if (!q.articleId) return false;
  const [a] = await tx
    .select({ first: articles.firstPublishedAt })
    .from(articles)
    .where(eq(articles.id, q.articleId));
  return Boolean(a?.first);
}
