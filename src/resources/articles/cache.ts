import type { ArticleWithIncludes } from './includes.js';

/**
 * What an article response depends on: the article, each person and place it embeds, and,
 * with include=quotes, every quote: a quote created or moved elsewhere joins or leaves the
 * article without changing it, and the change log names only the quote.
 */
export const articleCacheTags = (a: ArticleWithIncludes): string[] => [
  `article:${a.id}`,
  ...(a.people ?? []).map((p) => `person:${p.id}`),
  ...(a.places ?? []).map((p) => `place:${p.id}`),
  ...(a.quotes ? ['quote:*'] : []),
];
