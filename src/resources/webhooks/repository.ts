import { randomBytes } from 'node:crypto';
import { asc, desc, eq, inArray } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../db/client.js';
import { webhookAttempts, webhookDeliveries, webhooks } from '../../db/schema.js';

type WebhookRow = typeof webhooks.$inferSelect;

export function toWebhook(r: WebhookRow) {
  return {
    id: r.id,
    url: r.url,
    events: r.events as never[],
    createdAt: r.createdAt.toISOString(),
    disabledAt: r.disabledAt?.toISOString() ?? null,
    disabledReason: r.disabledReason,
  };
}

export async function insertWebhook(tx: Executor, url: string, events: string[]) {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const [row] = await tx
    .insert(webhooks)
    .values({ id: uuidv7(), url, events: [...new Set(events)], secret, createdAt: new Date() })
    .returning();
  return { row: row!, secret };
}

export const listWebhooks = (tx: Executor) => tx.select().from(webhooks).orderBy(asc(webhooks.id));

export async function findWebhook(tx: Executor, id: string) {
  const [row] = await tx.select().from(webhooks).where(eq(webhooks.id, id));
  return row;
}

export async function deleteWebhook(tx: Executor, id: string): Promise<boolean> {
  const rows = await tx.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id });
  return rows.length > 0;
}

/** The latest deliveries of a webhook with all their attempts: two queries, whatever the count. */
export async function listDeliveries(tx: Executor, webhookId: string, limit: number) {
  const deliveries = await tx
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, webhookId))
    .orderBy(desc(webhookDeliveries.changeSeq))
    .limit(limit);
  const ids = deliveries.map((d) => d.id);
  const attempts = ids.length
    ? await tx
        .select()
        .from(webhookAttempts)
        .where(inArray(webhookAttempts.deliveryId, ids))
        .orderBy(asc(webhookAttempts.id))
    : [];
  return deliveries.map((d) => ({
    id: d.id,
    event: d.event,
    changeSeq: d.changeSeq,
    status: d.status as 'pending' | 'delivered' | 'failed',
    attempts: attempts
      .filter((a) => a.deliveryId === d.id)
      .map((a) => ({
        attempt: a.attempt,
        at: a.at.toISOString(),
        statusCode: a.statusCode,
        error: a.error,
        durationMs: a.durationMs,
      })),
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  }));
}
