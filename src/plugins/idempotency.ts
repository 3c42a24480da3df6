import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { IdempotencyState } from '../content/idempotency.js';
import { idempotencyKeys } from '../db/schema.js';
import { ApiError, conflict, validationError } from '../errors.js';
import { problemResponse } from '../http/problem.js';

const TTL_MS = 24 * 60 * 60 * 1000;
/** A pending record older than this belongs to a request that died: its write rolled back. */
const ABANDONED_MS = 60 * 1000;
const KEY_RE = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The Idempotency-Key of a POST that does the work (the first with its key), else null.
     * Its route hands it to the service that writes; see content/idempotency.ts.
     */
    idempotency: IdempotencyState | null;
  }
  interface FastifyContextConfig {
    /** false on POST routes whose response must never be stored (a key's secret). */
    idempotent?: boolean;
  }
}

/**
 * Idempotency-Key on every POST: the first request with a key does the work, a replay with
 * the same body gets the first response, another body 422, and a concurrent duplicate 409.
 * Keys are per caller and expire after 24 hours.
 */
export default fp(async function idempotencyPlugin(app: FastifyInstance) {
  // On the request, not in an AsyncLocalStorage: that costs every promise of every request.
  app.decorateRequest('idempotency', null);
  const db = () => app.db.db;

  // This hook can answer 409 and 422 on any POST it guards, so each such route declares them.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!methods.includes('POST') || route.config?.idempotent === false || !route.schema?.response) return;
    const response = route.schema.response as Record<string, unknown>;
    for (const status of [409, 422]) response[status] ??= problemResponse(status);
  });

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || request.routeOptions.config.idempotent === false) return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    if (typeof header !== 'string' || !KEY_RE.test(header)) {
      throw validationError('headers.idempotency-key', 'must be 1 to 255 printable ASCII characters');
    }
    const principal = request.principal?.keyId ?? request.principal?.name ?? `anonymous:${request.ip}`;
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const now = new Date();
    const where = and(eq(idempotencyKeys.principal, principal), eq(idempotencyKeys.key, header));

    for (let attempt = 0; attempt < 2; attempt++) {
      const inserted = await db()
        .insert(idempotencyKeys)
        .values({ principal, key: header, requestHash, state: 'pending', createdAt: now })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (inserted.length) {
        request.idempotency = { principal, key: header, url: request.url, done: false };
        if (Math.random() < 0.01) {
          await db()
            .delete(idempotencyKeys)
            .where(lt(idempotencyKeys.createdAt, new Date(now.getTime() - TTL_MS)));
        }
        return;
      }
      const [existing] = await db().select().from(idempotencyKeys).where(where);
      if (!existing) continue;
      const age = now.getTime() - existing.createdAt.getTime();
      const expired = age > TTL_MS || (existing.state === 'pending' && age > ABANDONED_MS);
      if (expired) {
        await db()
          .delete(idempotencyKeys)
          .where(and(where, eq(idempotencyKeys.createdAt, existing.createdAt)));
        continue;
      }
      if (existing.requestHash !== requestHash) {
        throw new ApiError(
          'unprocessable',
          'This Idempotency-Key was used with a different request; use a new key for a new request.',
          [{ path: 'headers.idempotency-key', message: 'reused with another request' }],
        );
      }
      if (existing.state === 'pending')
        throw conflict('A request with this Idempotency-Key is still in progress.');
      reply.header('idempotent-replayed', 'true');
      for (const [k, v] of Object.entries(existing.headers ?? {})) reply.header(k, v);
      return reply.code(existing.status ?? 200).send(existing.body);
    }
    throw conflict('A request with this Idempotency-Key is still in progress.');
  });

  // The write failed or stored nothing to replay: free the key so the client can retry with it.
  app.addHook('onResponse', async (request) => {
    const state = request.idempotency;
    if (!state || state.done) return;
    await db()
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.principal, state.principal),
          eq(idempotencyKeys.key, state.key),
          eq(idempotencyKeys.state, 'pending'),
        ),
      )
      .catch((err) => request.log.warn({ err }, 'could not release an idempotency key'));
  });
});
