import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendWithEtag } from '../http/caching.js';
import { errorResponses } from '../http/problem.js';
import { visibilityOf } from '../plugins/auth.js';
import { LIST_CACHE_TTL_MS, tagsFromHandler } from '../plugins/response-cache.js';
import { listArticles, parsedArticle } from '../resources/articles/list.js';
import { ArticlesQuerySchema } from '../resources/articles/schemas.js';
import { atomFeed, contentEtag, type FeedMeta, JsonFeedSchema, jsonFeed } from './feeds.js';

/**
 * The article list's own filters, so a per-person, per-place or per-tag feed is one URL. A
 * feed is always the newest published articles: no status, sort, cursor or include.
 */
const DEFAULT_LIMIT = 20;

export const FeedQuerySchema = ArticlesQuerySchema.omit({
  status: true,
  sort: true,
  cursor: true,
  include: true,
}).extend({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(DEFAULT_LIMIT)
    .meta({ description: 'Number of items, 1..50.', example: 20 }),
});
type FeedQuery = z.infer<typeof FeedQuerySchema>;

const FILTERS = [
  'language',
  'tag',
  'person',
  'place',
  'publishedAfter',
  'publishedBefore',
  'updatedSince',
  'q',
] as const;

/**
 * Filter values are never echoed into the feed (not in its title, id or links): a crafted URL
 * must not put words of its own into a public, cacheable document served from our origin.
 * A filtered feed is named by a digest of its filters, stable across polls, and carries no
 * self link (the reader knows the URL it polls).
 */
function feedMeta(query: FeedQuery): FeedMeta {
  const given = FILTERS.flatMap((k) =>
    query[k] === undefined ? [] : [[k, String(query[k])] as [string, string]],
  );
  const language = query.language ? { language: query.language } : {};
  if (given.length) {
    const digest = createHash('sha256').update(new URLSearchParams(given).toString()).digest('hex');
    return {
      id: `urn:kopij:feed:articles:${digest.slice(0, 32)}`,
      title: 'Kopij articles (filtered)',
      ...language,
    };
  }
  const limit = query.limit === DEFAULT_LIMIT ? '' : `?limit=${query.limit}`;
  return {
    id: 'urn:kopij:feed:articles',
    title: 'Kopij articles',
    atomPath: `/v1/feeds/articles.atom${limit}`,
    jsonPath: `/v1/feeds/articles.json${limit}`,
  };
}

const tags = ['syndication'];

/**
 * Anonymous polls are answered from the response cache like a list page: kept once a URL is
 * polled again, dropped by any article change (or a person's or place's, which a filter may
 * name by slug), and at most 1 s old (an embargo may end with no write).
 */
const FEED_CACHE = {
  scope: 'read',
  cache: tagsFromHandler,
  cacheTtlMs: LIST_CACHE_TTL_MS,
  cacheUntilRelease: true,
  cacheOnRepeat: true,
} as const;
const FEED_TAGS = ['article:*', 'person:*', 'place:*'];

/** `GET /v1/feeds/articles.atom` and `/articles.json` (register with prefix /v1/feeds). */
const feedRoutes: FastifyPluginAsyncZod = async (app) => {
  /** Through the list's own query: the same filters, and the same visibility rule inside the SQL. */
  async function newest(request: FastifyRequest, query: FeedQuery) {
    // Editors may read drafts and withdrawn articles, but a feed is what has been published.
    const list = { ...query, sort: '-publishedAt' as const, status: 'published' as const };
    const { rows } = await listArticles(request.readDb, list, visibilityOf(request.principal), app.cursors);
    request.cacheTags = FEED_TAGS;
    return rows.slice(0, query.limit).map(parsedArticle);
  }

  app.get(
    '/articles.atom',
    {
      schema: {
        operationId: 'getArticlesAtomFeed',
        tags,
        summary: 'Newest published articles as an Atom 1.0 feed (article list filters)',
        querystring: FeedQuerySchema,
        response: {
          200: {
            description: 'An Atom 1.0 feed.',
            content: { 'application/atom+xml': { schema: z.string() } },
          },
          304: z.undefined(),
          ...errorResponses(),
        },
      },
      config: FEED_CACHE,
    },
    async (request, reply) => {
      const body = atomFeed(feedMeta(request.query), await newest(request, request.query));
      reply.type('application/atom+xml; charset=utf-8');
      return sendWithEtag(request, reply, contentEtag(body), body);
    },
  );

  app.get(
    '/articles.json',
    {
      schema: {
        operationId: 'getArticlesJsonFeed',
        tags,
        summary: 'Newest published articles as a JSON Feed 1.1 (article list filters)',
        querystring: FeedQuerySchema,
        response: {
          200: {
            description: 'A JSON Feed 1.1.',
            content: { 'application/feed+json': { schema: JsonFeedSchema } },
          },
          304: z.undefined(),
          ...errorResponses(),
        },
      },
      config: FEED_CACHE,
    },
    async (request, reply) => {
      const feed = jsonFeed(feedMeta(request.query), await newest(request, request.query));
      reply.type('application/feed+json; charset=utf-8');
      return sendWithEtag(request, reply, contentEtag(JSON.stringify(feed)), feed);
    },
  );
};

export default feedRoutes;
