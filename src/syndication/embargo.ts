import { asc, eq, lte, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { type Audience, logChange } from '../content/write.js';
import type { Db, Executor } from '../db/client.js';
import { pendingReleases } from '../db/schema.js';
import { articleById, audienceOf, toArticle } from '../resources/articles/repository.js';
import { announceQuotesOf } from '../resources/quotes/announce.js';
import { Poller } from './poller.js';

const BATCH = 20;

/**
 * Keeps the release schedule in step with each article change: an article that partners
 * may see but the public may not yet (published under embargo) waits for its release;
 * anything else (public already, withdrawn, back to draft) has nothing to release, and a
 * release still waiting from before (`pendingPossible`, as the caller knows) is cancelled.
 */
export async function scheduleRelease(
  tx: Executor,
  row: { id: string; embargoedUntil: Date | null },
  audience: Audience,
  pendingPossible = true,
): Promise<void> {
  if (audience === 'embargo' && row.embargoedUntil) {
    await tx
      .insert(pendingReleases)
      .values({ articleId: row.id, releaseAt: row.embargoedUntil })
      .onConflictDoUpdate({ target: pendingReleases.articleId, set: { releaseAt: row.embargoedUntil } });
  } else if (pendingPossible) {
    await tx.delete(pendingReleases).where(eq(pendingReleases.articleId, row.id));
  }
}

/**
 * Takes an article's pending release off the schedule: true when one was waiting. A write that
 * makes an article public before the worker released it (the embargo lifted early, or passed
 * moments before) publishes it itself. Run before the write records its change: the release
 * worker, which holds the row it is releasing, takes the change log's lock next, so a writer
 * holding that lock while waiting here would deadlock with it.
 */
export async function cancelRelease(tx: Executor, articleId: string): Promise<boolean> {
  const gone = await tx
    .delete(pendingReleases)
    .where(eq(pendingReleases.articleId, articleId))
    .returning({ articleId: pendingReleases.articleId });
  return gone.length > 0;
}

/**
 * Releases articles whose embargo has passed: each becomes a public 'published' change, so
 * the change feed, the feeds and the webhooks announce it at that moment. Claimed with
 * FOR UPDATE SKIP LOCKED, so several instances release each article exactly once.
 */
export async function releaseDue(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ articleId: pendingReleases.articleId })
      .from(pendingReleases)
      .where(lte(pendingReleases.releaseAt, sql`now()`))
      .orderBy(asc(pendingReleases.releaseAt))
      .limit(BATCH)
      .for('update', { skipLocked: true });
    for (const { articleId } of due) {
      await tx.delete(pendingReleases).where(eq(pendingReleases.articleId, articleId));
      if ((await audienceOf(tx, articleId)) !== 'public') continue;
      const row = await articleById(tx, articleId);
      const at = new Date();
      const actor = 'embargo release';
      await logChange(tx, {
        type: 'article',
        id: row.id,
        version: row.version,
        action: 'published',
        data: toArticle(row),
        audience: 'public',
        actor,
        at,
      });
      await announceQuotesOf(tx, row.id, 'published', 'public', actor, at);
    }
    return due.length;
  });
}

export function embargoWorker(db: Db, log: FastifyBaseLogger, pollMs = 1000): Poller {
  return new Poller('embargo worker', async () => (await releaseDue(db)) === BATCH, log, pollMs);
}
