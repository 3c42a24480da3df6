import { eq, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { articlePeople, articlePlaces, articles, people, places } from '../../db/schema.js';
import { isUuid } from '../../http/fields.js';

/** "This person/place row is the one the ref names" (id or slug). */
export const personRef = (ref: string): SQL =>
  isUuid(ref) ? eq(people.id, ref.toLowerCase()) : eq(people.slug, ref);
export const placeRef = (ref: string): SQL =>
  isUuid(ref) ? eq(places.id, ref.toLowerCase()) : eq(places.slug, ref);

/**
 * The ids of the places matching `root` and of every place inside them, at any depth
 * (Azovstal in Marioepol in the Donetsk region). UNION, not UNION ALL: it stops even on a
 * cycle that should never exist.
 */
export function placeAndInside(root: SQL): SQL {
  return sql`(with recursive inside(id) as (
    select ${places.id} from ${places} where ${root}
    union
    select ${places.id} from ${places} join inside on ${places.parentId} = inside.id
  ) select id from inside)`;
}

/** Articles that mention the person matching `cond`. */
export const mentionsPerson = (cond: SQL): SQL =>
  sql`${articles.id} in (select ${articlePeople.articleId} from ${articlePeople} join ${people} on ${people.id} = ${articlePeople.personId} where ${cond})`;

/** Articles about the place matching `cond` or any place inside it. */
export const aboutPlace = (cond: SQL): SQL =>
  sql`${articles.id} in (select ${articlePlaces.articleId} from ${articlePlaces} where ${articlePlaces.placeId} in ${placeAndInside(cond)})`;

/** Rows whose place column is the place matching `cond` or lies inside it. */
export const inPlace = (column: PgColumn, cond: SQL): SQL => sql`${column} in ${placeAndInside(cond)}`;
