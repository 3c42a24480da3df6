import { eq, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.js';
import { articlePeople, articlePlaces, articles, places } from '../../db/schema.js';
import { isUuid } from '../../http/fields.js';
import { findPerson } from '../people/repository.js';

/** "This place row is the one the ref names" (id or slug). */
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
 * tree (150-355 ms per page at 100k articles, a country or a village). Given the ids, it sees
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

/** Articles that mention this person (an id, bound). */
export const mentionsPerson = (id: unknown): SQL =>
  sql`${articles.id} in (select ${articlePeople.articleId} from ${articlePeople} where ${articlePeople.personId} = ${id}::uuid)`;

/** No person has this id (Kopij's are UUIDv7): what an unknown slug binds, matching nothing. */
const NO_ONE = '00000000-0000-0000-0000-000000000000';

/**
 * The id of the person a ref names: an id as it is, a slug looked up (one statement). Lists
 * bind the id, not a join on the slug: PostgreSQL then knows how often that person is mentioned
 * and walks the dates for a person in 20k articles (9 ms) rather than reading all their links
 * and sorting (260-660 ms at 100k articles), or starts from the few links of a rare one.
 */
export async function personId(tx: Executor, ref: string): Promise<string> {
  if (isUuid(ref)) return ref.toLowerCase();
  return (await findPerson(tx, ref))?.id ?? NO_ONE;
}

/** What a list's person and place filters name, looked up before its page. */
export interface ResolvedRefs {
  person?: string | undefined;
  places?: readonly string[] | undefined;
}

/** Looks up the refs of the filters given, except those the caller already `known`. */
export async function resolveRefs(
  tx: Executor,
  query: { person?: string | undefined; place?: string | undefined },
  known: ResolvedRefs = {},
): Promise<ResolvedRefs> {
  return {
    person: query.person ? (known.person ?? (await personId(tx, query.person))) : undefined,
    places: query.place ? (known.places ?? (await placeTree(tx, query.place))) : undefined,
  };
}

/** Articles about any of these places (a placeTree), bound as one uuid[] literal. */
export const aboutPlaces = (ids: unknown): SQL =>
  sql`${articles.id} in (select ${articlePlaces.articleId} from ${articlePlaces} where ${articlePlaces.placeId} = any(${ids}::uuid[]))`;

/** Rows whose place column is any of these places (a placeTree), bound as one uuid[] literal. */
export const inPlaces = (column: PgColumn, ids: unknown): SQL => sql`${column} = any(${ids}::uuid[])`;
