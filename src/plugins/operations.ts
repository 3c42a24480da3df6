import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { unavailable } from '../errors.js';
import { problemResponse } from '../http/problem.js';

const Health = z.object({ status: z.literal('ok') });

/** Liveness needs nothing; readiness needs the database. */
const operationsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'health',
        tags: ['operations'],
        summary: 'The process is alive (checks no dependency)',
        security: [],
        response: { 200: Health },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { status: 'ok' as const };
    },
  );
  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'ready',
        tags: ['operations'],
        summary: 'The database answers (503 while it does not)',
        security: [],
        response: { 200: Health, 503: problemResponse(503) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      try {
        await app.db.ping();
      } catch {
        throw unavailable();
      }
      return { status: 'ok' as const };
    },
  );
};

export default operationsRoutes;
