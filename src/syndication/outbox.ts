import { type SQL, sql } from 'drizzle-orm';

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
  type: string;
  id: string;
  version: number;
  action: string;
  at: Date;
  data: Record<string, unknown>;
}

/**
 * The INSERT of one delivery per subscribed webhook, to run in the caller's statement (see
 * content/write.ts), so a committed change always has its deliveries and a rolled-back one
 * never does. `seq` is the SQL of the change's sequence number, not known before the change
 * log row exists; it is written into the payload in the same statement.
 */
export function deliveriesOf(c: OutboxChange, seq: SQL): SQL {
  const event = `${c.type}.${c.action}`;
  const payload = {
    type: event,
    timestamp: c.at.toISOString(),
    data: {
      seq: 0,
      id: c.id,
      version: c.version,
      ...(c.action === 'deleted' ? {} : { [c.type]: c.data }),
    },
  };
  return sql`
    insert into webhook_deliveries (id, webhook_id, event, change_seq, payload, status, attempts, next_attempt_at, created_at)
    select gen_random_uuid(), w.id, ${event}, ${seq}, jsonb_set(${JSON.stringify(payload)}::jsonb, '{data,seq}', to_jsonb(${seq})), 'pending', 0, ${c.at}, ${c.at}
    from webhooks w
    where w.disabled_at is null
      and (w.events @> ${JSON.stringify([event])}::jsonb or w.events @> ${JSON.stringify([`${c.type}.*`])}::jsonb)`;
}
