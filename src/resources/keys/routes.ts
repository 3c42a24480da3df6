import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { errorResponses } from '../../http/problem.js';
import { createKey, listKeys, revokeKey, toKey } from './repository.js';
import { CreatedKeySchema, KeyCreateSchema, KeyParamsSchema, KeySchema } from './schemas.js';

const tags = ['keys'];

const keyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'private, no-store');
  });

  app.post(
    '',
    {
      schema: {
        operationId: 'createKey',
        tags,
        summary: 'Create an API key (the secret is shown once)',
        body: KeyCreateSchema,
        response: { 201: CreatedKeySchema, ...errorResponses(403, 413, 415) },
      },
      // A replay would have to store the secret; creating a second key is the safe retry.
      config: { scope: 'admin', idempotent: false },
    },
    async (request, reply) => {
      const { row, secret } = await createKey(app.db.db, request.body.name, request.body.scopes);
      reply.code(201).header('location', `/v1/keys/${row.id}`);
      return { ...toKey(row), secret };
    },
  );

  app.get(
    '',
    {
      schema: {
        operationId: 'listKeys',
        tags,
        summary: 'List API keys (never their secrets)',
        response: { 200: z.object({ data: z.array(KeySchema) }), ...errorResponses(403) },
      },
      config: { scope: 'admin' },
    },
    async () => ({ data: (await listKeys(app.db.db)).map(toKey) }),
  );

  app.delete(
    '/:id',
    {
      schema: {
        operationId: 'revokeKey',
        tags,
        summary: 'Revoke an API key, effective on the next request',
        params: KeyParamsSchema,
        response: { 204: z.undefined(), ...errorResponses(403, 404) },
      },
      config: { scope: 'admin' },
    },
    async (request, reply) => {
      if (!(await revokeKey(app.db.db, request.params.id))) throw notFound('key');
      return reply.code(204).send();
    },
  );
};

export default keyRoutes;
