import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';

const NoParameters = z.strictObject({});

/**
 * Every API route's query string is an allow-list, not only the lists': a route that
 * declares no parameters takes none, so `?fields=*` or `?include=people` on a single read
 * is a 400 like anywhere else, and no client is led to think it was honoured.
 */
export default fp(async function strictQueryPlugin(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    if (!route.config?.scope || !route.schema || route.schema.querystring) return;
    route.schema.querystring = NoParameters;
  });
});
