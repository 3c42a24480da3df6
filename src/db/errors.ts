import { ApiError, conflict, unavailable } from '../errors.js';
import { PoolBusyError } from './pool.js';

interface PgLikeError {
  code?: string;
  constraint?: string;
  message?: string;
  cause?: unknown;
}

/** drizzle wraps driver errors (DrizzleQueryError); the SQLSTATE is on the innermost cause. */
function innermost(err: unknown): PgLikeError | undefined {
  let e = err as PgLikeError | undefined;
  for (let i = 0; i < 5 && e; i++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e;
    e = e.cause as PgLikeError | undefined;
  }
  return undefined;
}

const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

function isConnectionFailure(err: unknown): boolean {
  let e = err as (PgLikeError & { errno?: unknown }) | undefined;
  for (let i = 0; i < 5 && e; i++) {
    if (typeof e.code === 'string' && CONNECTION_ERRNOS.has(e.code)) return true;
    const m = e.message ?? '';
    if (
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|Cannot use a pool after calling end/.test(
        m,
      )
    )
      return true;
    e = e.cause as PgLikeError | undefined;
  }
  return false;
}

/**
 * The one place where database failures become API answers. Constraint violations are
 * conflicts the client caused; connection loss, resource exhaustion, shutdown, timeouts and
 * lock waits are outages (503 + Retry-After). Anything else is left for the 500 path: a bug.
 */
export function classifyDbError(err: unknown): ApiError | undefined {
  if (err instanceof PoolBusyError) return unavailable('The database is busy; retry shortly.');
  const e = innermost(err);
  if (e?.code) {
    const code = e.code;
    if (code === '23505') return conflict('A resource with this unique value already exists.');
    if (code === '23503')
      return conflict('Another resource still refers to this one, or a reference is unknown.');
    if (code === '22021' || code === '22P05' || code === '54000')
      return new ApiError('bad-request', 'The request contains text the database cannot store.');
    if (code === '40001' || code === '40P01')
      return unavailable('A concurrent change interfered; retry the request.');
    if (code === '55P03' || code === '57014') return unavailable('The database is busy; retry shortly.');
    const cls = code.slice(0, 2);
    if (cls === '08' || cls === '53' || cls === '57') return unavailable();
  }
  if (isConnectionFailure(err)) return unavailable();
  return undefined;
}
