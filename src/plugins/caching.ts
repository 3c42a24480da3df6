import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { varyOn } from '../http/caching.js';

/**
 * Responses that no route marked cacheable (writes, errors, anything without a
 * Cache-Control of its own) must never be stored by a shared cache: an anonymous 404 for
 * an article that is published a second later, or an editor's 201, would otherwise be
 * replayed to others.
 */
export default fp(async function cachingPlugin(app: FastifyInstance) {
  app.addHook('onSend', async (request, reply) => {
    const readable = request.method === 'GET' || request.method === 'HEAD';
    if (!readable || reply.statusCode >= 400 || !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
    if (request.routeOptions.config.scope) varyOn(reply, 'Authorization');
  });
});
