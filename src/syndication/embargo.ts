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
 * Where an article just written stands with its embargo release. Decided under the lock of its
 * pending release, which the worker holds while it releases (so this waits for a release in
 * progress), and by the clock now, not by now(): the writing transaction may have begun before
 * the embargo ended or before the worker ran. `visible`: the public may see it now.
 * `released`: visible, and its release was still waiting, which this takes off the schedule:
 * the write is its publication. Run before the write records its change: the worker takes the
 * change log's lock after this row's, so the other order would deadlock with it.
 */
export async function settleRelease(
  tx: Executor,
  articleId: string,
): Promise<{ visible: boolean; released: boolean }> {
  const result = (await tx.execute(sql`
    with pending as (
      select article_id from ${pendingReleases} where article_id = ${articleId} for update
    )
    select exists (select 1 from pending) as pending,
      a.status = 'published' and (a.embargoed_until is null or a.embargoed_until <= clock_timestamp()) as visible
    from articles a where a.id = ${articleId}`)) as unknown as {
    rows: { pending: boolean; visible: boolean }[];
  };
  const state = result.rows[0];
  const visible = state?.visible === true;
  const released = visible && state?.pending === true;
  if (released) await tx.delete(pendingReleases).where(eq(pendingReleases.articleId, articleId));
  return { visible, released };
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
