import { type SQL, sql } from 'drizzle-orm';

/**
 * The Idempotency-Key a write request carries (`request.idempotency`, set by
 * plugins/idempotency.ts), handed by its route to the service that writes.
 */
export interface IdempotencyState {
  principal: string;
  key: string;
  /** The collection URL the POST went to, for the Location of a replayed create. */
  url: string;
  done: boolean;
}

/** What completes a key's record: the answer a replay gets, and whose key it is. */
export interface IdempotencyRecord {
  status: number;
  headers: Record<string, string>;
  principal: string;
  key: string;
}

/**
 * The UPDATE that completes an Idempotency-Key record. Each value may be a placeholder, for a
 * prepared statement; `body` is a jsonb expression (the response body).
 */
export function completionSql(r: { [K in keyof IdempotencyRecord]: unknown }, body: SQL): SQL {
  return sql`update idempotency_keys
    set state = 'done', status = ${r.status}, body = ${body}, headers = ${r.headers}::jsonb
    where principal = ${r.principal} and key = ${r.key}`;
}

/**
 * The record the request's Idempotency-Key gets with the response it will receive, and `done`,
 * to mark it complete once the write's statement has run (a write retried after a slug race
 * must write it again). Undefined when the request carries no key.
 */
export function idempotencyRecord(
  state: IdempotencyState | null | undefined,
  result: { created: boolean; id: string; version: number },
): { record: IdempotencyRecord; done: () => void } | undefined {
  if (!state || state.done) return undefined;
  const headers: Record<string, string> = { etag: `"${result.version}"` };
  if (result.created) headers.location = `${state.url.split('?')[0]!.replace(/\/$/, '')}/${result.id}`;
  return {
    record: { status: result.created ? 201 : 200, headers, principal: state.principal, key: state.key },
    done: () => {
      state.done = true;
    },
  };
}

/**
 * The UPDATE that completes the request's Idempotency-Key record with the response it will
 * get, to run inside the write's own statement: either both commit or neither does, so a
 * replay after a crash never repeats a committed write and never answers for one that rolled
 * back. Undefined when the request carries no key.
 */
export function idempotencyCompletion(
  state: IdempotencyState | null | undefined,
  result: { created: boolean; id: string; version: number; body: Record<string, unknown> },
): { statement: SQL; done: () => void } | undefined {
  const pending = idempotencyRecord(state, result);
  if (!pending) return undefined;
  const { record } = pending;
  const statement = completionSql(
    { ...record, headers: JSON.stringify(record.headers) },
    sql`${JSON.stringify(result.body)}::jsonb`,
  );
  return { statement, done: pending.done };
}
