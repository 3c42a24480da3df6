import t from 'tap';
import {
  call,
  checkPeopleIntegrity,
  clusterOrSkip,
  freshDatabaseUrl,
  isProblem503,
  listeningApp,
  peopleLoad,
  serverUrl,
  sleep,
  sql,
  summarize,
} from './helpers.js';

/**
 * Row 42: every backend of the API (application_name 'kopij') terminated, idle or busy.
 * The pool drops the dead connections and opens new ones: the next requests answer 200,
 * nothing crashes, nothing answers 500.
 */
const cluster = await clusterOrSkip(t);
if (cluster) {
  const url = await freshDatabaseUrl(t);
  const { base } = await listeningApp(t, url);
  const dbName = new URL(url).pathname.slice(1);

  /** Terminates the API's backends in its database; resolves once they are gone. */
  async function terminateAll(): Promise<number> {
    // Two statements: in one, the planner may call pg_terminate_backend before filtering.
    const killed = await sql<{ pid: number }>(
      serverUrl!,
      `select pid from pg_stat_activity where application_name = 'kopij' and datname = $1`,
      [dbName],
    );
    await sql(serverUrl!, 'select pg_terminate_backend(p) from unnest($1::int[]) p', [
      killed.map((k) => k.pid),
    ]);
    for (let i = 0; i < 50; i++) {
      const left = await sql(serverUrl!, 'select 1 from pg_stat_activity where pid = any($1::int[])', [
        killed.map((k) => k.pid),
      ]);
      if (!left.length) break;
      await sleep(50);
    }
    return killed.length;
  }

  t.test('idle connections terminated: the next requests answer 200', async (t) => {
    // Open several connections, then let them go idle in the pool.
    const warm = await Promise.all(
      Array.from({ length: 8 }, (_, i) => call(base, 'POST', '/v1/people', { body: { name: `Warm ${i}` } })),
    );
    t.ok(
      warm.every((o) => o.status === 201),
      'warm-up writes succeed',
    );
    const killed = await terminateAll();
    t.ok(killed >= 2, `${killed} idle backends terminated`);
    // The pool hears of each death on the next turn of the loop.
    await sleep(50);
    const next = [
      ...(await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 2
            ? call(base, 'GET', '/v1/people?limit=5', { label: 'list people' })
            : call(base, 'POST', '/v1/people', { body: { name: `After ${i}` }, label: 'create person' }),
        ),
      )),
      await call(base, 'GET', '/readyz', { label: 'readyz' }),
    ];
    t.same(
      next.filter((o) => o.status !== 200 && o.status !== 201),
      [],
      `the next requests all succeed (${summarize(next)})`,
    );
  });

  t.test('busy connections terminated under load: no 500, no crash, then 200s', async (t) => {
    const { writer, stop } = peopleLoad(() => base, 8, 30_000);
    await sleep(800);
    let killed = 0;
    for (let round = 0; round < 3; round++) {
      killed += await terminateAll();
      await sleep(400);
    }
    t.ok(killed >= 3, `${killed} backends terminated in 3 rounds`);
    const mark = writer.outcomes.length;
    await sleep(1000);
    await stop();
    t.comment(summarize(writer.outcomes));
    t.same(
      writer.outcomes.filter((o) => o.status === 0 || (o.status >= 500 && !isProblem503(o))),
      [],
      'every request answered; failures only as 503 problem + Retry-After',
    );
    const after = writer.outcomes.slice(mark);
    t.ok(
      after.length > 0 && after.every((o) => o.status < 500),
      `once the terminations stop, everything succeeds (${summarize(after)})`,
    );
    await checkPeopleIntegrity(t, url, writer.acknowledged);
  });
}
