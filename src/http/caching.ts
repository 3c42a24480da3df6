import type { FastifyReply, FastifyRequest } from 'fastify';
import { noneMatch } from './etag.js';

/**
 * Cache headers for a read. What an anonymous caller may read can sit in shared caches;
 * anything a key was needed for must not, and every read varies by Authorization so a
 * shared cache never hands an editor's bytes to the public (or the reverse).
 */
export function setReadCaching(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('vary', 'Authorization');
  reply.header('cache-control', request.principal ? 'private, no-store' : 'public, max-age=60');
}

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
