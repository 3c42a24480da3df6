import { eq, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { FastifyRequest } from 'fastify';
import type { Executor } from '../db/client.js';
import { notFound, preconditionFailed, preconditionRequired } from '../errors.js';
import { parseIfMatch } from '../http/etag.js';
import { splitRef } from '../http/fields.js';
import { deliveriesOf } from '../syndication/outbox.js';
import { type IdempotencyState, idempotencyCompletion } from './idempotency.js';

/**
 * The shared write path. Every create, update, workflow step and delete of every resource
 * goes through here inside one transaction: the version check against If-Match, the full
 * revision snapshot and the entry in the ordered change log, so that history, syndication
 * and cache invalidation can never disagree with the stored row.
 */
export type ResourceType = 'article' | 'quote' | 'person' | 'place';
export type ChangeAction = 'created' | 'updated' | 'published' | 'withdrawn' | 'deleted';
/**
 * Who may learn of a change: 'public' (anyone), 'embargo' (partners with the embargo scope,
 * and editors), 'private' (editors only).
 */
export type Audience = 'public' | 'embargo' | 'private';

export interface Change {
  type: ResourceType;
  id: string;
  version: number;
  action: ChangeAction;
  /** The resource as the API shows it after the change (for a delete: as it last was). */
  data: Record<string, unknown>;
  audience: Audience;
  actor: string;
  at: Date;
  /**
   * The request's Idempotency-Key, if any: the first change written with it completes its
   * record, in the same statement. Only the change the response shows is given it.
   */
  idempotency?: IdempotencyState | null;
}

/** The advisory lock that orders the change log ('kopj'); see writeChange. */
export const CHANGE_LOG_LOCK = 0x6b6f706a;

/** Saves the full revision and logs the change (with its outbox rows): one statement. */
export async function recordChange(tx: Executor, c: Change): Promise<void> {
  await writeChange(tx, c, true);
}

/**
 * Appends to the change log (and the outbox) without a new revision: for events that
 * change who may see a version, not the version itself (an embargo lifting).
 */
export async function logChange(tx: Executor, c: Change): Promise<void> {
  await writeChange(tx, c, false);
}

/**
 * The revision, the change-log row, its outbox rows and the Idempotency-Key record, as
 * data-modifying CTEs of one statement: one round trip, and the deliveries get the change's
 * sequence number without reading it back.
 */
async function writeChange(tx: Executor, c: Change, revision: boolean): Promise<void> {
  const change = changeWrites(c, revision);
  await tx.execute(sql`with ${change.ctes} select seq from change`);
  change.done();
}

/**
 * A change as the statement sees it: each value a parameter, a placeholder (for a prepared
 * statement) or an SQL expression; `data` is a jsonb expression.
 */
export type ChangeSql = { [K in Exclude<keyof Change, 'data' | 'idempotency'>]: unknown } & { data: SQL };

/**
 * The CTEs `revision` (unless `revision` is false), `log_lock` and `change` (returning the
 * seq) that save the revision and append to the change log. `lockedFirst`: a condition over
 * CTEs of the same statement that take row locks, which must all be held before the log's
 * lock is taken (see createStatement).
 */
export function changeLogCtes(c: ChangeSql, revision = true, lockedFirst?: SQL): SQL[] {
  const parts: SQL[] = [];
  if (revision)
    parts.push(sql`revision as (
      insert into revisions (resource_type, resource_id, version, action, data, changed_by, created_at)
      values (${c.type}, ${c.id}, ${c.version}, ${c.action}, ${c.data}, ${c.actor}, ${c.at}))`);
  // Sequence numbers are handed out in commit order: the change takes the log's lock (held
  // to the end of its transaction) before its identity value is drawn. Otherwise a later seq
  // could commit first, a partner polling in between would resume past it, and the earlier
  // one would never reach them. The lock is taken last in every write transaction, so it is
  // held only for the commit.
  // A change only editors may learn of (a draft's) takes the lock shared: such changes do not
  // wait for each other, only for a change others may see (which takes it alone), and hold
  // that one back. Only editors' polls show them, and those read no further than a seq below
  // which every change has committed (settledSeq). An audience given as SQL takes it alone.
  const lock = sql.raw(c.audience === 'private' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock');
  // A gate evaluated before the row is produced, so before the lock is called.
  const gate = lockedFirst ? sql` where ${lockedFirst}` : sql``;
  parts.push(sql`log_lock as materialized (select ${lock}(${CHANGE_LOG_LOCK}) as locked${gate})`);
  parts.push(sql`change as (
    insert into changes (resource_type, resource_id, action, version, audience, at)
    select ${c.type}::text, ${c.id}::uuid, ${c.action}::text, ${c.version}::int, ${c.audience}::text,
      ${c.at}::timestamptz
    from log_lock
    returning seq)`);
  return parts;
}

/**
 * The CTEs that save the revision and log the change (named `revision`, `log_lock`, `change`,
 * `delivery`, `idempotency`; `change` returns the seq), for a statement that also makes the
 * change itself. `done` must be called once that statement has run.
 */
export function changeWrites(c: Change, revision = true): { ctes: SQL; done: () => void } {
  const parts = changeLogCtes({ ...c, data: sql`${JSON.stringify(c.data)}::jsonb` }, revision);
  // Partners hear only of what the public may see; drafts and embargoed work stay in-house.
  if (c.audience === 'public')
    parts.push(sql`delivery as (${deliveriesOf(c, sql`(select seq from change)`)})`);
  const idempotency =
    c.action === 'deleted'
      ? undefined
      : idempotencyCompletion(c.idempotency, {
          created: c.action === 'created',
          id: c.id,
          version: c.version,
          body: c.data,
        });
  if (idempotency) parts.push(sql`idempotency as (${idempotency.statement})`);
  return { ctes: sql.join(parts, sql`, `), done: () => idempotency?.done() };
}

/** Reads If-Match: 428 when absent, 412 when it cannot name a stored version (weak, malformed). */
export function requireIfMatch(request: FastifyRequest): number | '*' {
  const header = request.headers['if-match'];
  if (header === undefined || header === '') throw preconditionRequired();
  const parsed = parseIfMatch(header);
  if (parsed === null) throw preconditionFailed();
  return parsed;
}

/**
 * The id of the row a write names by ref (an id or a slug). An id needs no read first when the
 * writer sees every row (`seesAll`: the write scope reads like preview), as every write answers
 * 404 itself when no row has that id (lockForWrite, missedUpdate). Anything else is looked up
 * with `find`: 404 when it finds nothing.
 */
export async function writeTargetId(
  ref: string,
  seesAll: boolean,
  find: () => Promise<{ id: string } | undefined>,
  what: string,
): Promise<string> {
  const given = splitRef(ref);
  if (given.by === 'id' && seesAll) return given.value;
  const found = await find();
  if (!found) throw notFound(what);
  return found.id;
}

type Versioned = PgTable & { id: PgColumn; version: PgColumn };

/**
 * Locks the row for the rest of the transaction and checks If-Match against it. Of two
 * writers holding the same version, the second waits for the first's lock, then sees the
 * new version and gets 412: exactly one wins.
 *
 * An update takes FOR NO KEY UPDATE, which still excludes every other writer of the row but
 * not the KEY SHARE lock a foreign key check takes, so an article created with this person or
 * place need not wait for the edit. (An UPDATE that changes a key, a slug, takes FOR UPDATE
 * strength itself; the create takes its KEY SHARE locks before the change log's lock, so it
 * waits for such an edit without holding what the edit waits for.) A delete takes FOR UPDATE.
 */
export async function lockForWrite<T extends Versioned>(
  tx: Executor,
  table: T,
  id: string,
  ifMatch: number | '*',
  what: string,
  purpose: 'update' | 'delete' = 'update',
): Promise<T['$inferSelect']> {
  const rows = (await tx
    .select()
    .from(table as PgTable)
    .where(eq(table.id, id))
    .for(purpose === 'delete' ? 'update' : 'no key update')) as T['$inferSelect'][];
  const row = rows[0] as (T['$inferSelect'] & { version: number }) | undefined;
  if (!row) throw notFound(what);
  if (ifMatch !== '*' && row.version !== ifMatch) throw preconditionFailed(row.version);
  return row;
}

/**
 * After an UPDATE guarded by If-Match matched no row: 404 when the row is gone, else 412
 * naming the version it has now. Only the failure pays for this read.
 */
export async function missedUpdate<T extends Versioned>(
  tx: Executor,
  table: T,
  id: string,
  what: string,
): Promise<never> {
  const rows = (await tx
    .select({ version: table.version })
    .from(table as PgTable)
    .where(eq(table.id, id))) as { version: number }[];
  if (!rows[0]) throw notFound(what);
  throw preconditionFailed(rows[0].version);
}

/** The SQLSTATE of a database error, also when drizzle wraps it (as its cause). */
export function sqlState(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let i = 0; i < 5 && e; i++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

const isUniqueViolation = (err: unknown) => sqlState(err) === '23505';

/**
 * Runs a write again when a concurrent writer took the slug it derived between its check
 * and its insert. Only for derived slugs: a slug the client chose is its own conflict (409).
 */
export async function retryOnSlugRace<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isUniqueViolation(err)) throw err;
    }
  }
}
