import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import { createDb, type Database, type DbOptions } from './db/client.js';
import { runMigrations } from './db/migrate.js';
import { ApiError } from './errors.js';
import { responseSerializerCompiler } from './http/serializer.js';
import authPlugin from './plugins/auth.js';
import cachingPlugin from './plugins/caching.js';
import dbPlugin from './plugins/db.js';
import errorsPlugin, { clientErrorHandler, sendProblem } from './plugins/errors.js';
import idempotencyPlugin from './plugins/idempotency.js';
import openapiPlugin from './plugins/openapi.js';
import operationsRoutes from './plugins/operations.js';
import pressurePlugin from './plugins/pressure.js';
import replicaPlugin from './plugins/replica.js';
import responseCachePlugin from './plugins/response-cache.js';
import securityHeadersPlugin from './plugins/security-headers.js';
import strictQueryPlugin from './plugins/strict-query.js';
import { personArticlesRoutes, placeArticlesRoutes } from './resources/articles/relations.js';
import articleRoutes from './resources/articles/routes.js';
import { KeyCache } from './resources/keys/cache.js';
import { findActiveKeyByHash } from './resources/keys/repository.js';
import keyRoutes from './resources/keys/routes.js';
import peopleRoutes from './resources/people/routes.js';
import placeRoutes from './resources/places/routes.js';
import { personQuotesRoutes } from './resources/quotes/relations.js';
import quoteRoutes from './resources/quotes/routes.js';
import webhookRoutes from './resources/webhooks/routes.js';
import changesRoutes from './syndication/changes.js';
import { embargoWorker } from './syndication/embargo.js';
import feedRoutes from './syndication/feed-routes.js';
import articleFormatRoutes from './syndication/formats-routes.js';
import { type Resolver, systemResolver } from './syndication/ssrf.js';
import { WebhookWorker } from './syndication/webhook-worker.js';

declare module 'fastify' {
  interface FastifyInstance {
    webhookWorker: WebhookWorker;
  }
}

export interface BuildOptions {
  /** Use this database instead of opening one from the config (tests); it is not closed with the app. */
  database?: Database;
  dbOptions?: DbOptions;
  /** false for none, or pino options (a test's stream); level, redaction and serializers are ours. */
  logger?: false | { level?: string; stream?: NodeJS.WritableStream };
  /** Start the background workers (the server does; tests opt in). */
  workers?: boolean;
  /** DNS for webhook URLs; tests inject one to play DNS rebinding. */
  resolve?: Resolver;
  /** Scales webhook retry delays (tests retry in milliseconds). */
  webhookBackoffScale?: number;
  webhookPollMs?: number;
  webhookTimeoutMs?: number;
}

const SECRET_IN_URL = /([?&](?:api_key|apikey|access_token|key|token)=)[^&]*/gi;

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            ...(typeof options.logger === 'object' ? options.logger : {}),
            // Credentials never reach the log, whatever logger the caller passes.
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
            serializers: {
              req: (req) => ({
                method: req.method,
                url: String(req.url).replace(SECRET_IN_URL, '$1[redacted]'),
                reqId: req.id,
              }),
            },
          },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    // Slowloris: Node sweeps for late requests only every connectionsCheckingInterval (30 s by
    // default), and stops timing a trickling body when headersTimeout is longer than
    // requestTimeout, as it stays when requestTimeout is only set after the server is made.
    http: {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.requestTimeoutMs / 4)),
    },
    clientErrorHandler,
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    return503OnClosing: true,
    // The router's own refusals (bad percent-encoding, a path segment past maxParamLength) skip
    // the error handler; answer them as problems too, and a too-long id like any invalid one.
    frameworkErrors: (err, request, reply) =>
      sendProblem(
        reply,
        request,
        new ApiError(
          'bad-request',
          err.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? 'A path segment is longer than 200 characters.'
            : 'The URL is not valid percent-encoded UTF-8.',
        ),
      ),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler({ validate: config.validateResponses, log: app.log }));
  // Only JSON bodies: a text/plain body is a 415, not a string that fails validation later.
  app.removeContentTypeParser('text/plain');
  // JSON Merge Patch bodies are JSON; parse them with the same safe parser (prototype keys refused).
  app.addContentTypeParser(
    'application/merge-patch+json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const owned = !options.database;
  const database =
    options.database ??
    (await createDb(config, {
      ...options.dbOptions,
      onPoolError: (err) => app.log.warn({ err }, 'database connection lost'),
    }));
  if (owned) await runMigrations(database);

  await app.register(errorsPlugin);
  await app.register(pressurePlugin, {
    maxEventLoopDelayMs: config.maxEventLoopDelayMs,
    maxHeapFraction: 0.9,
  });
  await app.register(dbPlugin, { database, config, owned });
  // Before any route: it picks, per request, where a route's reads go.
  await app.register(replicaPlugin, { database });
  await app.register(securityHeadersPlugin);
  await app.register(cors, {
    origin: config.corsOrigins.length ? config.corsOrigins : false,
    exposedHeaders: ['ETag', 'Location', 'Link', 'Retry-After', 'X-Request-Id'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key'],
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
  });
  await app.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    // RateLimit-Limit / -Remaining / -Reset, the IETF draft's names, rather than X-RateLimit-*.
    enableDraftSpec: true,
    // Added below as one hook ahead of authentication, not per route (route hooks run after it).
    global: false,
    // Per key when the request authenticates, else per address: missing, unknown and revoked
    // keys share their address's limit, so guessing or rotating keys (or body fields) never
    // buys a fresh one.
    keyGenerator: async (request) => {
      const principal = await app.identify(request).catch(() => null);
      return principal ? `k:${principal.keyId ?? principal.name}` : `a:${request.ip}`;
    },
    allowList: (request) => request.url === '/healthz' || request.url === '/readyz',
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        'rate-limited',
        `Rate limit of ${context.max} requests per minute exceeded; retry after ${context.after}.`,
      ),
  });
  // Before authentication can refuse a bad key: each guess counts.
  app.addHook('onRequest', app.rateLimit());
  await app.register(openapiPlugin);
  // Kept in memory once the response cache's change listener is up (see KeyCache).
  const keys = new KeyCache((hash) => findActiveKeyByHash(app.db.db, hash));
  await app.register(authPlugin, {
    adminKey: config.adminKey,
    publicRead: config.publicRead,
    findKey: (hash) => keys.find(hash),
  });
  await app.register(cachingPlugin);
  await app.register(idempotencyPlugin);
  await app.register(strictQueryPlugin);
  // After authentication and rate limiting: a cache hit skips only the handler.
  await app.register(responseCachePlugin, {
    maxEntries: config.responseCacheSize,
    maxBytes: config.responseCacheMaxBytes,
  });
  keys.attach(app.responseCache);
  // Bodies leave as bytes, encoded once. A string body is encoded twice on its way out: once
  // to count its bytes for Content-Length, and again glued behind the headers, a copy of the
  // whole body on the V8 heap (a 47 KB list page that holds one curly quote is 94 KB as a
  // string). After the response cache, which keeps the bytes it made.
  app.addHook('onSend', (_request, _reply, payload, done) => {
    done(null, typeof payload === 'string' ? Buffer.from(payload) : payload);
  });
  await app.register(operationsRoutes);
  await app.register(keyRoutes, { prefix: '/v1/keys' });
  await app.register(peopleRoutes, { prefix: '/v1/people' });
  await app.register(placeRoutes, { prefix: '/v1/places' });
  const resolve = options.resolve ?? systemResolver;
  await app.register(webhookRoutes, { prefix: '/v1/webhooks', resolve });
  await app.register(changesRoutes, { prefix: '/v1/changes' });
  await app.register(feedRoutes, { prefix: '/v1/feeds' });
  await app.register(articleFormatRoutes, { prefix: '/v1/articles' });

  const worker = new WebhookWorker({
    db: database.db,
    log: app.log,
    allowPrivate: config.webhookAllowPrivate,
    resolve,
    backoffScale: options.webhookBackoffScale,
    pollMs: options.webhookPollMs,
    timeoutMs: options.webhookTimeoutMs,
  });
  app.decorate('webhookWorker', worker);
  // Tests run rounds by hand without starting the worker: its kept connections close with the app.
  app.addHook('onClose', async () => worker.closeConnections());
  const releases = embargoWorker(database.db, app.log);
  if (options.workers) {
    app.addHook('onReady', async () => {
      worker.start();
      releases.start();
    });
    // Before the database closes: attempts in flight finish and record their result.
    app.addHook('preClose', async () => {
      await Promise.all([worker.stop(), releases.stop()]);
    });
  }
  await app.register(articleRoutes, { prefix: '/v1/articles' });
  await app.register(quoteRoutes, { prefix: '/v1/quotes' });
  await app.register(personArticlesRoutes, { prefix: '/v1/people' });
  await app.register(personQuotesRoutes, { prefix: '/v1/people' });
  await app.register(placeArticlesRoutes, { prefix: '/v1/places' });
  return app;
}
