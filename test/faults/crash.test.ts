import t from 'tap';
import {
  call,
  checkPeopleIntegrity,
  clusterOrSkip,
  freshDatabaseUrl,
  peopleLoad,
  sleep,
  sql,
  startReceiver,
  startServer,
  summarize,
} from './helpers.js';

/**
 * Row 40: `kill -9` of the server in the middle of writes, then a restart on the same
 * database. Nothing is half-written (version = revisions = changes for every person), every
 * acknowledged write is there, and every committed change's webhook delivery survives in
 * the outbox and is delivered after the restart, under its one webhook-id.
 */
const WRITE_MS = 2000;
const DELIVERY_DEADLINE_MS = 20_000;

const cluster = await clusterOrSkip(t);
if (cluster) {
  t.test('kill -9 mid-write, then restart', async (t) => {
    const url = await freshDatabaseUrl(t);
    const receiver = await startReceiver(t);
    const env = { DATABASE_URL: url, WEBHOOK_ALLOW_PRIVATE: 'true' };
    const first = await startServer(t, env);
    const hook = await call(first.base, 'POST', '/v1/webhooks', {
      body: { url: receiver.url, events: ['person.*'] },
    });
    t.equal(hook.status, 201, 'a webhook for every person change');

    let base = first.base;
    const { writer, stop } = peopleLoad(() => base, 8, 30_000);
    // Kill once enough writes went through (a busy machine may need longer than WRITE_MS).
    const until = Date.now() + 15_000;
    await sleep(WRITE_MS);
    while (writer.acknowledged.size < 30 && Date.now() < until) await sleep(100);
    const inFlightAtKill = writer.outcomes.length;
    first.child.kill('SIGKILL');
    const exit = await first.exited;
    await stop();
    t.equal(exit.signal, 'SIGKILL', 'the server died mid-write');
    t.comment(
      `${summarize(writer.outcomes)}; ${writer.outcomes.length - inFlightAtKill} cut off by the kill`,
    );
    t.ok(writer.acknowledged.size > 10, `${writer.acknowledged.size} people acknowledged before the kill`);

    // Before any restart: the database as the killed process left it.
    await checkPeopleIntegrity(t, url, writer.acknowledged);
    const [counts] = await sql<{ changes: string; deliveries: string; missing: string }>(
      url,
      `select (select count(*) from changes where resource_type = 'person') as changes,
              (select count(*) from webhook_deliveries) as deliveries,
              (select count(*) from changes c where c.resource_type = 'person'
                 and not exists (select 1 from webhook_deliveries d where d.change_seq = c.seq)) as missing`,
    );
    t.equal(
      counts!.missing,
      '0',
      `every committed change has its delivery in the outbox (${counts!.deliveries})`,
    );
    const pending = await sql<{ id: string; locked: boolean }>(
      url,
      `select id, locked_until > now() as locked from webhook_deliveries where status = 'pending'`,
    );
    t.comment(
      `${pending.length} deliveries pending at the kill, ${pending.filter((p) => p.locked).length} claimed`,
    );
    // A dead worker's claim lapses after its lease (a minute); let that minute pass at once.
    await sql(url, `update webhook_deliveries set locked_until = null where status = 'pending'`);

    const second = await startServer(t, env);
    base = second.base;
    const deadline = Date.now() + DELIVERY_DEADLINE_MS;
    let left = pending.length;
    while (left > 0 && Date.now() < deadline) {
      await sleep(250);
      const [row] = await sql<{ n: string }>(
        url,
        `select count(*) as n from webhook_deliveries where status <> 'delivered'`,
      );
      left = Number(row!.n);
    }
    t.equal(left, 0, 'after the restart every delivery is delivered');
    const ids = await sql<{ id: string }>(url, 'select id from webhook_deliveries');
    const got = new Set(receiver.received);
    t.same(
      ids.filter((d) => !got.has(d.id)),
      [],
      `the receiver got every delivery under its own webhook-id (${ids.length} deliveries, ${receiver.received.length} requests)`,
    );
    t.ok(
      pending.every((p) => got.has(p.id)),
      `the ${pending.length} deliveries pending at the kill arrived after the restart`,
    );

    // The restarted server works and shuts down cleanly.
    t.equal((await call(second.base, 'POST', '/v1/people', { body: { name: 'After restart' } })).status, 201);
    second.child.kill('SIGTERM');
    t.same(await second.exited, { code: 0, signal: null }, 'the restarted server exits 0 on SIGTERM');
    await checkPeopleIntegrity(t, url, writer.acknowledged);
  });
}
