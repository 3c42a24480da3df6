import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { send } from '../../src/syndication/deliver.js';
import { systemResolver } from '../../src/syndication/ssrf.js';
import { buildTestApp } from '../helpers/app.js';

// A loopback listener that must never see a connection.
let connections = 0;
const trap = http.createServer((_req, res) => res.end());
trap.on('connection', () => {
  connections++;
});
trap.listen(0, '127.0.0.1');
await once(trap, 'listening');
const port = (trap.address() as AddressInfo).port;
t.teardown(() => trap.close());

// partner.example resolves to a public address when registered, to loopback afterwards.
let rebound = false;
const ctx = await buildTestApp(
  t,
  {},
  {
    build: {
      resolve: async (host) => {
        if (host === 'partner.example')
          return [{ address: rebound ? '127.0.0.1' : '93.184.215.14', family: 4 }];
        if (host === 'internal.example') return [{ address: '10.1.2.3', family: 4 }];
        throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    },
  },
);
const { req } = ctx;

t.test('non-public webhook URLs are refused at registration (rows 31, 32)', async (t) => {
  const urls = [
    `http://127.0.0.1:${port}/`,
    `http://localhost:${port}/`,
    `http://localhost.:${port}/`,
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.1/',
    'http://192.168.1.1/',
    'http://172.16.0.1/',
    `http://[::1]:${port}/`,
    'file:///etc/passwd',
    'gopher://127.0.0.1:70/',
    `http://127.0.0.2:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://2130706433:${port}/`,
    `http://0x7f.1:${port}/`,
    `http://127.1:${port}/`,
    'http://0.0.0.0/',
    'http://224.0.0.1/',
    'http://internal.example/',
    'http://does-not-resolve.example/',
    'http://user:pw@partner.example/',
  ];
  for (const url of urls) {
    const res = await req('POST', '/v1/webhooks', { as: 'admin', body: { url, events: ['article.*'] } });
    t.equal(res.statusCode, 400, url);
    t.equal(res.json().errors?.[0]?.path, 'body.url');
  }
  t.equal(connections, 0, 'the loopback listener saw no connection');
});

t.test('DNS rebinding between registration and delivery is caught at connect time (row 33)', async (t) => {
  const hook = await req('POST', '/v1/webhooks', {
    as: 'admin',
    body: { url: `http://partner.example:${port}/hook`, events: ['person.created'] },
  });
  t.equal(hook.statusCode, 201);
  rebound = true;
  await req('POST', '/v1/people', { as: 'write', body: { name: 'Rebinding Test' } });
  await ctx.app.webhookWorker.runOnce();
  const d = (await req('GET', `/v1/webhooks/${hook.json().id}/deliveries`, { as: 'admin' })).json().data[0];
  t.equal(d.attempts.length, 1);
  t.equal(d.attempts[0].statusCode, null);
  t.match(d.attempts[0].error, /non-public/);
  t.equal(connections, 0, 'still no connection to loopback');
});

t.test('a target refused before any request settles as a failed attempt', async (t) => {
  const opts = { timeoutMs: 1000, allowPrivate: false, resolve: systemResolver };
  t.same(await send(`http://127.0.0.1:${port}/hook`, '{}', {}, opts), {
    statusCode: null,
    error: 'refused: non-public address',
  });
  t.same(await send('not a url', '{}', {}, opts), { statusCode: null, error: 'invalid URL' });
  t.equal(connections, 0, 'nothing connected');
});

t.test('a URL node cannot request is a failed attempt too', async (t) => {
  const opts = { timeoutMs: 1000, allowPrivate: true, resolve: systemResolver };
  const result = await send('ftp://partner.example/hook', '{}', {}, opts);
  t.equal(result.statusCode, null);
  t.match(result.error, /protocol/i);
});
