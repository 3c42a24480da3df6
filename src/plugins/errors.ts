import { randomUUID } from 'node:crypto';
import { STATUS_CODES as HTTP_REASONS } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { classifyDbError } from '../db/errors.js';
import { ApiError, type FieldError, type ProblemCode } from '../errors.js';
import { problemBody } from '../http/problem.js';

const CONTEXT_NAMES: Record<string, string> = {
  querystring: 'query',
  body: 'body',
  params: 'params',
  headers: 'headers',
};

interface ZodIssueParams {
  keys?: string[];
}

function validationErrors(err: FastifyError): FieldError[] {
  const context = CONTEXT_NAMES[err.validationContext ?? 'body'] ?? 'body';
  const out: FieldError[] = [];
  for (const v of err.validation ?? []) {
    const base = [context, ...v.instancePath.split('/').filter(Boolean)].join('.');
    const keys = (v.params as ZodIssueParams | undefined)?.keys;
    if (Array.isArray(keys) && keys.length > 0) {
      for (const k of keys) out.push({ path: `${base}.${k}`, message: 'unknown or read-only field' });
    } else {
      out.push({ path: base, message: v.message ?? 'invalid' });
    }
  }
  return out;
}

const STATUS_CODES: Record<number, ProblemCode> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  412: 'precondition-failed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  428: 'precondition-required',
  429: 'rate-limited',
  503: 'unavailable',
};

function toApiError(err: FastifyError): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = validationErrors(err);
    return new ApiError('validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  }
  const db = classifyDbError(err);
  if (db) return db;
  const status = err.statusCode;
  if (status && status >= 400 && status < 500) {
    const code = STATUS_CODES[status] ?? 'bad-request';
    // Framework messages (malformed JSON, media type, body size) are safe and useful to show.
    return new ApiError(code, err.message || 'Bad request');
  }
  return undefined;
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, e: ApiError) {
  for (const [k, v] of Object.entries(e.headers)) reply.header(k, v);
  return reply
    .code(e.status)
    .type('application/problem+json')
    .send(problemBody(e.code, e.detail, String(request.id), e.errors));
}

const CLIENT_ERRORS: Record<string, [ProblemCode, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: ['request-timeout', 'The request was not received in time.'],
  HPE_HEADER_OVERFLOW: ['headers-too-large', 'The request headers exceed 16 KiB.'],
};

/**
 * Node's own refusals, made before Fastify sees a request (headers past 16 KiB, a request
 * slower than requestTimeout, unparseable HTTP), in the one envelope too. Fastify's default
 * answers them in its own JSON. The connection is closed either way.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node does: answer only if no response of the request in flight has begun.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const [code, detail] = CLIENT_ERRORS[err.code ?? ''] ?? ['bad-request', 'The request is not valid HTTP.'];
    const requestId = randomUUID();
    const problem = problemBody(code, detail, requestId);
    const body = JSON.stringify(problem);
    socket.write(
      `HTTP/1.1 ${problem.status} ${HTTP_REASONS[problem.status]}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `Cache-Control: no-store\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

export default fp(async function errorsPlugin(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const apiError = toApiError(err);
    if (apiError) {
      if (apiError.status >= 500) request.log.warn({ err }, 'request failed: %s', apiError.code);
      return sendProblem(reply, request, apiError);
    }
    // Masked: the client gets the request id, the log gets the whole story.
    request.log.error({ err }, 'unhandled error');
    return sendProblem(reply, request, new ApiError('internal', 'Something went wrong on our side.'));
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, new ApiError('not-found', 'No such route.')),
  );
});
