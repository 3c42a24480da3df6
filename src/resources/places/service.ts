import { uuidv7 } from 'uuidv7';
import type { IdempotencyState } from '../../content/idempotency.js';
import { freeSlug } from '../../content/slug.js';
import { lockForWrite, recordChange, retryOnSlugRace } from '../../content/write.js';
import type { Db, Executor } from '../../db/client.js';
import { places } from '../../db/schema.js';
import { conflict, unprocessable, validationError } from '../../errors.js';
import {
  deletePlace,
  findPlace,
  insertPlace,
  type PlaceRow,
  placeReferences,
  searchNamesOf,
  toPlace,
  updatePlace,
  wouldCycle,
} from './repository.js';
import type { PlaceCreate, PlacePatch } from './schemas.js';

// Places are always public, so every change to one is a public change.
const AUDIENCE = 'public';

async function requireParent(tx: Executor, parentId: string): Promise<void> {
  const parent = await findPlace(tx, parentId);
  if (!parent) throw unprocessable('body.parentId', `no place with id ${parentId}`);
}

export async function createPlace(
  db: Db,
  input: PlaceCreate,
  actor: string,
  idempotency: IdempotencyState | null = null,
): Promise<PlaceRow> {
  return retryOnSlugRace(() =>
    db.transaction(async (tx) => {
      if (input.parentId) await requireParent(tx, input.parentId);
      const now = new Date();
      const row = await insertPlace(tx, {
        id: uuidv7(),
        slug: input.slug ?? (await freeSlug(tx, places, input.name)),
        name: input.name,
        aliases: input.aliases,
        kind: input.kind,
        countryCode: input.countryCode ?? null,
        lat: input.location?.lat ?? null,
        lon: input.location?.lon ?? null,
        parentId: input.parentId ?? null,
        geonamesId: input.geonamesId ?? null,
        wikidataId: input.wikidataId ?? null,
        searchNames: searchNamesOf(input.name, input.aliases),
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      await recordChange(tx, {
        type: 'place',
        id: row.id,
        version: 1,
        action: 'created',
        data: toPlace(row),
        audience: AUDIENCE,
        actor,
        idempotency,
        at: now,
      });
      return row;
    }),
  );
}

export async function patchPlace(
  db: Db,
  id: string,
  ifMatch: number | '*',
  patch: PlacePatch,
  actor: string,
): Promise<PlaceRow> {
  return db.transaction(async (tx) => {
    const current = await lockForWrite(tx, places, id, ifMatch, 'place');
    if (patch.parentId) {
      await requireParent(tx, patch.parentId);
      if (await wouldCycle(tx, id, patch.parentId)) {
        throw validationError('body.parentId', 'would make the place lie inside itself');
      }
    }
    const { location, ...rest } = patch;
    const name = patch.name ?? current.name;
    const aliases = patch.aliases ?? current.aliases;
    const now = new Date();
    const row = await updatePlace(tx, id, {
      ...rest,
      ...(location !== undefined ? { lat: location?.lat ?? null, lon: location?.lon ?? null } : {}),
      searchNames: searchNamesOf(name, aliases),
      version: current.version + 1,
      updatedAt: now,
    });
    await recordChange(tx, {
      type: 'place',
      id,
      version: row.version,
      action: 'updated',
      data: toPlace(row),
      audience: AUDIENCE,
      actor,
      at: now,
    });
    return row;
  });
}

export async function removePlace(db: Db, id: string, ifMatch: number | '*', actor: string): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockForWrite(tx, places, id, ifMatch, 'place', 'delete');
    const refs = await placeReferences(tx, id);
    if (refs.articles + refs.quotes + refs.places > 0) {
      throw conflict(
        `This place is still referred to by ${refs.articles} article(s), ${refs.quotes} quote(s) and ${refs.places} place(s) inside it; remove those references first.`,
      );
    }
    await deletePlace(tx, id);
    await recordChange(tx, {
      type: 'place',
      id,
      version: current.version + 1,
      action: 'deleted',
      data: toPlace(current),
      audience: AUDIENCE,
      actor,
      at: new Date(),
    });
  });
}
