import slugify from '@sindresorhus/slugify';
import { eq, like, or } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client.js';

const MAX_BASE = 80;

/** Transliterated, lowercase, hyphenated: `António Guterres` -> `antonio-guterres`. */
export function slugBase(source: string): string {
  let s = slugify(source, { decamelize: false });
  if (s.length > MAX_BASE) {
    s = s.slice(0, MAX_BASE);
    const cut = s.lastIndexOf('-');
    if (cut > 20) s = s.slice(0, cut);
  }
  return s.replace(/-+$/, '') || 'item';
}

/**
 * The first free slug for a source text: the base, else base-2, base-3, … A concurrent
 * writer may still take it first; the unique index catches that and the caller retries.
 */
export async function freeSlug(
  tx: Executor,
  table: PgTable & { slug: PgColumn },
  source: string,
): Promise<string> {
  const base = slugBase(source);
  const taken = (await tx
    .select({ slug: table.slug })
    .from(table as PgTable)
    .where(or(eq(table.slug, base), like(table.slug, `${base}-%`)))) as { slug: string }[];
  const used = new Set(taken.map((r) => r.slug));
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}
