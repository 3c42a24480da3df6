import { slugBase } from '../src/content/slug.js';

/**
 * Slugs as the API's freeSlug hands them out (base, base-2, base-3, …), kept in memory so
 * a million rows need no lookups.
 */
export class UniqueSlugs {
  private readonly used = new Map<string, Set<string>>();
  private readonly next = new Map<string, number>();

  take(namespace: string, source: string): string {
    let used = this.used.get(namespace);
    if (!used) {
      used = new Set();
      this.used.set(namespace, used);
    }
    const base = slugBase(source);
    let slug = base;
    if (used.has(slug)) {
      const key = `${namespace}\u0000${base}`;
      let n = this.next.get(key) ?? 2;
      while (used.has(`${base}-${n}`)) n++;
      slug = `${base}-${n}`;
      this.next.set(key, n + 1);
    }
    used.add(slug);
    return slug;
  }
}
