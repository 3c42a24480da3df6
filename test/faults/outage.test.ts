import t from 'tap';
import {
  accepting,
  call,
  checkPeopleIntegrity,
  clusterOrSkip,
  freshDatabaseUrl,
  isProblem503,
  listeningApp,
  type Outcome,
  peopleLoad,
  pgCtl,
  serverUrl,
  sleep,
  summarize,
} from './helpers.js';

/**
 * Row 41: PostgreSQL stopped under load with `-m immediate` (a crash) and with `-m fast` (an
 * orderly stop that disconnects everyone), then started again. The API answers every request
 * while it is down (503 problem + Retry-After, fast), stays alive and live, and recovers on
 * its own; no acknowledged write is lost and none is half-applied.
 */
const WORKERS = 8;
const WARM_MS = 1500;
const DOWN_MS = 4000;
const AFTER_MS = 1500;
/** A down database must be reported fast: connection refused is immediate, timeouts are 5 s. */
const MAX_503_MS = 5000;
const MAX_RECOVERY_MS = 10_000;

const cluster = await clusterOrSkip(t);
if (cluster) {
  const url = await freshDatabaseUrl(t);
  const { base } = await listeningApp(t, url);

  for (const mode of ['immediate', 'fast'] as const)
    t.test(`stop -m ${mode} under load, then start`, async (t) => {
      const { writer, stop } = peopleLoad(() => base, WORKERS, 60_000);

      await sleep(WARM_MS);
      t.ok(
        writer.outcomes.some((o) => o.status === 201),
        `warm-up writes succeed (${summarize(writer.outcomes)})`,
      );

      await pgCtl(cluster, 'stop', mode);
      const down = Date.now();
      t.notOk(await accepting(serverUrl!), 'PostgreSQL is down');

      const probes: Outcome[] = [];
      while (Date.now() - down < DOWN_MS) {
        probes.push(await call(base, 'GET', '/healthz', { label: 'healthz' }));
        probes.push(await call(base, 'GET', '/readyz', { label: 'readyz' }));
        probes.push(await call(base, 'GET', '/v1/people?limit=1', { label: 'list people' }));
        await sleep(250);
      }
      const upStart = Date.now();
      await pgCtl(cluster, 'start');
      const up = Date.now();
      t.comment(`pg_ctlcluster start took ${up - upStart} ms`);

      let recoveredAt = 0;
      while (!recoveredAt && Date.now() - up < MAX_RECOVERY_MS + 2000) {
        const o = await call(base, 'GET', '/v1/places?limit=1', { label: 'recovery probe' });
        if (o.status === 200) recoveredAt = Date.now();
        else await sleep(100);
      }
      t.ok(recoveredAt, 'reads answer 200 again');
      t.ok(
        recoveredAt - up <= MAX_RECOVERY_MS,
        `200s resume ${recoveredAt - up} ms after start (≤ ${MAX_RECOVERY_MS})`,
      );
      const writesBefore = writer.outcomes.length;
      await sleep(AFTER_MS);
      await stop();

      const all = [...writer.outcomes, ...probes];
      t.comment(summarize(all));
      t.same(
        all.filter((o) => o.status === 0 || (o.status >= 500 && o.status !== 503)),
        [],
        'every request got an answer, never a 500, never a hang',
      );
      t.same(
        all.filter((o) => o.status === 503 && !isProblem503(o)),
        [],
        'every 503 is a problem with Retry-After',
      );
      // While the server was surely down (stop returned, start not yet begun).
      const whileDown = all.filter((o) => o.start >= down && o.end <= upStart && o.label !== 'healthz');
      const healthz = probes.filter((o) => o.label === 'healthz');
      t.ok(whileDown.length > 20, `${whileDown.length} requests while the database was down`);
      t.same(
        whileDown.filter((o) => o.label !== 'readyz' && !isProblem503(o)),
        [],
        'while down every API request answers 503 problem + Retry-After',
      );
      t.same(
        whileDown.filter((o) => o.end - o.start > MAX_503_MS),
        [],
        `while down every answer came within ${MAX_503_MS} ms`,
      );
      t.ok(
        healthz.length > 0 && healthz.every((o) => o.status === 200),
        'liveness (/healthz) stays 200 throughout',
      );
      t.ok(
        probes.filter((o) => o.label === 'readyz').every((o) => o.status === 503 && isProblem503(o)),
        'readiness (/readyz) is 503 while down',
      );
      const after = writer.outcomes.slice(writesBefore);
      t.ok(
        after.some((o) => o.status === 201) && after.every((o) => o.status !== 503),
        `after recovery writes succeed again (${summarize(after)})`,
      );
      t.equal((await call(base, 'GET', '/readyz')).status, 200, '/readyz is 200 again');

      await checkPeopleIntegrity(t, url, writer.acknowledged);
    });
}
