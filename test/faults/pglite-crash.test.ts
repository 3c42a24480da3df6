import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { createDb, openPglite } from '../../src/db/client.js';
import { prepareTemplate, templateFile } from '../helpers/database.js';
import {
  call,
  checkPeopleIntegrity,
  load,
  PeopleWriter,
  type Query,
  sleep,
  startReceiver,
  startServer,
  summarize,
} from './helpers.js';

/**
 * The embedded database under `kill -9`: the server runs on a PGlite data directory, is
 * killed in the middle of writes (several times), and the directory is opened again. Every
 * acknowledged write must be there, nothing half-written, and the outbox intact. (What
 * PGlite does not promise, power loss above all, is in README.md, "The embedded database".)
 */
const CYCLES = 2;
const MIN_WRITES = 20;

t.test(`kill -9 mid-write on PGlite, ${CYCLES} times`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kopij-pglite-crash-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Start from the migrated template rather than pay initdb in WebAssembly again.
  await prepareTemplate();
  await (await openPglite(dir, new Blob([readFileSync(templateFile())]))).close();
  const receiver = await startReceiver(t);
  const env = { DATA_DIR: dir, WEBHOOK_ALLOW_PRIVATE: 'true' };

  let base = '';
  const writer = new PeopleWriter(() => base);
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    const starting = Date.now();
    const server = await startServer(t, env);
    t.comment(`cycle ${cycle}: the server started in ${Date.now() - starting} ms`);
    base = server.base;
    if (cycle === 1) {
      const hook = await call(base, 'POST', '/v1/webhooks', {
        body: { url: receiver.url, events: ['person.*'] },
      });
      t.equal(hook.status, 201, 'a webhook for every person change');
    }
    const before = writer.acknowledged.size;
    let done = false;
    const running = load(
      4,
      30_000,
      () => done,
      (w, n) => writer.step(w, n),
    );
    const until = Date.now() + 20_000;
    while (writer.acknowledged.size - before < MIN_WRITES && Date.now() < until) await sleep(50);
    server.child.kill('SIGKILL');
    await server.exited;
    done = true;
    await running;
    t.ok(
      writer.acknowledged.size - before >= MIN_WRITES,
      `cycle ${cycle}: killed after ${writer.acknowledged.size - before} acknowledged writes`,
    );
  }
  t.comment(summarize(writer.outcomes));

  // Open the directory the last kill left behind, in this process, as the server would.
  const database = await createDb(loadConfig({ DATA_DIR: dir }));
  const query: Query = async (text) => (await database.pglite!.query(text)).rows as never[];
  await checkPeopleIntegrity(t, query, writer.acknowledged);
  const [missing] = await query<{ n: number }>(
    `select count(*)::int as n from changes c where c.resource_type = 'person'
       and not exists (select 1 from webhook_deliveries d where d.change_seq = c.seq)`,
  );
  t.equal(missing!.n, 0, 'every committed change has its delivery in the outbox');
  const [people] = await query<{ n: number }>('select count(*)::int as n from people');
  t.ok(
    people!.n >= writer.acknowledged.size,
    `${people!.n} people stored, ${writer.acknowledged.size} acknowledged`,
  );
  const deliveries = await query<{ id: string }>('select id from webhook_deliveries');
  // A dead worker's claim lapses after its lease (a minute); let that minute pass at once.
  await database.pglite!.query(`update webhook_deliveries set locked_until = null where status = 'pending'`);
  await database.close();

  // The server starts on it again, reads everything, and delivers what was pending.
  const server = await startServer(t, env);
  const list = await call(server.base, 'GET', '/v1/people?limit=100');
  t.equal(list.status, 200, 'the restarted server reads the data directory');
  const deadline = Date.now() + 20_000;
  while (deliveries.some((d) => !receiver.received.includes(d.id)) && Date.now() < deadline) await sleep(250);
  server.child.kill('SIGTERM');
  t.same(await server.exited, { code: 0, signal: null }, 'the server exits 0 on SIGTERM');

  const reopened = await createDb(loadConfig({ DATA_DIR: dir }));
  const undelivered = await reopened.pglite!.query(
    `select id from webhook_deliveries where status <> 'delivered'`,
  );
  await reopened.close();
  t.same(undelivered.rows, [], `all ${deliveries.length} deliveries are delivered after the restart`);
  t.same(
    deliveries.filter((d) => !receiver.received.includes(d.id)),
    [],
    'the receiver got each one under its own webhook-id',
  );
});
