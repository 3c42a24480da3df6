import pg from 'pg';
import t from 'tap';
import {
  call,
  checkPeopleIntegrity,
  clusterOrSkip,
  freshDatabaseUrl,
  type Outcome,
  peopleLoad,
  sleep,
  sql,
  startReceiver,
  startServer,
  summarize,
} from './helpers.js';

/**
 * Row 44: SIGTERM to the real server process under load. Requests in flight complete, new
 * ones are refused or answered 503, the webhook worker finishes its attempts in flight (no
 * claim is left behind), and the process exits 0 within the grace period.
 */
const GRACE_MS = 10_000;
const IN_FLIGHT = 5;
const HOLD_MS = 1200;

const cluster = await clusterOrSkip(t);
if (cluster) {
  t.test('SIGTERM under load', async (t) => {
    const url = await freshDatabaseUrl(t);
    // A slow receiver, so deliveries are in flight when the signal comes.
    const receiver = await startReceiver(t, { delayMs: 500 });
    const server = await startServer(t, { DATABASE_URL: url, WEBHOOK_ALLOW_PRIVATE: 'true' });
    const hook = await call(server.base, 'POST', '/v1/webhooks', {
      body: { url: receiver.url, events: ['person.*'] },
    });
    t.equal(hook.status, 201, 'a webhook for every person change');

    const { writer, stop } = peopleLoad(() => server.base, 4, 30_000);
    await sleep(1500);

    // Requests surely in flight at the signal: creates of places blocked behind a lock.
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    t.teardown(() => locker.end().catch(() => undefined));
    await locker.query('begin');
    await locker.query('lock table places in access exclusive mode');
    const inFlight: Promise<Outcome>[] = Array.from({ length: IN_FLIGHT }, (_, i) =>
      call(server.base, 'POST', '/v1/places', {
        body: { name: `In flight ${i}`, kind: 'city' },
        label: 'create place',
      }),
    );
    await sleep(300);

    const signalled = Date.now();
    server.child.kill('SIGTERM');
    await sleep(HOLD_MS - 300);
    await locker.query('commit');

    const exit = await Promise.race([server.exited, sleep(GRACE_MS + 5000).then(() => undefined)]);
    const exitedAfter = Date.now() - signalled;
    await stop();
    const flights = await Promise.all(inFlight);

    t.same(exit, { code: 0, signal: null }, `exit code 0 (${server.output().trim().slice(-500)})`);
    t.ok(exitedAfter < GRACE_MS, `exited ${exitedAfter} ms after SIGTERM (grace ${GRACE_MS} ms)`);
    t.same(
      flights.map((o) => o.status),
      Array(IN_FLIGHT).fill(201),
      'every request in flight at SIGTERM completed with 201',
    );
    const after = writer.outcomes.filter((o) => o.start >= signalled);
    t.comment(`after SIGTERM: ${summarize(after)}`);
    t.same(
      after.filter((o) => o.status !== 0 && o.status >= 300 && o.status !== 503),
      [],
      'requests after SIGTERM: completed, 503, or refused — never an error status',
    );
    t.same(
      writer.outcomes.filter((o) => o.status >= 500 && o.status !== 503),
      [],
      'no 500 at any point',
    );

    const places = await sql<{ name: string }>(url, `select name from places where name like 'In flight %'`);
    t.equal(places.length, IN_FLIGHT, 'the in-flight creates are stored');
    await checkPeopleIntegrity(t, url, writer.acknowledged);
    const claims = await sql(url, 'select id from webhook_deliveries where locked_until is not null');
    t.same(claims, [], 'no delivery is left claimed: the worker finished its attempts before exiting');
    const [delivered] = await sql<{ n: string }>(
      url,
      `select count(*) as n from webhook_deliveries where status = 'delivered'`,
    );
    t.ok(Number(delivered!.n) > 0, `${delivered!.n} deliveries were made before shutdown`);
  });
}
