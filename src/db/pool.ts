import pg from 'pg';
import type { Config } from '../config.js';

/** Raised when no transaction slot frees up in time: the database is saturated (503). */
export class PoolBusyError extends Error {
  constructor() {
    super('every transaction slot stayed busy: the database is saturated');
    this.name = 'PoolBusyError';
  }
}

export const CONNECT_TIMEOUT_MS = 5000;

/**
 * The pg pool, with the hygiene a server that must outlive its database needs:
 * - timeouts on connecting, statements, lock waits and idle transactions;
 * - no parallel query (see below);
 * - an 'error' listener on every client for its whole life (see below);
 * - a pool client whose BEGIN failed is released (drizzle would leak it);
 * - transactions may hold at most all but a quarter of the connections, and wait for one at
 *   most lock_timeout, so writers stuck behind a lock cannot starve plain reads.
 */
export function createPool(
  config: Config,
  url: string,
  onError?: (err: Error) => void,
  /** `kopij-read` for the replica's pool, so pg_stat_activity tells the two apart. */
  applicationName = 'kopij',
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: config.dbPoolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    application_name: applicationName,
    statement_timeout: config.dbStatementTimeoutMs,
    lock_timeout: config.dbLockTimeoutMs,
    idle_in_transaction_session_timeout: 10_000,
    // Every query the API sends is a short indexed read or write under a LIMIT, many at once.
    // Parallel workers only add start-up cost and take the cores the other connections need:
    // at 1M articles a person's page took 39 ms with two workers and 14 ms without.
    // Timestamps come back in UTC whatever the server's zone: a list rewrites that text as the
    // API's (apiTimestamp), and a zone's old local mean time (offsets in seconds, Amsterdam
    // before 1937) is text JavaScript's Date cannot read.
    options: '-c max_parallel_workers_per_gather=0 -c TimeZone=UTC',
  });
  // A dead connection (server stopped, backend terminated) emits 'error' on its client, and an
  // unheard 'error' kills the process. pg-pool listens only while a client is idle; a client
  // checked out for a transaction has no listener, so each one gets its own for life. The
  // statement that was running fails on its own, and the pool drops the client on release.
  pool.on('connect', (client) => {
    client.on('error', (err) => onError?.(err));
  });
  // Already reported by the client's own listener above.
  pool.on('error', () => undefined);

  const slots = new Slots(Math.max(1, config.dbPoolSize - Math.ceil(config.dbPoolSize / 4)));
  writeSlots.set(pool, { slots, timeoutMs: config.dbLockTimeoutMs });
  const connect = pool.connect.bind(pool);
  // pg-pool's own query() checks out with a callback; only drizzle's transaction() calls
  // connect() for a promise, so this is the transaction path.
  pool.connect = ((callback?: Parameters<typeof connect>[0]) => {
    if (callback) return connect(callback);
    return (async () => {
      await slots.acquire(config.dbLockTimeoutMs);
      let client: pg.PoolClient;
      try {
        client = await connect();
      } catch (err) {
        slots.release();
        throw err;
      }
      const release = client.release.bind(client);
      client.release = (err?: Error | boolean) => {
        slots.release();
        client.release = release;
        return release(err);
      };
      return releaseIfBeginFails(client);
    })();
  }) as typeof pool.connect;
  return pool;
}

const writeSlots = new WeakMap<object, { slots: Slots; timeoutMs: number }>();

/**
 * Runs a write that is one statement, which PostgreSQL commits by itself (no BEGIN and COMMIT
 * round trips), in one of the transaction slots: like a transaction it may wait on a lock,
 * and only so many connections may be waiting so. `db` is a drizzle database: on a pool made
 * here it is gated, on anything else (PGlite, which runs one statement at a time) it is not.
 */
export async function inWriteSlot<T>(db: object, run: () => Promise<T>): Promise<T> {
  const client = (db as { $client?: unknown }).$client;
  const gate = typeof client === 'object' && client !== null ? writeSlots.get(client) : undefined;
  if (!gate) return run();
  await gate.slots.acquire(gate.timeoutMs);
  try {
    return await run();
  } finally {
    gate.slots.release();
  }
}

/**
 * drizzle's transaction() sends BEGIN before its try/finally, so a BEGIN that fails on a dead
 * connection never releases the client: each outage would leak pool slots until the API can
 * no longer reach its database, and pool.end() would wait forever. The first query on a
 * freshly checked-out client is that BEGIN; if it fails, release the client with the error
 * (which drops it from the pool). drizzle rethrows the error and never releases it itself.
 */
function releaseIfBeginFails(client: pg.PoolClient): pg.PoolClient {
  const target = client as unknown as { query?: (...args: unknown[]) => unknown };
  const query = client.query as unknown as (...args: unknown[]) => unknown;
  target.query = (...args: unknown[]) => {
    // Only the first query: from now on the client's own method answers again.
    delete target.query;
    const result = query.apply(client, args);
    if (result instanceof Promise) result.catch((err: Error) => client.release(err));
    return result;
  };
  return client;
}

/** A counting semaphore whose waiters give up after a deadline. */
class Slots {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}

  acquire(timeoutMs: number): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new PoolBusyError());
      }, timeoutMs);
      this.waiting.push(grant);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
