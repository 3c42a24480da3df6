import { getHeapStatistics } from 'node:v8';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';
import { sendProblem } from './errors.js';

export interface PressureOptions {
  maxEventLoopDelayMs: number;
  /** Fraction of V8's heap limit past which requests are shed. */
  maxHeapFraction: number;
}

/**
 * Sheds load with 503 + Retry-After when the event loop lags or the heap nears its limit,
 * so an overloaded instance answers fast instead of timing out; liveness still answers.
 */
export default fp(async function pressurePlugin(app: FastifyInstance, opts: PressureOptions) {
  await app.register(underPressure, {
    maxEventLoopDelay: opts.maxEventLoopDelayMs,
    maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * opts.maxHeapFraction),
    retryAfter: 5,
    pressureHandler: (request, reply, type) => {
      if (request.url === '/healthz') return;
      reply.header('retry-after', '5');
      sendProblem(
        reply,
        request,
        new ApiError('unavailable', `The server is overloaded (${type}); retry shortly.`),
      );
    },
  });
});
