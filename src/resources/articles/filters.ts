import { eq, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.js';
import { articlePeople, articlePlaces, articles, people, places } from '../../db/schema.js';
import { isUuid } from '../../http/fields.js';

/** "This person/place row is the one the ref names" (id or slug). */
export const personRef = (ref: string): SQL =>
  isUuid(ref) ? eq(people.id, ref.toLowerCase()) : eq(people.slug, ref);
export const placeRef = (ref: string): SQL =>
  isUuid(ref) ? eq(places.id, ref.toLowerCase()) : eq(places.slug, ref);

/**
 * The ids of the place `ref` names and of every place inside it, at any depth (Azovstal in
 * Marioepol in the Donetsk region), in one statement; none when no place has that ref. UNION,
 * not UNION ALL: it stops even on a cycle that should never exist.
 *
 * Lists by place look this up first and bind the ids, rather than nesting the recursive query:
 * PostgreSQL cannot estimate how many places a recursive query yields, so it planned every
 * place alike, as a walk of all articles in date order checked against every link of the
 * tree (150-350 ms per page at 100k articles, a country or a village). Given the ids, it sees
 * how many links they have and starts from the links of a village or walks the dates for a
 * country (0.03-3 ms).
 */
export async function placeTree(tx: Executor, ref: string): Promise<string[]> {
  const result = (await tx.execute(sql`
    with recursive inside(id) as (
      select ${places.id} from ${places} where ${placeRef(ref)}
      union
      select ${places.id} from ${places} join inside on ${places.parentId} = inside.id
    ) select coalesce(array_agg(id), '{}') as ids from inside`)) as unknown as { rows: { ids: unknown }[] };
  return uuidList(result.rows[0]?.ids);
}

/** A uuid[] as the drivers return it: pg parses it to an array, PGlite too; text just in case. */
function uuidList(value: unknown): string[] {
  if (Array.isArray(value)) return value as string[];
  if (typeof value === 'string')
    return value
      .replace(/^\{|\}$/g, '')
      .split(',')
      .filter(Boolean);
  return [];
}

/** A list of uuids as one PostgreSQL array literal, to bind as a single parameter (`::uuid[]`). */
export const uuidArrayLiteral = (ids: readonly string[]) => `{${ids.join(',')}}`;

/** Articles that mention the person matching `cond`. */
export const mentionsPerson = (cond: SQL): SQL =>
  sql`${articles.id} in (select ${articlePeople.articleId} from ${articlePeople} join ${people} on ${people.id} = ${articlePeople.personId} where ${cond})`;

/** Articles about any of these places (a placeTree), bound as one uuid[] literal. */
export const aboutPlaces = (ids: unknown): SQL =>
  sql`${articles.id} in (select ${articlePlaces.articleId} from ${articlePlaces} where ${articlePlaces.placeId} = any(${ids}::uuid[]))`;

/** Rows whose place column is any of these places (a placeTree), bound as one uuid[] literal. */
export const inPlaces = (column: PgColumn, ids: unknown): SQL => sql`${column} = any(${ids}::uuid[])`;
