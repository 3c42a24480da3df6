import t from 'tap';
import { classifyDbError } from '../../src/db/errors.js';
import { PoolBusyError } from '../../src/db/pool.js';

/** As drizzle hands them over: the driver's error is the cause of a DrizzleQueryError. */
const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: select 1'), { cause });
const pgError = (code: string) => Object.assign(new Error(`pg error ${code}`), { code });

t.test('outages are 503 with Retry-After, whatever shape the driver gives them', async (t) => {
  const outages: [string, unknown][] = [
    ['server stopped under a query', new Error('Connection terminated unexpectedly')],
    ['pool queue wait timed out', new Error('timeout exceeded when trying to connect')],
    [
      'connect timed out',
      new Error('Connection terminated due to connection timeout', {
        cause: new Error('Connection terminated unexpectedly'),
      }),
    ],
    ['dead client reused', new Error('Client has encountered a connection error and is not queryable')],
    ['refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['pool closing', new Error('Cannot use a pool after calling end on the pool')],
    ['transaction slots saturated', new PoolBusyError()],
    ['terminated backend (57P01), wrapped by drizzle', wrapped(pgError('57P01'))],
    ['starting up (57P03)', pgError('57P03')],
    ['connection failure (08006)', wrapped(pgError('08006'))],
    ['too many connections (53300)', pgError('53300')],
    ['lock_timeout (55P03)', wrapped(pgError('55P03'))],
    ['statement_timeout (57014)', wrapped(pgError('57014'))],
    ['serialization failure (40001)', wrapped(pgError('40001'))],
  ];
  for (const [name, err] of outages) {
    const e = classifyDbError(err);
    t.equal(e?.status, 503, `${name}: 503`);
    t.equal(e?.headers['retry-after'], '5', `${name}: Retry-After`);
  }
});

t.test('client-caused violations are 4xx; anything unknown is left for the 500 path', async (t) => {
  t.equal(classifyDbError(wrapped(pgError('23505')))?.status, 409, 'unique violation');
  t.equal(classifyDbError(wrapped(pgError('23503')))?.status, 409, 'foreign key violation');
  t.equal(classifyDbError(wrapped(pgError('22021')))?.status, 400, 'bad text encoding');
  t.equal(classifyDbError(wrapped(pgError('42601'))), undefined, 'a syntax error is our bug');
  t.equal(classifyDbError(new Error('boom')), undefined, 'an unknown error is our bug');
});
