import { connect } from 'node:net';
import t from 'tap';
import { ADMIN_KEY, buildTestApp } from '../helpers/app.js';

const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An app whose idle collector counts its runs instead of collecting. */
async function appCounting(t: Tap, idleMs: number, minGrowthBytes: number) {
  const runs = { count: 0 };
  const ctx = await buildTestApp(
    t,
    { IDLE_GC_MS: String(idleMs) },
    { keys: false, build: { idleGc: { collect: () => runs.count++, minGrowthBytes } } },
  );
  return { ctx, runs };
}

type Tap = Parameters<typeof buildTestApp>[0];

t.test('once the server falls quiet after serving, the heap is collected once', async (t) => {
  const { ctx, runs } = await appCounting(t, 40, 0);
  await quiet(200);
  t.equal(runs.count, 0, 'nothing served since start: no collection');
  for (let i = 0; i < 5; i++) t.equal((await ctx.req('GET', '/v1/people')).statusCode, 200);
  await quiet(300);
  t.equal(runs.count, 1, 'one collection after the spell');
  await quiet(300);
  t.equal(runs.count, 1, 'and no more while nothing is served');
  await ctx.req('GET', '/v1/nothing-here');
  await quiet(300);
  t.equal(runs.count, 2, 'any answer counts, a 404 too');
});

t.test('no collection while a request is in flight', async (t) => {
  const { ctx, runs } = await appCounting(t, 40, 0);
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = ctx.app.server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  const answer = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (d) => {
      text += d;
    });
    socket.on('end', () => resolve(text));
  });
  const body = JSON.stringify({ name: 'Iemand', slug: 'iemand' });
  // Headers and half the body: the request has begun (onRequest ran) and waits for the rest.
  socket.write(
    `POST /v1/people HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ADMIN_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body.slice(0, 5)}`,
  );
  await quiet(400);
  t.equal(runs.count, 0, 'a request still being received holds the collection off');
  socket.write(body.slice(5));
  t.match(await answer, /^HTTP\/1\.1 201/, 'the request is answered');
  await quiet(300);
  t.equal(runs.count, 1, 'collected once it is done and the server is quiet');
});

t.test('a spell that did not grow the heap enough causes none', async (t) => {
  const { ctx, runs } = await appCounting(t, 40, 1024 * 1024 * 1024);
  for (let i = 0; i < 5; i++) await ctx.req('GET', '/v1/people');
  await quiet(300);
  t.equal(runs.count, 0);
});

t.test('IDLE_GC_MS=0 turns it off', async (t) => {
  const { ctx, runs } = await appCounting(t, 0, 0);
  for (let i = 0; i < 5; i++) await ctx.req('GET', '/v1/people');
  await quiet(300);
  t.equal(runs.count, 0);
});
