import { count, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { preparedPerDb } from '../../db/prepared.js';
import { articlePeople, people, quotes } from '../../db/schema.js';
import { fold, splitRef } from '../../http/fields.js';
import type { Person } from './schemas.js';

export type PersonRow = typeof people.$inferSelect;

export const searchNamesOf = (name: string, aliases: string[]) => fold([name, ...aliases].join(' '));

export function toPerson(r: Omit<PersonRow, 'searchNames'>): Person {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    aliases: r.aliases,
    description: r.description,
    wikidataId: r.wikidataId,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const personByRef = preparedPerDb('kopij_person', (db, by: 'id' | 'slug', name) =>
  db
    .select()
    .from(people)
    .where(eq(by === 'id' ? people.id : people.slug, sql.placeholder('ref')))
    .limit(1)
    .prepare(name),
);

export async function findPerson(tx: Executor, ref: string): Promise<PersonRow | undefined> {
  const { by, value } = splitRef(ref);
  return (await personByRef(tx, by).execute({ ref: value }))[0];
}

/** How many articles and quotes still refer to a person (a delete must wait for them). */
export async function personReferences(
  tx: Executor,
  id: string,
): Promise<{ articles: number; quotes: number }> {
  const [a] = await tx.select({ n: count() }).from(articlePeople).where(eq(articlePeople.personId, id));
  const [q] = await tx.select({ n: count() }).from(quotes).where(eq(quotes.personId, id));
  return { articles: a?.n ?? 0, quotes: q?.n ?? 0 };
}

export async function insertPerson(tx: Executor, row: PersonRow): Promise<PersonRow> {
  const [created] = await tx.insert(people).values(row).returning();
  return created!;
}

export async function updatePerson(tx: Executor, id: string, values: Partial<PersonRow>): Promise<PersonRow> {
  const [updated] = await tx.update(people).set(values).where(eq(people.id, id)).returning();
  return updated!;
}

export async function deletePerson(tx: Executor, id: string): Promise<void> {
  await tx.delete(people).where(eq(people.id, id));
}
