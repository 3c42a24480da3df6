import { count, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { preparedPerDb } from '../../db/prepared.js';
import { articlePlaces, places, quotes } from '../../db/schema.js';
import { fold, splitRef } from '../../http/fields.js';
import type { Place } from './schemas.js';

export type PlaceRow = typeof places.$inferSelect;

export const searchNamesOf = (name: string, aliases: string[]) => fold([name, ...aliases].join(' '));

export function toPlace(r: Omit<PlaceRow, 'searchNames'>): Place {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    aliases: r.aliases,
    kind: r.kind as Place['kind'],
    countryCode: r.countryCode,
    location: r.lat !== null && r.lon !== null ? { lat: r.lat, lon: r.lon } : null,
    parentId: r.parentId,
    geonamesId: r.geonamesId,
    wikidataId: r.wikidataId,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const placeByRef = preparedPerDb('kopij_place', (db, by: 'id' | 'slug', name) =>
  db
    .select()
    .from(places)
    .where(eq(by === 'id' ? places.id : places.slug, sql.placeholder('ref')))
    .limit(1)
    .prepare(name),
);

export async function findPlace(tx: Executor, ref: string): Promise<PlaceRow | undefined> {
  const { by, value } = splitRef(ref);
  return (await placeByRef(tx, by).execute({ ref: value }))[0];
}

/** True when `candidateParent` is `id` itself or lies (at any depth) inside it. */
export async function wouldCycle(tx: Executor, id: string, candidateParent: string): Promise<boolean> {
  const result = await tx.execute(sql`
    with recursive up(id, parent_id, depth) as (
      select id, parent_id, 0 from places where id = ${candidateParent}
      union all
      select p.id, p.parent_id, up.depth + 1 from places p join up on p.id = up.parent_id where up.depth < 100
    )
    select 1 as hit from up where id = ${id} limit 1`);
  return (result as unknown as { rows: unknown[] }).rows.length > 0;
}

export async function placeReferences(
  tx: Executor,
  id: string,
): Promise<{ articles: number; quotes: number; places: number }> {
  const [a] = await tx.select({ n: count() }).from(articlePlaces).where(eq(articlePlaces.placeId, id));
  const [q] = await tx.select({ n: count() }).from(quotes).where(eq(quotes.placeId, id));
  const [p] = await tx.select({ n: count() }).from(places).where(eq(places.parentId, id));
  return { articles: a?.n ?? 0, quotes: q?.n ?? 0, places: p?.n ?? 0 };
}

export async function insertPlace(tx: Executor, row: PlaceRow): Promise<PlaceRow> {
  const [created] = await tx.insert(places).values(row).returning();
  return created!;
}

export async function updatePlace(tx: Executor, id: string, values: Partial<PlaceRow>): Promise<PlaceRow> {
  const [updated] = await tx.update(places).set(values).where(eq(places.id, id)).returning();
  return updated!;
}

export async function deletePlace(tx: Executor, id: string): Promise<void> {
  await tx.delete(places).where(eq(places.id, id));
}
