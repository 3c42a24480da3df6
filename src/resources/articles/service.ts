import { uuidv7 } from 'uuidv7';
import { getRevision } from '../../content/revisions.js';
import { freeSlug } from '../../content/slug.js';
import {
  type Audience,
  type ChangeAction,
  lockForWrite,
  recordChange,
  retryOnSlugRace,
} from '../../content/write.js';
import type { Db, Executor } from '../../db/client.js';
import { articles, people, places } from '../../db/schema.js';
import { conflict, notFound, unprocessable, validationError } from '../../errors.js';
import { scheduleRelease } from '../../syndication/embargo.js';
import { announceQuotesOf } from '../quotes/announce.js';
import {
  type ArticleRow,
  articleById,
  audienceOf,
  deleteArticle,
  insertArticle,
  quotesOfArticle,
  requireExisting,
  setArticlePeople,
  setArticlePlaces,
  toArticle,
  updateArticle,
} from './repository.js';
import { type ArticleCreate, type ArticlePatch, ArticlePatchSchema } from './schemas.js';

type IfMatch = number | '*';

/**
 * Records the change with its audience: public when anonymous readers can see the article
 * after it (asked of the database, through the one visibility rule), unless the caller
 * already knows (a withdrawal or deletion of something once public must reach partners).
 */
async function record(
  tx: Executor,
  row: ArticleRow,
  action: ChangeAction,
  actor: string,
  at: Date,
  audience?: Audience,
): Promise<void> {
  const decided = audience ?? (await audienceOf(tx, row.id));
  await recordChange(tx, {
    type: 'article',
    id: row.id,
    version: row.version,
    action,
    data: toArticle(row),
    audience: decided,
    actor,
    at,
  });
  await scheduleRelease(tx, row, decided);
  if (action === 'published' || action === 'withdrawn') {
    await announceQuotesOf(tx, row.id, action, decided, actor, at);
  }
}

const date = (s: string | null | undefined) => (s ? new Date(s) : null);

export async function createArticle(db: Db, input: ArticleCreate, actor: string): Promise<ArticleRow> {
  return retryOnSlugRace(() =>
    db.transaction(async (tx) => {
      await requireExisting(tx, people, input.personIds, 'body.personIds');
      await requireExisting(tx, places, input.placeIds, 'body.placeIds');
      const now = new Date();
      const id = uuidv7();
      await insertArticle(tx, {
        id,
        slug: input.slug ?? (await freeSlug(tx, articles, input.headline)),
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
      });
      await setArticlePeople(tx, id, input.personIds);
      await setArticlePlaces(tx, id, input.placeIds);
      const row = await articleById(tx, id);
      await record(tx, row, 'created', actor, now);
      return row;
    }),
  );
}

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
  return db.transaction(async (tx) => {
    const current = await lockForWrite(tx, articles, id, ifMatch, 'article');
    return applyPatch(tx, current, patch, actor, 'body');
  });
}

/**
 * The one way content changes: a PATCH and a restore both end here, under the row lock the
 * caller took, so references are checked, the version bumped and the change recorded alike.
 * `from` names where the values came from, for the path of a 422.
 */
async function applyPatch(
  tx: Executor,
  current: { id: string; version: number },
  patch: ArticlePatch,
  actor: string,
  from: string,
): Promise<ArticleRow> {
  const { id } = current;
  if (patch.personIds) await requireExisting(tx, people, patch.personIds, `${from}.personIds`);
  if (patch.placeIds) await requireExisting(tx, places, patch.placeIds, `${from}.placeIds`);
  const now = new Date();
  const values: Partial<typeof articles.$inferInsert> = { version: current.version + 1, updatedAt: now };
  for (const key of PATCHABLE) {
    if (patch[key] !== undefined) Object.assign(values, { [key]: patch[key] });
  }
  if (patch.embargoedUntil !== undefined) values.embargoedUntil = date(patch.embargoedUntil);
  await updateArticle(tx, id, values);
  if (patch.personIds) await setArticlePeople(tx, id, patch.personIds);
  if (patch.placeIds) await setArticlePlaces(tx, id, patch.placeIds);
  const row = await articleById(tx, id);
  await record(tx, row, 'updated', actor, now);
  return row;
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
    return applyPatch(tx, current, parsed.data, actor, 'revision');
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
    await updateArticle(tx, id, {
      status: 'published',
      publishedAt: effective,
      firstPublishedAt: current.firstPublishedAt ?? effective,
      version: current.version + 1,
      updatedAt: now,
    });
    const row = await articleById(tx, id);
    await record(tx, row, 'published', actor, now);
    return row;
  });
}

/** published -> withdrawn: a kill notice that partners who syndicated it must receive. */
export async function withdrawArticle(
  db: Db,
  id: string,
  ifMatch: IfMatch,
  actor: string,
): Promise<ArticleRow> {
  return db.transaction(async (tx) => {
    const current = await lockForWrite(tx, articles, id, ifMatch, 'article');
    if (current.status !== 'published')
      throw conflict(`Only a published article can be withdrawn; this one is ${current.status}.`);
    const now = new Date();
    await updateArticle(tx, id, { status: 'withdrawn', version: current.version + 1, updatedAt: now });
    const row = await articleById(tx, id);
    await record(tx, row, 'withdrawn', actor, now, oncepublic(row));
    return row;
  });
}

export async function removeArticle(db: Db, id: string, ifMatch: IfMatch, actor: string): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockForWrite(tx, articles, id, ifMatch, 'article');
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
    );
  });
}

// A draft's history is nobody's business; the end of something once public is everybody's.
const oncepublic = (row: ArticleRow): Audience => (row.firstPublishedAt ? 'public' : 'private');
