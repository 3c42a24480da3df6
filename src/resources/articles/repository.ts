import { and, count, eq, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import type { Audience } from '../../content/write.js';
import type { Executor } from '../../db/client.js';
import { articlePeople, articlePlaces, articles, people, type places, quotes } from '../../db/schema.js';
import { unprocessable } from '../../errors.js';
import { isUuid } from '../../http/fields.js';
import { PUBLIC_VISIBILITY, type Visibility } from '../../plugins/auth.js';
import type { Article, ArticleStatus, Block } from './schemas.js';
import { articleVisible } from './visibility.js';

// The generated tsvector is for the index and ranking only; never fetch it.
const { search: _search, ...storedColumns } = getTableColumns(articles);

/** Every column the API shows, with the ordered people and places ids in the same query. */
export const articleColumns = {
  ...storedColumns,
  personIds: sql<
    string[]
  >`coalesce((select jsonb_agg(${articlePeople.personId} order by ${articlePeople.position}) from ${articlePeople} where ${articlePeople.articleId} = ${articles.id}), '[]'::jsonb)`,
  placeIds: sql<
    string[]
  >`coalesce((select jsonb_agg(${articlePlaces.placeId} order by ${articlePlaces.position}) from ${articlePlaces} where ${articlePlaces.articleId} = ${articles.id}), '[]'::jsonb)`,
};

export type ArticleTableRow = Omit<typeof articles.$inferSelect, 'search'>;
export type ArticleRow = ArticleTableRow & { personIds: string[]; placeIds: string[] };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toArticle(r: ArticleRow): Article {
  return {
    id: r.id,
    slug: r.slug,
    language: r.language,
    headline: r.headline,
    standfirst: r.standfirst,
    body: r.body as Block[],
    byline: r.byline,
    credit: r.credit,
    tags: r.tags,
    personIds: r.personIds,
    placeIds: r.placeIds,
    canonicalUrl: r.canonicalUrl,
    status: r.status as ArticleStatus,
    publishedAt: iso(r.publishedAt),
    firstPublishedAt: iso(r.firstPublishedAt),
    embargoedUntil: iso(r.embargoedUntil),
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** The condition "this row is the one the ref names": a ref is an id or a slug. */
export function articleRef(ref: string): SQL {
  return isUuid(ref) ? eq(articles.id, ref.toLowerCase()) : eq(articles.slug, ref);
}

/** An article by id or slug, only if the caller may see it: otherwise it does not exist. */
export async function findArticle(tx: Executor, ref: string, v: Visibility): Promise<ArticleRow | undefined> {
  const rows = await tx
    .select(articleColumns)
    .from(articles)
    .where(and(articleRef(ref), articleVisible(v)))
    .limit(1);
  return rows[0];
}

/** Whether anonymous readers can see the article now. */
export async function isPublic(tx: Executor, id: string): Promise<boolean> {
  return (await audienceOf(tx, id)) === 'public';
}

/**
 * Who may see the article now, by the one visibility rule: everyone, partners with the
 * embargo scope (published but under embargo), or editors only. Decides a change's audience.
 */
export async function audienceOf(tx: Executor, id: string): Promise<Audience> {
  const [row] = await tx
    .select({
      audience: sql<Audience>`case when ${articleVisible(PUBLIC_VISIBILITY)} then 'public'
        when ${articleVisible(EMBARGO_VISIBILITY)} then 'embargo' else 'private' end`,
    })
    .from(articles)
    .where(eq(articles.id, id));
  return row?.audience ?? 'private';
}

const EMBARGO_VISIBILITY = { preview: false, embargo: true };

/** 422 naming the first id (by path) that names no stored row. One query per list. */
export async function requireExisting(
  tx: Executor,
  table: typeof people | typeof places,
  ids: readonly string[],
  path: string,
): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx
    .select({ id: table.id })
    .from(table)
    .where(inArray(table.id, ids.map(lower)));
  const known = new Set(found.map((r) => r.id));
  const i = ids.findIndex((id) => !known.has(lower(id)));
  if (i >= 0) throw unprocessable(`${path}.${i}`, `no such ${table === people ? 'person' : 'place'}`);
}

const lower = (s: string) => s.toLowerCase();

export async function setArticlePeople(tx: Executor, articleId: string, ids: readonly string[]) {
  await tx.delete(articlePeople).where(eq(articlePeople.articleId, articleId));
  if (ids.length)
    await tx
      .insert(articlePeople)
      .values(ids.map((personId, position) => ({ articleId, personId: lower(personId), position })));
}

export async function setArticlePlaces(tx: Executor, articleId: string, ids: readonly string[]) {
  await tx.delete(articlePlaces).where(eq(articlePlaces.articleId, articleId));
  if (ids.length)
    await tx
      .insert(articlePlaces)
      .values(ids.map((placeId, position) => ({ articleId, placeId: lower(placeId), position })));
}

export async function articleById(tx: Executor, id: string): Promise<ArticleRow> {
  const [row] = await tx.select(articleColumns).from(articles).where(eq(articles.id, id));
  return row!;
}

export async function insertArticle(tx: Executor, row: typeof articles.$inferInsert): Promise<void> {
  await tx.insert(articles).values(row);
}

export async function updateArticle(
  tx: Executor,
  id: string,
  values: Partial<typeof articles.$inferInsert>,
): Promise<void> {
  await tx.update(articles).set(values).where(eq(articles.id, id));
}

export async function deleteArticle(tx: Executor, id: string): Promise<void> {
  await tx.delete(articles).where(eq(articles.id, id));
}

/** How many quotes were taken from the article (a delete must wait for them). */
export async function quotesOfArticle(tx: Executor, id: string): Promise<number> {
  const [q] = await tx.select({ n: count() }).from(quotes).where(eq(quotes.articleId, id));
  return q?.n ?? 0;
}
