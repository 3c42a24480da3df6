import { requestContext } from '@fastify/request-context';
import { type SQL, sql } from 'drizzle-orm';

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
 * The UPDATE that completes the request's Idempotency-Key record with the response it will
 * get, to run inside the write's own statement: either both commit or neither does, so a
 * replay after a crash never repeats a committed write and never answers for one that rolled
 * back. `done` marks the record complete once that statement has run (a write retried after
 * a slug race must write it again). Undefined when the request carries no key.
 */
export function idempotencyCompletion(result: {
  created: boolean;
  id: string;
  version: number;
  body: Record<string, unknown>;
}): { statement: SQL; done: () => void } | undefined {
  const state = requestContext.get('idempotency');
  if (!state || state.done) return undefined;
  const headers: Record<string, string> = { etag: `"${result.version}"` };
  if (result.created) headers.location = `${state.url.split('?')[0]!.replace(/\/$/, '')}/${result.id}`;
  const statement = sql`update idempotency_keys
    set state = 'done', status = ${result.created ? 201 : 200}, body = ${JSON.stringify(result.body)}::jsonb,
      headers = ${JSON.stringify(headers)}::jsonb
    where principal = ${state.principal} and key = ${state.key}`;
  return {
    statement,
    done: () => {
      state.done = true;
    },
  };
}
