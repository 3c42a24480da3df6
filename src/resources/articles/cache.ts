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

/**
 * What a page of articles depends on: every article (one published, edited or withdrawn
 * anywhere can join, leave or move within it), what its items embed, and `extra` (the person
 * or place a relation list is of: renamed or moved, the same URL may mean another set).
 */
export const articleListCacheTags =
  (extra: string[] = []) =>
  (body: { data: ArticleWithIncludes[] }): string[] => [
    ...new Set(['article:*', ...extra, ...body.data.flatMap((a) => articleCacheTags(a).slice(1))]),
  ];
