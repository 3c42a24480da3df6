import { and, asc, eq, getTableColumns, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/client.js';
import { articlePeople, articlePlaces, people, places, quotes } from '../../db/schema.js';
import { compositeEtag } from '../../http/etag.js';
import { registry } from '../../http/registry.js';
import type { Visibility } from '../../plugins/auth.js';
import { toPerson } from '../people/repository.js';
import { PersonSchema } from '../people/schemas.js';
import { toPlace } from '../places/repository.js';
import { PlaceSchema } from '../places/schemas.js';
import { quoteColumns, toQuote } from '../quotes/repository.js';
import { QuoteSchema } from '../quotes/schemas.js';
import { quoteVisible } from '../quotes/visibility.js';
import { type Article, ArticleSchema, type Include } from './schemas.js';

export const ArticleWithIncludesSchema = ArticleSchema.extend({
  people: z.array(PersonSchema).optional().meta({ description: 'With include=people, in article order.' }),
  places: z.array(PlaceSchema).optional().meta({ description: 'With include=places, in article order.' }),
  quotes: z
    .array(QuoteSchema)
    .optional()
    .meta({ description: 'With include=quotes: quotes taken from the article, oldest first.' }),
}).meta({ description: 'An article, with the related resources asked for by `include`.' });
registry.add(ArticleWithIncludesSchema, { id: 'ArticleWithIncludes' });
export type ArticleWithIncludes = z.infer<typeof ArticleWithIncludesSchema>;

type Embedded = Pick<ArticleWithIncludes, 'people' | 'places' | 'quotes'>;

function groupBy<T>(rows: { articleId: string | null; item: T }[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    if (!r.articleId) continue;
    const list = out.get(r.articleId) ?? [];
    list.push(r.item);
    out.set(r.articleId, list);
  }
  return out;
}

/**
 * Loads the requested relations for a whole page of articles: one query per relation,
 * whatever the page size (never one per article). Quotes pass the same visibility rule as
 * everywhere else; people and places are always public.
 */
async function loadRelations(
  tx: Executor,
  ids: string[],
  include: readonly Include[],
  v: Visibility,
): Promise<Map<string, Embedded>> {
  const byArticle = new Map<string, Embedded>(ids.map((id) => [id, {}]));
  if (ids.length === 0) return byArticle;
  if (include.includes('people')) {
    const rows = await tx
      .select({ articleId: articlePeople.articleId, person: getTableColumns(people) })
      .from(articlePeople)
      .innerJoin(people, eq(people.id, articlePeople.personId))
      .where(inArray(articlePeople.articleId, ids))
      .orderBy(asc(articlePeople.position));
    const grouped = groupBy(rows.map((r) => ({ articleId: r.articleId, item: toPerson(r.person) })));
    for (const [id, e] of byArticle) e.people = grouped.get(id) ?? [];
  }
  if (include.includes('places')) {
    const rows = await tx
      .select({ articleId: articlePlaces.articleId, place: getTableColumns(places) })
      .from(articlePlaces)
      .innerJoin(places, eq(places.id, articlePlaces.placeId))
      .where(inArray(articlePlaces.articleId, ids))
      .orderBy(asc(articlePlaces.position));
    const grouped = groupBy(rows.map((r) => ({ articleId: r.articleId, item: toPlace(r.place) })));
    for (const [id, e] of byArticle) e.places = grouped.get(id) ?? [];
  }
  if (include.includes('quotes')) {
    const rows = await tx
      .select(quoteColumns)
      .from(quotes)
      .where(and(inArray(quotes.articleId, ids), quoteVisible(v)))
      .orderBy(asc(quotes.createdAt), asc(quotes.id));
    const grouped = groupBy(rows.map((r) => ({ articleId: r.articleId, item: toQuote(r) })));
    for (const [id, e] of byArticle) e.quotes = grouped.get(id) ?? [];
  }
  return byArticle;
}

/** The articles with their requested relations embedded (unchanged when nothing is asked). */
export async function withIncludes(
  tx: Executor,
  list: Article[],
  include: readonly Include[] | undefined,
  v: Visibility,
): Promise<ArticleWithIncludes[]> {
  if (!include?.length) return list;
  const related = await loadRelations(
    tx,
    list.map((a) => a.id),
    include,
    v,
  );
  return list.map((a) => ({ ...a, ...related.get(a.id) }));
}

/** The ETag of an article with its includes: it changes when any included resource does. */
export function includesEtag(a: ArticleWithIncludes): string {
  return compositeEtag(a.version, [...(a.people ?? []), ...(a.places ?? []), ...(a.quotes ?? [])]);
}
