import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound, validationError } from '../../errors.js';
import { errorResponses } from '../../http/problem.js';
import { assertSafeUrl, type Resolver, UnsafeUrlError } from '../../syndication/ssrf.js';
import {
  deleteWebhook,
  findWebhook,
  insertWebhook,
  listDeliveries,
  listWebhooks,
  toWebhook,
} from './repository.js';
import {
  CreatedWebhookSchema,
  DeliverySchema,
  WebhookCreateSchema,
  WebhookParamsSchema,
  WebhookSchema,
} from './schemas.js';

const tags = ['webhooks'];

const webhookRoutes: FastifyPluginAsyncZod<{ resolve: Resolver }> = async (app, opts) => {
  app.post(
    '',
    {
      schema: {
        operationId: 'createWebhook',
        tags,
        summary: 'Subscribe a URL to events (the signing secret is shown once)',
        body: WebhookCreateSchema,
        response: { 201: CreatedWebhookSchema, ...errorResponses(403, 413, 415) },
      },
      // A replay would have to store the secret.
      config: { scope: 'admin', idempotent: false },
    },
    async (request, reply) => {
      try {
        await assertSafeUrl(request.body.url, {
          allowPrivate: app.config.webhookAllowPrivate,
          resolve: opts.resolve,
        });
      } catch (err) {
        if (err instanceof UnsafeUrlError) throw validationError('body.url', err.message);
        throw err;
      }
      const { row, secret } = await insertWebhook(app.db.db, request.body.url, request.body.events);
      reply.code(201).header('location', `/v1/webhooks/${row.id}`);
      return { ...toWebhook(row), secret };
    },
  );

  app.get(
    '',
    {
      schema: {
        operationId: 'listWebhooks',
        tags,
        summary: 'List webhooks',
        response: { 200: z.object({ data: z.array(WebhookSchema) }), ...errorResponses(403) },
      },
      config: { scope: 'admin' },
    },
    async () => ({ data: (await listWebhooks(app.db.db)).map(toWebhook) }),
  );

  app.delete(
    '/:id',
    {
      schema: {
        operationId: 'deleteWebhook',
        tags,
        summary: 'Delete a webhook and its pending deliveries',
        params: WebhookParamsSchema,
        response: { 204: z.undefined(), ...errorResponses(403, 404) },
      },
      config: { scope: 'admin' },
    },
    async (request, reply) => {
      if (!(await deleteWebhook(app.db.db, request.params.id))) throw notFound('webhook');
      return reply.code(204).send();
    },
  );

  app.get(
    '/:id/deliveries',
    {
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: 'The latest deliveries of a webhook, with every attempt',
        params: WebhookParamsSchema,
        querystring: z.strictObject({
          limit: z.coerce
            .number()
            .int()
            .min(1)
            .max(100)
            .default(50)
            .meta({ description: 'Deliveries, newest first, 1..100 (each with all its attempts).' }),
        }),
        response: { 200: z.object({ data: z.array(DeliverySchema) }), ...errorResponses(403, 404) },
      },
      config: { scope: 'admin' },
    },
    async (request) => {
      if (!(await findWebhook(app.db.db, request.params.id))) throw notFound('webhook');
      return { data: await listDeliveries(app.db.db, request.params.id, request.query.limit) };
    },
  );
};

export default webhookRoutes;
