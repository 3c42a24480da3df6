import { uuidv7 } from 'uuidv7';
import type { IdempotencyState } from '../../content/idempotency.js';
import { freeSlug } from '../../content/slug.js';
import { lockForWrite, recordChange, retryOnSlugRace } from '../../content/write.js';
import type { Db } from '../../db/client.js';
import { people } from '../../db/schema.js';
import { conflict } from '../../errors.js';
import {
  deletePerson,
  insertPerson,
  type PersonRow,
  personReferences,
  searchNamesOf,
  toPerson,
  updatePerson,
} from './repository.js';
import type { PersonCreate, PersonPatch } from './schemas.js';

// People are always public, so every change to one is a public change.
const AUDIENCE = 'public';

export async function createPerson(
  db: Db,
  input: PersonCreate,
  actor: string,
  idempotency: IdempotencyState | null = null,
): Promise<PersonRow> {
  return retryOnSlugRace(() =>
    db.transaction(async (tx) => {
      const now = new Date();
      const row = await insertPerson(tx, {
        id: uuidv7(),
        slug: input.slug ?? (await freeSlug(tx, people, input.name)),
        name: input.name,
        aliases: input.aliases,
        description: input.description ?? null,
        wikidataId: input.wikidataId ?? null,
        searchNames: searchNamesOf(input.name, input.aliases),
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      await recordChange(tx, {
        type: 'person',
        id: row.id,
        version: 1,
        action: 'created',
        data: toPerson(row),
        audience: AUDIENCE,
        actor,
        at: now,
        idempotency,
      });
      return row;
    }),
  );
}

export async function patchPerson(
  db: Db,
  id: string,
  ifMatch: number | '*',
  patch: PersonPatch,
  actor: string,
): Promise<PersonRow> {
  return db.transaction(async (tx) => {
    const current = await lockForWrite(tx, people, id, ifMatch, 'person');
    const name = patch.name ?? current.name;
    const aliases = patch.aliases ?? current.aliases;
    const now = new Date();
    const row = await updatePerson(tx, id, {
      ...patch,
      searchNames: searchNamesOf(name, aliases),
      version: current.version + 1,
      updatedAt: now,
    });
    await recordChange(tx, {
      type: 'person',
      id,
      version: row.version,
      action: 'updated',
      data: toPerson(row),
      audience: AUDIENCE,
      actor,
      at: now,
    });
    return row;
  });
}

export async function removePerson(db: Db, id: string, ifMatch: number | '*', actor: string): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockForWrite(tx, people, id, ifMatch, 'person', 'delete');
    const refs = await personReferences(tx, id);
    if (refs.articles + refs.quotes > 0) {
      throw conflict(
        `This person is still referred to by ${refs.articles} article(s) and ${refs.quotes} quote(s); remove those references first.`,
      );
    }
    await deletePerson(tx, id);
    const now = new Date();
    await recordChange(tx, {
      type: 'person',
      id,
      version: current.version + 1,
      action: 'deleted',
      data: toPerson(current),
      audience: AUDIENCE,
      actor,
      at: now,
    });
  });
}
