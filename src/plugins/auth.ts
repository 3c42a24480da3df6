import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../errors.js';

export const SCOPES = ['read', 'embargo', 'preview', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  keyId: string | null;
  /** Recorded as `changedBy` in revisions. */
  name: string;
  scopes: ReadonlySet<Scope>;
}

/** What a caller may read. Decided here once; repositories apply it inside their SQL. */
export interface Visibility {
  /** Drafts and withdrawn articles (and quotes taken from them). */
  preview: boolean;
  /** Published articles whose embargo has not lifted yet. */
  embargo: boolean;
}

export const PUBLIC_VISIBILITY: Visibility = { preview: false, embargo: false };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /**
     * Who the request's credentials name: null when it presents none; rejects with a 401 when
     * they are malformed, unknown or revoked. Looked up once per request however often asked,
     * so the rate limiter can key on it before access is decided.
     */
    identify(request: FastifyRequest): Promise<Principal | null>;
  }
  interface FastifyContextConfig {
    /** The scope a route needs; 'read' routes are open to anonymous callers when PUBLIC_READ is on. */
    scope?: Scope;
  }
}

export function hasScope(p: Principal | null, scope: Scope): boolean {
  if (!p) return false;
  return p.scopes.has('admin') || p.scopes.has(scope);
}

export function visibilityOf(p: Principal | null): Visibility {
  // Editors who write must see what they write; so 'write' reads like 'preview'.
  const preview = hasScope(p, 'preview') || hasScope(p, 'write');
  return { preview, embargo: preview || hasScope(p, 'embargo') };
}

/**
 * A key that reads exactly what anonymous callers read (`read` alone): its reads may be answered
 * from, and kept in, the response cache, with a private Cache-Control on the wire.
 */
export function sharesPublicView(p: Principal | null): boolean {
  if (!p) return false;
  const v = visibilityOf(p);
  return !v.preview && !v.embargo;
}

/**
 * A partner's key: it reads embargoed work, not drafts. Of one resource the public may see, it
 * sees exactly what the public sees (see cacheForPartners).
 */
export function readsAsPartner(p: Principal | null): boolean {
  if (!p) return false;
  const v = visibilityOf(p);
  return v.embargo && !v.preview;
}

export const hashKey = (secret: string) => createHash('sha256').update(secret).digest('hex');

const BEARER = /^Bearer ([A-Za-z0-9_-]{16,200})$/;
const KEY_IN_QUERY = /[?&](api_key|apikey|access_token|key|token)=/i;

export interface AuthOptions {
  adminKey: string | undefined;
  publicRead: boolean;
  /**
   * Finds an unrevoked key by the hash of its secret. It may answer from memory only if a
   * revoked key is refused on the very next request all the same (see KeyCache).
   */
  findKey: (hash: string) => Promise<{ id: string; name: string; scopes: string[] } | undefined>;
}

export default fp(async function authPlugin(app: FastifyInstance, opts: AuthOptions) {
  const adminHash = opts.adminKey ? createHash('sha256').update(opts.adminKey).digest() : undefined;
  app.decorateRequest('principal', null);

  async function authenticate(request: FastifyRequest): Promise<Principal | null> {
    if (KEY_IN_QUERY.test(request.url)) {
      throw unauthorized('API keys are accepted only in the Authorization header, never in the URL.');
    }
    const header = request.headers.authorization;
    if (header === undefined) return null;
    const m = BEARER.exec(header);
    if (!m) throw unauthorized();
    const secret = m[1]!;
    if (adminHash && timingSafeEqual(createHash('sha256').update(secret).digest(), adminHash)) {
      return { keyId: null, name: 'admin (ADMIN_KEY)', scopes: new Set(['admin']) };
    }
    const key = await opts.findKey(hashKey(secret));
    if (!key) throw unauthorized('This API key is unknown or revoked.');
    return { keyId: key.id, name: key.name, scopes: new Set(key.scopes as Scope[]) };
  }

  const identified = new WeakMap<FastifyRequest, Promise<Principal | null>>();
  app.decorate('identify', (request: FastifyRequest) => {
    let principal = identified.get(request);
    if (!principal) {
      principal = authenticate(request);
      identified.set(request, principal);
    }
    return principal;
  });

  // One hook decides access for every /v1 route, from the scope the route declares.
  app.addHook('onRequest', async (request) => {
    const scope = request.routeOptions.config.scope;
    if (!scope) return;
    const principal = await app.identify(request);
    request.principal = principal;
    if (scope === 'read') {
      if (!principal && !opts.publicRead) throw unauthorized();
      return;
    }
    if (!principal) throw unauthorized();
    if (!hasScope(principal, scope)) throw forbidden(scope);
  });
});
