import { eq } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { type IdempotencyState, idempotencyRecord } from '../../content/idempotency.js';
import { getRevision } from '../../content/revisions.js';
import { freeSlug, slugBase, slugCandidates } from '../../content/slug.js';
import {
  type Audience,
  type ChangeAction,
  lockForWrite,
  missedUpdate,
  recordChange,
  retryOnSlugRace,
  sqlState,
} from '../../content/write.js';
import type { Db, Executor } from '../../db/client.js';
import { inWriteSlot } from '../../db/pool.js';
import { articles } from '../../db/schema.js';
import { conflict, notFound, unprocessable, validationError } from '../../errors.js';
import { scheduleRelease, settleRelease } from '../../syndication/embargo.js';
import { announceQuotesOf } from '../quotes/announce.js';
import {
  type ArticleRow,
  articleById,
  deleteArticle,
  firstUnknownLink,
  insertNewArticle,
  quotesOfArticle,
  setArticleLinks,
  toArticle,
  updateArticle,
} from './repository.js';
import { type ArticleCreate, type ArticlePatch, ArticlePatchSchema } from './schemas.js';

type IfMatch = number | '*';

/**
 * Records the change with its audience (decided by the caller: read back with the row the
 * write returned, or known, as for a withdrawal or deletion of something once public, which
 * must reach partners). `pendingPossible`: whether an embargo release may be waiting from
 * before this change, which a change to any other audience must cancel.
 */
async function record(
  tx: Executor,
  row: ArticleRow,
  action: ChangeAction,
  actor: string,
  at: Date,
  audience: Audience,
  pendingPossible: boolean,
  idempotency: IdempotencyState | null = null,
): Promise<void> {
  // The schedule first: the release worker holds a pending release's row and then takes the
  // change log's lock, so taking that lock first and then the row would deadlock with it.
  await scheduleRelease(tx, row, audience, pendingPossible);
  await recordChange(tx, {
    type: 'article',
    id: row.id,
    version: row.version,
    action,
    data: toArticle(row),
    audience,
    actor,
    at,
    idempotency,
  });
  if (action === 'published' || action === 'withdrawn') {
    await announceQuotesOf(tx, row.id, action, audience, actor, at);
  }
}

/** Sets the given people/places lists; 422 naming the first unknown id under `from`. */
async function setLinks(
  tx: Executor,
  id: string,
  lists: Pick<ArticlePatch, 'personIds' | 'placeIds'>,
  fresh: boolean,
  from: string,
): Promise<void> {
  const unknown = await setArticleLinks(tx, id, lists, fresh);
  if (unknown) throw unprocessable(`${from}.${unknown.kind}Ids.${unknown.index}`, `no such ${unknown.kind}`);
}

const lower = (ids: readonly string[]) => ids.map((id) => id.toLowerCase());
const date = (s: string | null | undefined) => (s ? new Date(s) : null);

/**
 * A new draft in one statement (insertNewArticle), which also picks the slug: a writer that
 * takes it first fails the insert on the unique index, and this runs again. Only when every
 * suffix that statement probes is taken does a second one list them all. An unknown person or
 * place fails it on a foreign key, and only then is asked which.
 */
export async function createArticle(
  db: Db,
  input: ArticleCreate,
  actor: string,
  idempotency: IdempotencyState | null = null,
): Promise<ArticleRow> {
  // A slug the client chose is its own conflict (409) at once; a derived one is probed again
  // after each race lost, so N editors filing one headline together need at most N tries.
  const attempts = input.slug === undefined ? SLUG_RACE_ATTEMPTS : 1;
  const base = input.slug === undefined ? slugBase(input.headline) : undefined;
  // The write holds a transaction slot, like a transaction would.
  const create = () =>
    inWriteSlot(db, async () => {
      const now = new Date();
      const id = uuidv7();
      const row: ArticleRow = {
        id,
        slug: input.slug ?? base!,
        language: input.language,
        headline: input.headline,
        standfirst: input.standfirst ?? null,
        body: input.body,
        byline: input.byline ?? null,
        credit: input.credit ?? null,
        tags: input.tags,
        canonicalUrl: input.canonicalUrl ?? null,
        status: 'draft',
        publishedAt: null,
        firstPublishedAt: null,
        embargoedUntil: date(input.embargoedUntil),
        version: 1,
        createdAt: now,
        updatedAt: now,
        personIds: lower(input.personIds),
        placeIds: lower(input.placeIds),
      };
      const completion = idempotencyRecord(idempotency, { created: true, id, version: 1 });
      const write = async (slug: string | undefined) => {
        try {
          const candidates = base === undefined ? [] : slugCandidates(base);
          return await insertNewArticle(db, {
            row,
            slug,
            candidates,
            actor,
            idempotency: completion?.record,
          });
        } catch (err) {
          const unknown = sqlState(err) === '23503' ? await firstUnknownLink(db, input) : undefined;
          if (unknown)
            throw unprocessable(`body.${unknown.kind}Ids.${unknown.index}`, `no such ${unknown.kind}`);
          throw err;
        }
      };
      let slug: string;
      try {
        slug = await write(input.slug);
      } catch (err) {
        // Every probed suffix was taken (the slug came out null): list them all.
        if (sqlState(err) !== '23502' || input.slug !== undefined) throw err;
        slug = await write(await freeSlug(db, articles, input.headline));
      }
      completion?.done();
      return { ...row, slug };
    });
  return retryOnSlugRace(create, attempts);
}

const SLUG_RACE_ATTEMPTS = 16;

const PATCHABLE = [
  'language',
  'headline',
  'slug',
  'standfirst',
  'body',
  'byline',
  'credit',
  'tags',
  'canonicalUrl',
] as const;

export async function patchArticle(
  db: Db,
  id: string,
  ifMatch: IfMatch,
  patch: ArticlePatch,
  actor: string,
): Promise<ArticleRow> {
  return db.transaction((tx) => applyPatch(tx, id, ifMatch, patch, actor, 'body'));
}

/**
 * The one way content changes: a PATCH and a restore both end here, so references are
 * checked, the version bumped (the UPDATE checks If-Match under the row lock it takes) and
 * the change recorded alike. `from` names where the values came from, for the path of a 422.
 */
async function applyPatch(
  tx: Executor,
  id: string,
  ifMatch: IfMatch,
  patch: ArticlePatch,
  actor: string,
  from: string,
  idempotency: IdempotencyState | null = null,
): Promise<ArticleRow> {
  const now = new Date();
  const values: Partial<typeof articles.$inferInsert> = { updatedAt: now };
  for (const key of PATCHABLE) {
    if (patch[key] !== undefined) Object.assign(values, { [key]: patch[key] });
  }
  if (patch.embargoedUntil !== undefined) values.embargoedUntil = date(patch.embargoedUntil);
  if (values.embargoedUntil) await refuseEmbargoOfPublic(tx, id, ifMatch, values.embargoedUntil, from);
  // The row's copies of the lists change with it; the links follow (and are checked) below.
  if (patch.personIds) values.personIds = lower(patch.personIds);
  if (patch.placeIds) values.placeIds = lower(patch.placeIds);
  const updated =
    (await updateArticle(tx, id, values, ifMatch)) ?? (await missedUpdate(tx, articles, id, 'article'));
  await setLinks(tx, id, patch, false, from);
  const { audience: written, ...row } = updated;
  // A release is pending only for a published article that has (or had) an embargo time.
  const pendingPossible =
    row.status === 'published' && (row.embargoedUntil !== null || patch.embargoedUntil !== undefined);
  let audience = written;
  let released = false;
  if (pendingPossible) {
    // Public now, with its release still waiting (the embargo lifted early, or passed before
    // the worker ran): the public has not been told of it, so this write is its publication,
    // as the release would have been, quotes included. If the worker got there first, it was,
    // and this is an update the public may see.
    const state = await settleRelease(tx, row.id);
    if (state.visible) audience = 'public';
    released = state.released;
    // Published as of its embargo's end, which has not come: it is published now.
    if (released && row.publishedAt && row.publishedAt > now)
      Object.assign(row, await publishNow(tx, row, now));
  }
  await record(
    tx,
    row,
    released ? 'published' : 'updated',
    actor,
    now,
    audience,
    pendingPossible && !released && audience !== 'public',
    idempotency,
  );
  return row;
}

/**
 * An article the public can read already cannot be put back under embargo: hiding it from
 * reads would tell nobody who has it (feeds, webhooks, partners' copies) to take it down.
 * 409 naming the field: withdraw it (a kill notice everyone receives), set the embargo, then
 * publish it again. Decided with the row held (so a publish cannot commit in between; 404 and
 * 412 come first, as for any write) and by settleRelease, which holds its pending release (the
 * worker skips a held one, and one being released is waited for) and judges visibility by
 * the database's clock. A release it would take off the schedule is put back by the refusal's
 * rollback.
 */
async function refuseEmbargoOfPublic(
  tx: Executor,
  id: string,
  ifMatch: IfMatch,
  until: Date,
  from: string,
): Promise<void> {
  if (until <= new Date()) return;
  await lockForWrite(tx, articles, id, ifMatch, 'article');
  if ((await settleRelease(tx, id)).visible)
    throw conflict(
      'This article is public already; an embargo cannot take it back. Withdraw it, set the embargo, then publish it again.',
      [{ path: `${from}.embargoedUntil`, message: 'the article is public already; withdraw it first' }],
    );
}

/** The publication times of an article whose embargo was lifted before its time: now. */
async function publishNow(tx: Executor, row: ArticleRow, now: Date): Promise<Partial<ArticleRow>> {
  const first = row.firstPublishedAt && row.firstPublishedAt.getTime() === row.publishedAt?.getTime();
  const times = { publishedAt: now, ...(first ? { firstPublishedAt: now } : {}) };
  await tx.update(articles).set(times).where(eq(articles.id, row.id));
  return times;
}

/** What a restore takes from an earlier version: its content, never its status or publication. */
const RESTORED = [...PATCHABLE, 'personIds', 'placeIds', 'embargoedUntil'] as const;

/**
 * Writes a new version whose content equals that of an earlier one. Nothing is overwritten:
 * the history keeps every version, and the restore is one more. Status and publication times
 * stay as they are; only publish and withdraw change those.
 */
export async function restoreArticle(
  db: Db,
  id: string,
  ifMatch: IfMatch,
  version: number,
  actor: string,
  idempotency: IdempotencyState | null = null,
): Promise<ArticleRow> {
  return db.transaction(async (tx) => {
    const current = await lockForWrite(tx, articles, id, ifMatch, 'article');
    const data = await getRevision(tx, 'article', id, version);
    if (!data) throw notFound('revision');
    const content = Object.fromEntries(RESTORED.filter((k) => k in data).map((k) => [k, data[k]]));
    // The version was valid when stored; rules may have tightened since.
    const parsed = ArticlePatchSchema.safeParse(content);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw unprocessable(['revision', ...issue.path.map(String)].join('.'), issue.message);
    }
    return applyPatch(tx, current.id, '*', parsed.data, actor, 'revision', idempotency);
  });
}

/**
 * draft|withdrawn -> published. The row lock makes concurrent publishes queue up: the first
 * transitions, the rest find it published and get 409 (or 412 when they sent If-Match).
 */
export async function publishArticle(
  db: Db,
  id: string,
  ifMatch: IfMatch,
  publishedAt: string | undefined,
  actor: string,
  idempotency: IdempotencyState | null = null,
): Promise<ArticleRow> {
  const now = new Date();
  const at = publishedAt ? new Date(publishedAt) : now;
  if (at > now) throw validationError('body.publishedAt', 'must not be in the future; use embargoedUntil');
  return db.transaction(async (tx) => {
    const current = await lockForWrite(tx, articles, id, ifMatch, 'article');
    if (current.status !== 'draft' && current.status !== 'withdrawn')
      throw conflict(`Only a draft or withdrawn article can be published; this one is ${current.status}.`);
    // Under embargo it goes public when the embargo lifts: that is its publication time.
    const effective = current.embargoedUntil && current.embargoedUntil > at ? current.embargoedUntil : at;
    const updated = await updateArticle(
      tx,
      id,
      {
        status: 'published',
        publishedAt: effective,
        firstPublishedAt: current.firstPublishedAt ?? effective,
        updatedAt: now,
      },
      '*',
    );
    const { audience, ...row } = updated!;
    await record(tx, row, 'published', actor, now, audience, true, idempotency);
    return row;
  });
}

/** published -> withdrawn: a kill notice that partners who syndicated it must receive. */
export async function withdrawArticle(
  db: Db,
  id: string,
  ifMatch: IfMatch,
  actor: string,
  idempotency: IdempotencyState | null = null,
): Promise<ArticleRow> {
  return db.transaction(async (tx) => {
    const current = await lockForWrite(tx, articles, id, ifMatch, 'article');
    if (current.status !== 'published')
      throw conflict(`Only a published article can be withdrawn; this one is ${current.status}.`);
    const now = new Date();
    const updated = await updateArticle(tx, id, { status: 'withdrawn', updatedAt: now }, '*');
    const { audience: _, ...row } = updated!;
    await record(tx, row, 'withdrawn', actor, now, oncepublic(row), true, idempotency);
    return row;
  });
}

export async function removeArticle(db: Db, id: string, ifMatch: IfMatch, actor: string): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockForWrite(tx, articles, id, ifMatch, 'article', 'delete');
    const n = await quotesOfArticle(tx, id);
    if (n > 0)
      throw conflict(
        `This article is still referred to by ${n} quote(s); delete them or detach them from it first.`,
      );
    const last = await articleById(tx, id);
    await deleteArticle(tx, id);
    await record(
      tx,
      { ...last, version: current.version + 1 },
      'deleted',
      actor,
      new Date(),
      oncepublic(last),
      false, // the delete cascades to its pending release
    );
  });
}

// A draft's history is nobody's business; the end of something once public is everybody's.
const oncepublic = (row: ArticleRow): Audience => (row.firstPublishedAt ? 'public' : 'private');
