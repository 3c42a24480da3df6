import slugify from '@sindresorhus/slugify';
import { eq, inArray, like, or, type SQL } from 'drizzle-orm';
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

/** How many suffixes the first probe asks for by equality, through the unique index. */
const PROBE = 32;

/** The slugs the first probe tries, in order: the base, then base-2 … base-32. */
export function slugCandidates(base: string): string[] {
  return [base, ...Array.from({ length: PROBE - 1 }, (_, i) => `${base}-${i + 2}`)];
}

/**
 * The first free slug for a source text: the base, else base-2, base-3, … A concurrent
 * writer may still take it first; the unique index catches that and the caller retries.
 * The first probe names its candidates (an index lookup each); only when all are taken
 * does it list every `base-%` slug, a range of the slug indexes (text_pattern_ops, migration
 * 0012, so in any collation), not a read of every slug.
 */
export async function freeSlug(
  tx: Executor,
  table: PgTable & { slug: PgColumn },
  source: string,
): Promise<string> {
  const base = slugBase(source);
  const candidates = slugCandidates(base);
  const probed = await takenSlugs(tx, table, inArray(table.slug, candidates));
  const free = candidates.find((c) => !probed.has(c));
  if (free) return free;
  const used = await takenSlugs(tx, table, or(eq(table.slug, base), like(table.slug, `${base}-%`))!);
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

async function takenSlugs(
  tx: Executor,
  table: PgTable & { slug: PgColumn },
  where: SQL,
): Promise<Set<string>> {
  const rows = (await tx
    .select({ slug: table.slug })
    .from(table as PgTable)
    .where(where)) as { slug: string }[];
  return new Set(rows.map((r) => r.slug));
}
