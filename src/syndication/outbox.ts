import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';

export const WEBHOOK_EVENTS = [
  'article.published',
  'article.updated',
  'article.withdrawn',
  'article.deleted',
  'quote.created',
  'quote.updated',
  'quote.deleted',
  'quote.published',
  'quote.withdrawn',
  'person.created',
  'person.updated',
  'person.deleted',
  'place.created',
  'place.updated',
  'place.deleted',
  'article.*',
  'quote.*',
  'person.*',
  'place.*',
] as const;

export interface OutboxChange {
  seq: number;
  type: string;
  id: string;
  version: number;
  action: string;
  at: Date;
  data: Record<string, unknown>;
}

/**
 * Writes one delivery per subscribed webhook, in the caller's transaction: a committed
 * change always has its deliveries, a rolled-back one never does. One statement whatever
 * the number of webhooks.
 */
export async function enqueueDeliveries(tx: Executor, c: OutboxChange): Promise<void> {
  const event = `${c.type}.${c.action}`;
  const payload = {
    type: event,
    timestamp: c.at.toISOString(),
    data: {
      seq: c.seq,
      id: c.id,
      version: c.version,
      ...(c.action === 'deleted' ? {} : { [c.type]: c.data }),
    },
  };
  await tx.execute(sql`
    insert into webhook_deliveries (id, webhook_id, event, change_seq, payload, status, attempts, next_attempt_at, created_at)
    select gen_random_uuid(), w.id, ${event}, ${c.seq}, ${JSON.stringify(payload)}::jsonb, 'pending', 0, ${c.at}, ${c.at}
    from webhooks w
    where w.disabled_at is null
      and (w.events @> ${JSON.stringify([event])}::jsonb or w.events @> ${JSON.stringify([`${c.type}.*`])}::jsonb)`);
}
