import { requestContext } from '@fastify/request-context';
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { idempotencyKeys } from '../db/schema.js';

/** The Idempotency-Key a write request carries, set by plugins/idempotency.ts. */
export interface IdempotencyState {
  principal: string;
  key: string;
  /** The collection URL the POST went to, for the Location of a replayed create. */
  url: string;
  done: boolean;
}

declare module '@fastify/request-context' {
  interface RequestContextData {
    idempotency?: IdempotencyState;
  }
}

/**
 * Completes the request's Idempotency-Key record with the response it will get, inside the
 * write's own transaction: either both commit or neither does, so a replay after a crash
 * never repeats a committed write and never answers for one that rolled back.
 */
export async function completeIdempotency(
  tx: Executor,
  result: { created: boolean; id: string; version: number; body: Record<string, unknown> },
): Promise<void> {
  const state = requestContext.get('idempotency');
  if (!state || state.done) return;
  const headers: Record<string, string> = { etag: `"${result.version}"` };
  if (result.created) headers.location = `${state.url.split('?')[0]!.replace(/\/$/, '')}/${result.id}`;
  await tx
    .update(idempotencyKeys)
    .set({ state: 'done', status: result.created ? 201 : 200, body: result.body, headers })
    .where(and(eq(idempotencyKeys.principal, state.principal), eq(idempotencyKeys.key, state.key)));
  state.done = true;
}
