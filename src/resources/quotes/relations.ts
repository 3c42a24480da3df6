import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { quotes } from '../../db/schema.js';
import { notFound } from '../../errors.js';
import { setReadCaching } from '../../http/caching.js';
import { RefParamsSchema } from '../../http/fields.js';
import { listEnvelope, page } from '../../http/list.js';
import { errorResponses } from '../../http/problem.js';
import { visibilityOf } from '../../plugins/auth.js';
import { findArticle } from '../articles/repository.js';
import { findPerson } from '../people/repository.js';
import { listQuotes } from './list.js';
import { toQuote } from './repository.js';
import { QuoteSchema, RelatedQuotesQuerySchema } from './schemas.js';

/** `GET /v1/people/{ref}/quotes`: what a person said (register with prefix /v1/people). */
export const personQuotesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/:ref/quotes',
    {
      schema: {
        operationId: 'listPersonQuotes',
        tags: ['people', 'quotes'],
        summary: "A person's quotes",
        params: RefParamsSchema,
        querystring: RelatedQuotesQuerySchema,
        response: { 200: listEnvelope(QuoteSchema), ...errorResponses(404) },
      },
      config: { scope: 'read' },
    },
    async (request, reply) => {
      const person = await findPerson(request.readDb, request.params.ref);
      if (!person) throw notFound('person');
      const v = visibilityOf(request.principal);
      const result = await listQuotes(request.readDb, request.query, v, app.cursors, [
        eq(quotes.personId, person.id),
      ]);
      setReadCaching(request, reply);
      return page(request, reply, {
        ...result,
        limit: request.query.limit,
        codec: app.cursors,
        toApi: toQuote,
      });
    },
  );
};

/** `GET /v1/articles/{ref}/quotes`: quotes taken from an article the caller may see. */
export const articleQuotesRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/:ref/quotes',
    {
      schema: {
        operationId: 'listArticleQuotes',
        tags: ['articles', 'quotes'],
        summary: 'Quotes taken from an article',
        params: RefParamsSchema,
        querystring: RelatedQuotesQuerySchema,
        response: { 200: listEnvelope(QuoteSchema), ...errorResponses(404) },
      },
      config: { scope: 'read' },
    },
    async (request, reply) => {
      const v = visibilityOf(request.principal);
      const article = await findArticle(request.readDb, request.params.ref, v);
      if (!article) throw notFound('article');
      const result = await listQuotes(request.readDb, request.query, v, app.cursors, [
        eq(quotes.articleId, article.id),
      ]);
      setReadCaching(request, reply);
      return page(request, reply, {
        ...result,
        limit: request.query.limit,
        codec: app.cursors,
        toApi: toQuote,
      });
    },
  );
};
