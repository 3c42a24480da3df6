import { getHeapStatistics } from 'node:v8';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface IdleGcOptions {
  /** Quiet time, after the last response, before the heap is collected; 0 turns it off. */
  idleMs: number;
  /**
   * The collector: Node's `gc`, present when node runs with --expose-gc (as `npm start` and
   * the Docker image run it). Without one the plugin does nothing.
   */
  collect?: () => unknown;
  /** Growth of V8's committed heap since the last idle collection that makes one worthwhile. */
  minGrowthBytes?: number;
}

const committed = () => getHeapStatistics().total_heap_size;

/**
 * Gives back the memory a busy spell grew once the server falls quiet. V8 grows its old space
 * under load (a burst of writes promotes much of its garbage) and collects it only when that
 * space fills up again, which an idle server never does: after the bench's write scenarios the
 * process kept ~8 MB of dead old space until the next load (BENCHMARKS.md, thirteenth session).
 * So when no request has been in flight for `idleMs`, and V8's heap has grown by
 * `minGrowthBytes` since the last such collection, one full collection runs (20–40 ms here for
 * a ~40 MB heap). A request that arrives meanwhile waits for it; none is in flight when it
 * starts. Health probes alone do not grow the heap, so they cause none.
 */
export default fp(async function idleGcPlugin(app: FastifyInstance, opts: IdleGcOptions) {
  const collect = opts.collect ?? (globalThis as { gc?: () => unknown }).gc;
  if (!opts.idleMs || typeof collect !== 'function') return;
  const minGrowth = opts.minGrowthBytes ?? 4 * 1024 * 1024;
  let inFlight = 0;
  let served = false;
  let quietSince = Date.now();
  let baseline = committed();

  app.addHook('onRequest', (_request, reply, done) => {
    inFlight++;
    served = true;
    // 'close' comes once for every response: sent, failed, or its client gone.
    reply.raw.once('close', () => {
      inFlight--;
      quietSince = Date.now();
    });
    done();
  });

  const timer = setInterval(
    () => {
      if (!served || inFlight > 0 || Date.now() - quietSince < opts.idleMs) return;
      served = false;
      if (committed() - baseline < minGrowth) return;
      collect();
      baseline = committed();
    },
    Math.max(10, Math.floor(opts.idleMs / 4)),
  );
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
});
