import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { revisionRoutes } from '../../content/revisions.js';
import { requireIfMatch, writeTargetId } from '../../content/write.js';
import { notFound } from '../../errors.js';
import { sendWithEtag, setReadCaching } from '../../http/caching.js';
import { versionEtag } from '../../http/etag.js';
import { RefParamsSchema } from '../../http/fields.js';
import { listEnvelope, page } from '../../http/list.js';
import { errorResponses } from '../../http/problem.js';
import { visibilityOf } from '../../plugins/auth.js';
import { listQuotes } from './list.js';
import { findQuote, toQuote } from './repository.js';
import { QuoteCreateSchema, QuotePatchSchema, QuoteSchema, QuotesQuerySchema } from './schemas.js';
import { createQuote, patchQuote, removeQuote } from './service.js';
import { quoteCacheTags } from './visibility.js';

const tags = ['quotes'];

const quoteRoutes: FastifyPluginAsyncZod = async (app) => {
  const db = () => app.db.db;

  app.get(
    '/',
    {
      schema: {
        operationId: 'listQuotes',
        tags,
        summary: 'List quotes (filters, full-text search)',
        querystring: QuotesQuerySchema,
        response: { 200: listEnvelope(QuoteSchema), ...errorResponses() },
      },
      config: { scope: 'read' },
    },
    async (request, reply) => {
      const v = visibilityOf(request.principal);
      const result = await listQuotes(request.readDb, request.query, v, app.cursors);
      setReadCaching(request, reply);
      return page(request, reply, {
        ...result,
        limit: request.query.limit,
        codec: app.cursors,
        toApi: toQuote,
      });
    },
  );

  app.post(
    '/',
    {
      schema: {
        operationId: 'createQuote',
        tags,
        summary: 'Create a quote',
        body: QuoteCreateSchema,
        response: { 201: QuoteSchema, ...errorResponses(403, 409, 413, 415, 422) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const row = await createQuote(db(), request.body, request.principal!.name, request.idempotency);
      reply.code(201).header('location', `/v1/quotes/${row.id}`).header('etag', versionEtag(row.version));
      return toQuote(row);
    },
  );

  app.get(
    '/:ref',
    {
      schema: {
        operationId: 'getQuote',
        tags,
        summary: 'Get a quote by id',
        params: RefParamsSchema,
        response: { 200: QuoteSchema, 304: z.undefined(), ...errorResponses(404) },
      },
      config: { scope: 'read', cache: quoteCacheTags, cacheForPartners: true },
    },
    async (request, reply) => {
      const row = await findQuote(request.readDb, request.params.ref, visibilityOf(request.principal));
      if (!row) throw notFound('quote');
      return sendWithEtag(request, reply, versionEtag(row.version), toQuote(row));
    },
  );

  app.patch(
    '/:ref',
    {
      schema: {
        operationId: 'updateQuote',
        tags,
        summary: 'Update a quote (JSON Merge Patch, If-Match required)',
        params: RefParamsSchema,
        body: QuotePatchSchema,
        response: { 200: QuoteSchema, ...errorResponses(403, 404, 409, 412, 413, 415, 422, 428) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const ifMatch = requireIfMatch(request);
      const v = visibilityOf(request.principal);
      const { ref } = request.params;
      const id = await writeTargetId(ref, v.preview, () => findQuote(db(), ref, v), 'quote');
      const row = await patchQuote(db(), id, ifMatch, request.body, request.principal!.name);
      reply.header('etag', versionEtag(row.version));
      return toQuote(row);
    },
  );

  app.delete(
    '/:ref',
    {
      schema: {
        operationId: 'deleteQuote',
        tags,
        summary: 'Delete a quote (If-Match required)',
        params: RefParamsSchema,
        response: { 204: z.undefined(), ...errorResponses(403, 404, 409, 412, 428) },
      },
      config: { scope: 'write' },
    },
    async (request, reply) => {
      const ifMatch = requireIfMatch(request);
      const v = visibilityOf(request.principal);
      const { ref } = request.params;
      const id = await writeTargetId(ref, v.preview, () => findQuote(db(), ref, v), 'quote');
      await removeQuote(db(), id, ifMatch, request.principal!.name);
      return reply.code(204).send();
    },
  );

  await app.register(
    revisionRoutes({
      type: 'quote',
      name: 'Quote',
      tag: 'quotes',
      schema: QuoteSchema,
      resolve: async (a, ref, request) =>
        (await findQuote(a.db.db, ref, visibilityOf(request.principal)))?.id,
    }),
  );
};

export default quoteRoutes;
