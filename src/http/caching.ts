import type { FastifyReply, FastifyRequest } from 'fastify';
import { noneMatch } from './etag.js';

/** Adds a request header to Vary, keeping what is there (CORS adds Origin). */
export function varyOn(reply: FastifyReply, field: string): void {
  const current = reply.getHeader('vary');
  const fields = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (fields.includes('*') || fields.some((f) => f.toLowerCase() === field.toLowerCase())) return;
  reply.header('vary', [...fields, field].join(', '));
}

/**
 * Cache headers for a read. What an anonymous caller may read can sit in shared caches;
 * anything a key was needed for must not, and every read varies by Authorization so a
 * shared cache never hands an editor's bytes to the public (or the reverse).
 */
export function setReadCaching(request: FastifyRequest, reply: FastifyReply): void {
  varyOn(reply, 'Authorization');
  reply.header('cache-control', readCacheControl(request.principal));
}

/** The Cache-Control of a read, by who asked: anonymous callers' reads may be shared. */
export const readCacheControl = (principal: FastifyRequest['principal']) =>
  principal ? 'private, no-store' : 'public, max-age=60';

/** Sends one resource with its ETag, or 304 when the caller already has this version. */
export function sendWithEtag<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  etag: string,
  body: T,
): T | undefined {
  setReadCaching(request, reply);
  reply.header('etag', etag);
  if (noneMatch(request.headers['if-none-match'], etag)) {
    reply.code(304);
    return undefined;
  }
  return body;
}
