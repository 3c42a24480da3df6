import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';
import { freshDatabase } from '../helpers/database.js';

/**
 * Scale-out: two API instances with their workers on one database, as with N instances behind
 * a load balancer. Each outbox row is delivered once and each embargo released once, because
 * both workers claim with FOR UPDATE SKIP LOCKED.
 */
const database = await freshDatabase();
// Teardowns run last-registered first: the database closes after both apps.
t.teardown(() => database.close());
const build = { workers: true, webhookPollMs: 20, webhookBackoffScale: 0.0001, webhookTimeoutMs: 5000 };
const a = await buildTestApp(t, { WEBHOOK_ALLOW_PRIVATE: 'true' }, { database, build });
const b = await buildTestApp(t, { WEBHOOK_ALLOW_PRIVATE: 'true' }, { database, build, keys: false });

const received: { id: string; type: string; articleId?: string }[] = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    const payload = JSON.parse(body) as { type: string; data: { id?: string } };
    received.push({ id: String(req.headers['webhook-id']), type: payload.type, articleId: payload.data.id });
    res.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
t.teardown(() => {
  server.closeAllConnections();
  server.close();
});

async function until(what: string, done: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 600; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('two instances deliver each outbox row once and release each embargo once', async (t) => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const hook = await a.req('POST', '/v1/webhooks', {
    as: 'admin',
    body: { url, events: ['person.*', 'article.*'] },
  });
  t.equal(hook.statusCode, 201, hook.body);

  // Writes through both instances, while both workers poll the one outbox.
  const people = 12;
  for (let i = 0; i < people; i++) {
    const via = i % 2 ? b : a;
    const res = await via.req('POST', '/v1/people', { as: 'admin', body: { name: `Persoon ${i}` } });
    t.equal(res.statusCode, 201);
  }
  const embargoed: string[] = [];
  const liftsAt = new Date(Date.now() + 1500).toISOString();
  for (let i = 0; i < 4; i++) {
    const created = await a.req('POST', '/v1/articles', {
      as: 'write',
      body: {
        language: 'nl',
        headline: `Onder embargo ${i}`,
        body: [],
        tags: [],
        personIds: [],
        placeIds: [],
        embargoedUntil: liftsAt,
      },
    });
    t.equal(created.statusCode, 201, created.body);
    const id = created.json().id;
    t.equal((await b.req('POST', `/v1/articles/${id}/publish`, { as: 'admin' })).statusCode, 200);
    embargoed.push(id);
  }

  const released = async () =>
    (
      (await a.req('GET', '/v1/changes?types=article')).json().data as { id: string; action: string }[]
    ).filter((c) => c.action === 'published');
  await until('the embargoes to lift', async () => (await released()).length >= embargoed.length);
  await until('every delivery', () => received.length >= people + embargoed.length);
  // Both workers race over the outbox directly too.
  await Promise.all([a.app.webhookWorker.runOnce(), b.app.webhookWorker.runOnce()]);

  const releases = await released();
  t.same(releases.map((c) => c.id).sort(), [...embargoed].sort(), 'each article released once, publicly');
  const ids = received.map((r) => r.id);
  t.equal(new Set(ids).size, ids.length, 'no webhook-id delivered twice');
  t.equal(received.filter((r) => r.type.startsWith('person.')).length, people, 'one delivery per person');
  const articleDeliveries = received.filter((r) => r.type === 'article.published').map((r) => r.articleId);
  t.same(articleDeliveries.sort(), [...embargoed].sort(), 'one delivery per release');
});
