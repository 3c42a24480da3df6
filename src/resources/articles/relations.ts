import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound } from '../../errors.js';
import { setReadCaching } from '../../http/caching.js';
import { RefParamsSchema } from '../../http/fields.js';
import { listEnvelope } from '../../http/list.js';
import { errorResponses } from '../../http/problem.js';
import { visibilityOf } from '../../plugins/auth.js';
import { LIST_CACHE_TTL_MS } from '../../plugins/response-cache.js';
import { findPerson } from '../people/repository.js';
import { articleListCacheTags } from './cache.js';
import { placeTree } from './filters.js';
import { ArticleWithIncludesSchema } from './includes.js';
import { listArticles } from './list.js';
import { articlePage, articlePageSerializers } from './page-json.js';
import { ArticlesQuerySchema } from './schemas.js';

const PersonArticlesQuerySchema = ArticlesQuerySchema.omit({ person: true });
const PlaceArticlesQuerySchema = ArticlesQuerySchema.omit({ place: true });

/** `GET /v1/people/{ref}/articles` (register with prefix /v1/people). */
export const personArticlesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/:ref/articles',
    {
      schema: {
        operationId: 'listPersonArticles',
        tags: ['people', 'articles'],
        summary: 'Articles mentioning a person',
        params: RefParamsSchema,
        querystring: PersonArticlesQuerySchema,
        response: { 200: listEnvelope(ArticleWithIncludesSchema), ...errorResponses(404) },
      },
      serializerCompiler: articlePageSerializers(app),
      config: {
        scope: 'read',
        cache: articleListCacheTags(['person:*']),
        cacheTtlMs: LIST_CACHE_TTL_MS,
        cacheUntilRelease: true,
        cacheOnRepeat: true,
      },
    },
    async (request, reply) => {
      const person = await findPerson(request.readDb, request.params.ref);
      if (!person) throw notFound('person');
      const v = visibilityOf(request.principal);
      const { limit, include } = request.query;
      const query = { ...request.query, person: person.id };
      const result = await listArticles(request.readDb, query, v, app.cursors);
      setReadCaching(request, reply);
      return articlePage(request, reply, result, { limit, include, codec: app.cursors });
    },
  );
};

/** `GET /v1/places/{ref}/articles`, places inside it included (register with prefix /v1/places). */
export const placeArticlesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/:ref/articles',
    {
      schema: {
        operationId: 'listPlaceArticles',
        tags: ['places', 'articles'],
        summary: 'Articles about a place or any place inside it',
        params: RefParamsSchema,
        querystring: PlaceArticlesQuerySchema,
        response: { 200: listEnvelope(ArticleWithIncludesSchema), ...errorResponses(404) },
      },
      serializerCompiler: articlePageSerializers(app),
      config: {
        scope: 'read',
        cache: articleListCacheTags(['place:*']),
        cacheTtlMs: LIST_CACHE_TTL_MS,
        cacheUntilRelease: true,
        cacheOnRepeat: true,
      },
    },
    async (request, reply) => {
      // The place and every place inside it, in one statement: none, no such place.
      const tree = await placeTree(request.readDb, request.params.ref);
      if (!tree.length) throw notFound('place');
      const v = visibilityOf(request.principal);
      const { limit, include } = request.query;
      const query = { ...request.query, place: request.params.ref };
      const result = await listArticles(request.readDb, query, v, app.cursors, [], { places: tree });
      setReadCaching(request, reply);
      return articlePage(request, reply, result, { limit, include, codec: app.cursors });
    },
  );
};
