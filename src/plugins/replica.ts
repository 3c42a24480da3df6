import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { sqlState } from '../content/write.js';
import type { Database, Db } from '../db/client.js';
import { ApiError } from '../errors.js';
import { namesNewerVersion } from '../http/etag.js';
import { visibilityOf } from './auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The database this request reads from: a streaming replica for a read that may lag a
     * little, else the primary. Handlers of GET routes open to readers use it; everything
     * else (writes, key lookups, idempotency, revisions) uses `app.db.db`, the primary.
     */
    readDb: Db;
    /** The handler's answer came from the replica (which the response cache never keeps). */
    readFromReplica: boolean;
  }
}

const CHOSEN = Symbol('kopij.readDb');
type Chosen = { [CHOSEN]: Db | null };

/** After a replica failure, reads go to the primary for this long before the replica is tried again. */
export const REPLICA_RETRY_MS = 5000;

/** PostgreSQL cancels a standby query whose rows replay must remove: a retry, not an outage. */
const RECOVERY_CONFLICT = '40001';

/**
 * Reads that may be slightly stale go to the streaming replica (DATABASE_READ_URL):
 * GET routes open to readers (scope `read`), asked by callers who cannot see drafts —
 * anonymous, `read` and `embargo` keys: the public and partner outlets, nearly all the traffic.
 *
 * What keeps that correct, on any number of instances, with no state shared between them:
 * - Read-your-writes: whoever may write (or preview) reads from the primary, always. Only they
 *   write, so their own writes are read back from the primary, by any instance.
 * - Never older than the caller has seen: a read naming a version in If-None-Match (a CDN or a
 *   partner revalidating, a client that just wrote `"8"`) that the replica answers with an older
 *   version is answered again from the primary; so is any "not found" from the replica, which
 *   may only mean the replica has not replayed the create yet. A version never goes backwards.
 * - Replica down or too far behind to answer: the read is answered from the primary, the
 *   failure logged once, and the replica left alone for REPLICA_RETRY_MS; never a 5xx.
 * The change log may come from the replica: it replays commits in the primary's order, so it
 * shows a prefix of the primary's log (a lagging replica returns an empty page and the same
 * cursor; nothing is skipped), and items read after it from the replica are at least as new.
 */
export default fp(
  async function replicaPlugin(app: FastifyInstance, opts: { database: Database }) {
    const { database } = opts;
    // A getter, not an onRequest hook: requests that never touch a replica pay nothing.
    app.decorateRequest(CHOSEN, null);
    app.decorateRequest('readFromReplica', false);
    app.decorateRequest('readDb', {
      getter(this: FastifyRequest) {
        return (this as unknown as Chosen)[CHOSEN] ?? database.db;
      },
      setter(this: FastifyRequest, db: Db) {
        (this as unknown as Chosen)[CHOSEN] = db;
      },
    });
    if (database.read === database.db) return;

    let avoidUntil = 0;
    // A response the response cache may keep comes from the primary: the cache was just
    // emptied of this resource by a notification, which a lagging replica may not have replayed,
    // and what it keeps it serves until the next change. A page asked for the first time is
    // not kept (cacheFirstAsk): the replica may answer it.
    const replicaMayAnswer = (request: FastifyRequest) =>
      Date.now() >= avoidUntil &&
      !visibilityOf(request.principal).preview &&
      (request.cacheMissAt === -1 || request.cacheFirstAsk);

    app.addHook('onRoute', (route) => {
      if (!staleTolerant(route)) return;
      const handler = route.handler;
      route.handler = async function readFromReplica(this: FastifyInstance, request, reply) {
        if (!replicaMayAnswer(request)) return handler.call(this, request, reply);
        const headers = { ...reply.getHeaders() };
        request.readDb = database.read;
        request.readFromReplica = true;
        try {
          const result = await handler.call(this, request, reply);
          if (reply.sent || !olderThanCallerHas(request, reply)) return result;
        } catch (err) {
          if (err instanceof ApiError && err.status < 500 && err.status !== 404) throw err;
          if (!(err instanceof ApiError) && sqlState(err) !== RECOVERY_CONFLICT) {
            avoidUntil = Date.now() + REPLICA_RETRY_MS;
            request.log.warn({ err }, 'replica unavailable; reading from the primary');
          }
        }
        // Again from the primary, on a reply as it was before the replica's answer.
        for (const name of Object.keys(reply.getHeaders())) {
          if (!(name in headers)) reply.removeHeader(name);
        }
        reply.headers(headers).code(200);
        request.readDb = database.db;
        request.readFromReplica = false;
        return handler.call(this, request, reply);
      };
    });
  },
  { name: 'kopij-replica', dependencies: ['kopij-db'] },
);

function staleTolerant(route: RouteOptions): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return route.config?.scope === 'read' && methods.every((m) => m === 'GET' || m === 'HEAD');
}

function olderThanCallerHas(request: FastifyRequest, reply: FastifyReply): boolean {
  const served = reply.getHeader('etag');
  return typeof served === 'string' && namesNewerVersion(request.headers['if-none-match'], served);
}
