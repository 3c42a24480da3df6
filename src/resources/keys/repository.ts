import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../../db/client.js';
import { preparedPerDb } from '../../db/prepared.js';
import { apiKeys } from '../../db/schema.js';
import { hashKey } from '../../plugins/auth.js';

export type KeyRow = typeof apiKeys.$inferSelect;

export function toKey(r: KeyRow) {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes as ('read' | 'embargo' | 'preview' | 'write' | 'admin')[],
    createdAt: r.createdAt.toISOString(),
    revokedAt: r.revokedAt ? r.revokedAt.toISOString() : null,
  };
}

export async function createKey(
  tx: Executor,
  name: string,
  scopes: string[],
): Promise<{ row: KeyRow; secret: string }> {
  const secret = `kpj_${randomBytes(32).toString('base64url')}`;
  const [row] = await tx
    .insert(apiKeys)
    .values({
      id: uuidv7(),
      name,
      prefix: secret.slice(0, 12),
      hash: hashKey(secret),
      scopes: [...new Set(scopes)],
      createdAt: new Date(),
    })
    .returning();
  return { row: row!, secret };
}

// Every request with a key runs this first: prepared once per database.
const activeKeyByHash = preparedPerDb('kopij_key', (db, _key: 'active', name) =>
  db
    .select({ id: apiKeys.id, name: apiKeys.name, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
    .limit(1)
    .prepare(name),
);

export async function findActiveKeyByHash(tx: Executor, hash: string) {
  return (await activeKeyByHash(tx, 'active').execute({ hash }))[0];
}

export const listKeys = (tx: Executor) => tx.select().from(apiKeys).orderBy(asc(apiKeys.id));

export async function revokeKey(tx: Executor, id: string): Promise<boolean> {
  const rows = await tx
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

export async function keyCount(tx: Executor): Promise<number> {
  const [r] = await tx.select({ n: count() }).from(apiKeys);
  return r?.n ?? 0;
}
