import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { revisionRoutes } from '../../content/revisions.js';
import { requireIfMatch, writeTargetId } from '../../content/write.js';
import { notFound, preconditionFailed } from '../../errors.js';
import { sendWithEtag, setReadCaching } from '../../http/caching.js';
import { parseIfMatch, versionEtag } from '../../http/etag.js';
import { RefParamsSchema } from '../../http/fields.js';
import { listEnvelope } from '../../http/list.js';
import { errorResponses } from '../../http/problem.js';
import { visibilityOf } from '../../plugins/auth.js';
import { LIST_CACHE_TTL_MS } from '../../plugins/response-cache.js';
import { articleQuotesRoutes } from '../quotes/relations.js';
import { articleCacheTags, articleListCacheTags } from './cache.js';
import { ArticleWithIncludesSchema, includesEtag, withIncludes } from './includes.js';
import { listArticles } from './list.js';
import { articlePage, articlePageSerializers } from './page-json.js';
import { findArticle, toArticle } from './repository.js';
import restoreRoutes from './restore.js';
import {
  ArticleCreateSchema,
  ArticlePatchSchema,
  ArticleReadQuerySchema,
  ArticleSchema,
  ArticlesQuerySchema,
  PublishSchema,
} from './schemas.js';
import { createArticle, patchArticle, publishArticle, removeArticle, withdrawArticle } from './service.js';

const tags = ['articles'];

/** If-Match is optional on workflow steps: when given it must name the current version. */
function optionalIfMatch(header: string | undefined): number | '*' {
  if (header === undefined || header === '') return '*';
  const parsed = parseIfMatch(header);
  if (parsed === null) throw preconditionFailed();
  return parsed;
}

const articleRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = () => app.db.db;

  /** The article a write names: see writeTargetId. */
  const writeTarget = (ref: string, principal: FastifyRequest['principal']): Promise<string> => {
    const v = visibilityOf(principal);
    return writeTargetId(ref, v.preview, () => findArticle(db(), ref, v), 'article');
  };

  app.get(
    '/',
    {
      schema: {
        operationId: 'listArticles',
        tags,
        summary: 'List articles (filters, full-text search, includes)',
        querystring: ArticlesQuerySchema,
        response: { 200: listEnvelope(ArticleWithIncludesSchema), ...errorResponses() },
      },
      serializerCompiler: articlePageSerializers(app),
      config: {
        scope: 'read',
        cache: articleListCacheTags(),
        cacheTtlMs: LIST_CACHE_TTL_MS,
        cacheUntilRelease: true,
        cacheOnRepeat: true,
      },
    },
    async (request, reply) => {
      const v = visibilityOf(request.principal);
      const { limit, include } = request.query;
      const result = await listArticles(request.readDb, request.query, v, app.cursors);
      // Which articles a person's slug or a place (with the places inside it) names can change
      // with no article changing: a renamed slug, a place moved into a region.
      const { person, place } = request.query;
      if (person || place)
        request.cacheTags = [...(person ? ['person:*'] : []), ...(place ? ['place:*'] : [])];
      setReadCaching(request, reply);
      return articlePage(request, reply, result, { limit, include, codec: app.cursors });
    },
  );

  app.post(
    '/',
    {
      schema: {
        operationId: 'createArticle',
        tags,
        summary: 'Create an article (as a draft)',
        body: ArticleCreateSchema,
        response: { 201: ArticleSchema, ...errorResponses(403, 409, 413, 415, 422) },
      },
      // A new article is a draft: no cached (anonymous) response can show it.
      config: { scope: 'write', invisibleWrite: true },
    },
    async (request, reply) => {
      const row = await createArticle(db(), request.body, request.principal!.name, request.idempotency);
      reply.code(201).header('location', `/v1/articles/${row.id}`).header('etag', versionEtag(row.version));
      return toArticle(row);
    },
  );

  app.get(
    '/:ref',
    {
      schema: {
        operationId: 'getArticle',
        tags,
        summary: 'Get an article by id or slug',
        params: RefParamsSchema,
        querystring: ArticleReadQuerySchema,
        response: { 200: ArticleWithIncludesSchema, 304: z.undefined(), ...errorResponses(404) },
      },
      config: { scope: 'read', cache: articleCacheTags, cacheForPartners: true },
    },
    async (request, reply) => {
      const v = visibilityOf(request.principal);
      const { include } = request.query;
      const row = await findArticle(request.readDb, request.params.ref, v, include);
      if (!row) throw notFound('article');
      const article = withIncludes(toArticle(row), row, include);
      return sendWithEtag(request, reply, includesEtag(article), article);
    },
  );

  app.patch(
    '/:ref',
    {
      schema: {
        operationId: 'updateArticle',
        tags,
        summary: 'Update an article (JSON Merge Patch, If-Match required)',
        params: RefParamsSchema,
        body: ArticlePatchSchema,
        response: { 200: ArticleSchema, ...errorResponses(403, 404, 409, 412, 413, 415, 422, 428) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const ifMatch = requireIfMatch(request);
      const row = await patchArticle(
        db(),
        await writeTarget(request.params.ref, request.principal),
        ifMatch,
        request.body,
        request.principal!.name,
      );
      reply.header('etag', versionEtag(row.version));
      return toArticle(row);
    },
  );

  app.delete(
    '/:ref',
    {
      schema: {
        operationId: 'deleteArticle',
        tags,
        summary: 'Delete an article (If-Match required; 409 while quotes refer to it)',
        params: RefParamsSchema,
        response: { 204: z.undefined(), ...errorResponses(403, 404, 409, 412, 428) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const ifMatch = requireIfMatch(request);
      await removeArticle(
        db(),
        await writeTarget(request.params.ref, request.principal),
        ifMatch,
        request.principal!.name,
      );
      return reply.code(204).send();
    },
  );

  app.post(
    '/:ref/publish',
    {
      schema: {
        operationId: 'publishArticle',
        tags,
        summary: 'Publish a draft or withdrawn article (optionally backdated; If-Match optional)',
        params: RefParamsSchema,
        body: PublishSchema,
        response: { 200: ArticleSchema, ...errorResponses(403, 404, 409, 412, 413, 415) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const ifMatch = optionalIfMatch(request.headers['if-match']);
      const at = request.body?.publishedAt;
      const row = await publishArticle(
        db(),
        await writeTarget(request.params.ref, request.principal),
        ifMatch,
        at,
        request.principal!.name,
        request.idempotency,
      );
      reply.header('etag', versionEtag(row.version));
      return toArticle(row);
    },
  );

  app.post(
    '/:ref/withdraw',
    {
      schema: {
        operationId: 'withdrawArticle',
        tags,
        summary: 'Withdraw a published article: a kill notice for partners (If-Match optional)',
        params: RefParamsSchema,
        response: { 200: ArticleSchema, ...errorResponses(403, 404, 409, 412) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const ifMatch = optionalIfMatch(request.headers['if-match']);
      const row = await withdrawArticle(
        db(),
        await writeTarget(request.params.ref, request.principal),
        ifMatch,
        request.principal!.name,
        request.idempotency,
      );
      reply.header('etag', versionEtag(row.version));
      return toArticle(row);
    },
  );

  await app.register(articleQuotesRoutes);
  await app.register(restoreRoutes);
  await app.register(
    revisionRoutes({
      type: 'article',
      name: 'Article',
      tag: 'articles',
      schema: ArticleSchema,
      resolve: async (a, ref, request) =>
        (await findArticle(a.db.db, ref, visibilityOf(request.principal)))?.id,
    }),
  );
};

export default articleRoutes;
