import { asc, eq } from 'drizzle-orm';
import { type Audience, logChange } from '../../content/write.js';
import type { Executor } from '../../db/client.js';
import { quotes } from '../../db/schema.js';
import { quoteColumns, toQuote } from './repository.js';

/**
 * Quotes are as visible as the article they were taken from, so when the article is
 * published, released from embargo or withdrawn, each of its quotes appears in or leaves
 * the public catalogue too: the change log says so, or a partner mirroring it would keep
 * a withdrawn article's quotes or never learn of a published one's.
 */
export async function announceQuotesOf(
  tx: Executor,
  articleId: string,
  action: 'published' | 'withdrawn',
  audience: Audience,
  actor: string,
  at: Date,
): Promise<void> {
  const rows = await tx
    .select(quoteColumns)
    .from(quotes)
    .where(eq(quotes.articleId, articleId))
    .orderBy(asc(quotes.id));
  for (const q of rows) {
    await logChange(tx, {
      type: 'quote',
      id: q.id,
      version: q.version,
      action,
      data: toQuote(q),
      audience,
      actor,
      at,
    });
  }
}
