import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Executor } from '../db/client.js';
import { notFound } from '../errors.js';
import { sendWithEtag } from '../http/caching.js';
import { RefParamsSchema } from '../http/fields.js';
import { errorResponses } from '../http/problem.js';
import { type Visibility, visibilityOf } from '../plugins/auth.js';
import { tagsFromHandler } from '../plugins/response-cache.js';
import { articleCacheTags } from '../resources/articles/cache.js';
import { type ArticleWithIncludes, includesEtag, withIncludes } from '../resources/articles/includes.js';
import { findArticle, toArticle } from '../resources/articles/repository.js';
import { NewsArticleSchema, scriptSafeJson, toNewsArticle } from './jsonld.js';
import { canceledStub, findKilledArticle, NinjsSchema, toNinjs } from './ninjs.js';

const tags = ['syndication'];

const PEOPLE_AND_PLACES = ['people', 'places'] as const;

/** The article exactly as `GET /v1/articles/{ref}` would show it, with its people and places. */
async function readArticle(
  tx: Executor,
  ref: string,
  v: Visibility,
): Promise<ArticleWithIncludes | undefined> {
  const row = await findArticle(tx, ref, v, PEOPLE_AND_PLACES);
  return row && withIncludes(toArticle(row), row, PEOPLE_AND_PLACES);
}

/** `GET /v1/articles/{ref}/ninjs` and `/jsonld` (register with prefix /v1/articles). */
const articleFormatRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/:ref/ninjs',
    {
      schema: {
        operationId: 'getArticleNinjs',
        tags,
        summary: 'The article as an IPTC ninjs 3.1 news item (a kill notice once withdrawn)',
        params: RefParamsSchema,
        response: { 200: NinjsSchema, 304: z.undefined(), ...errorResponses(404) },
      },
      // People and places appear without our ids, so the handler names what it shows.
      config: { scope: 'read', cache: tagsFromHandler, cacheForPartners: true },
    },
    async (request, reply) => {
      const v = visibilityOf(request.principal);
      const article = await readArticle(request.readDb, request.params.ref, v);
      if (article) {
        request.cacheTags = articleCacheTags(article);
        return sendWithEtag(request, reply, includesEtag(article), toNinjs(article));
      }
      // Editors found everything above; everyone else may still learn of a kill.
      const killed = v.preview ? undefined : await findKilledArticle(request.readDb, request.params.ref);
      if (!killed) throw notFound('article');
      request.cacheTags = [`article:${killed.id}`];
      // Not the plain version tag: the stub and the full document are different representations.
      return sendWithEtag(request, reply, `"${killed.version}-canceled"`, canceledStub(killed));
    },
  );

  app.get(
    '/:ref/jsonld',
    {
      schema: {
        operationId: 'getArticleJsonLd',
        tags,
        summary: 'The article as schema.org NewsArticle JSON-LD',
        params: RefParamsSchema,
        response: {
          200: {
            description: 'A schema.org NewsArticle.',
            content: { 'application/ld+json': { schema: NewsArticleSchema } },
          },
          304: z.undefined(),
          ...errorResponses(404),
        },
      },
      config: { scope: 'read' },
      // Route hooks run after the app's, which hand the body on as bytes.
      onSend: async (_request, _reply, payload) =>
        typeof payload === 'string' || Buffer.isBuffer(payload)
          ? scriptSafeJson(payload.toString())
          : payload,
    },
    async (request, reply) => {
      const v = visibilityOf(request.principal);
      const article = await readArticle(request.readDb, request.params.ref, v);
      if (!article) throw notFound('article');
      reply.type('application/ld+json; charset=utf-8');
      return sendWithEtag(request, reply, includesEtag(article), toNewsArticle(article));
    },
  );
};

export default articleFormatRoutes;
