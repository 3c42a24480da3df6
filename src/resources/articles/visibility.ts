import { type SQL, sql } from 'drizzle-orm';
import { articles } from '../../db/schema.js';
import { PUBLIC_VISIBILITY, type Visibility } from '../../plugins/auth.js';

/**
 * The one rule for which articles a caller may see, as a condition over the `articles`
 * table, so that every query (single reads, lists, relations, includes, search) applies it
 * inside its SQL rather than filtering rows afterwards. Editors (`preview`) see everything;
 * everyone else sees published articles, and embargoed ones only with `embargo` or once the
 * embargo has passed (now() is the database's clock, the same for every instance).
 */
export function articleVisible(v: Visibility): SQL {
  if (v.preview) return sql`true`;
  const published = sql`${articles.status} = 'published'`;
  if (v.embargo) return published;
  return sql`(${published} and (${articles.embargoedUntil} is null or ${articles.embargoedUntil} <= now()))`;
}

/** The three visibilities there are, by name: one prepared statement each. */
export type VisibilityKey = 'public' | 'embargo' | 'preview';
export const visibilityKey = (v: Visibility): VisibilityKey =>
  v.preview ? 'preview' : v.embargo ? 'embargo' : 'public';
export const VISIBILITIES: Record<VisibilityKey, Visibility> = {
  public: PUBLIC_VISIBILITY,
  embargo: { preview: false, embargo: true },
  preview: { preview: true, embargo: true },
};
