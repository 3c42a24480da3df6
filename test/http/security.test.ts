import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { buildTestApp } from '../helpers/app.js';

const logLines: string[] = [];
const logger = {
  level: 'info',
  stream: new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  }),
};
const ctx = await buildTestApp(t, {}, { logger });
const { req, app } = ctx;

function isProblem(t: Test, res: { headers: Record<string, unknown>; json: () => unknown }, status: number) {
  t.match(String(res.headers['content-type']), /^application\/problem\+json/, 'problem+json');
  const body = res.json() as Record<string, unknown>;
  t.equal(body.status, status);
  t.ok(body.requestId, 'names the request id');
  t.notMatch(JSON.stringify(body), /at \w+ \(|node_modules|select |insert |relation "/i, 'no stack or SQL');
}

t.test('malformed bodies: 400, 413, 415 problems, nothing stored', async (t) => {
  const post = (payload: string, type?: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/people',
      payload,
      headers: { authorization: `Bearer ${ctx.keys.write}`, ...(type ? { 'content-type': type } : {}) },
    });
  const cases: [string, string | undefined, number][] = [
    ['{"name": "x"', 'application/json', 400],
    ['{"name":"x"}', 'text/plain', 415],
    ['{"name":"x"}', undefined, 415],
    ['{"name":"x","__proto__":{"polluted":true}}', 'application/json', 400],
    ['{"name":"x","constructor":{"prototype":{"polluted":true}}}', 'application/json', 400],
    [`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'application/json', 400],
    [JSON.stringify({ name: 'x'.repeat(1024 * 1024) }), 'application/json', 413],
    [JSON.stringify({ name: 'x'.repeat(100_000) }), 'application/json', 400],
    [
      JSON.stringify({ name: 'x', aliases: Array.from({ length: 10_000 }, (_, i) => `a${i}`) }),
      'application/json',
      400,
    ],
  ];
  for (const [payload, type, status] of cases) {
    const res = await post(payload, type);
    t.equal(res.statusCode, status, `${payload.slice(0, 40)} as ${type}`);
    isProblem(t, res, status);
  }
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  t.same((await req('GET', '/v1/people')).json().data, [], 'nothing stored');
});

t.test('hostile refs and query values', async (t) => {
  for (const ref of ["1'%20OR%20'1'='1", 'a'.repeat(121), '%00', 'x%27%3B--']) {
    const res = await req('GET', `/v1/people/${ref}`);
    t.ok([400, 404].includes(res.statusCode), `${ref.slice(0, 20)}: ${res.statusCode}`);
    isProblem(t, res, res.statusCode);
  }
  for (const q of ["a','b", '\\', '$1', '--', '.*', "'; drop table people; --"]) {
    const res = await req('GET', `/v1/people?q=${encodeURIComponent(q)}`);
    t.equal(res.statusCode, 200, `q=${q} is literal`);
  }
  for (const qs of [
    'filter[passwordHash]=x',
    'alias[x]=passwordHash',
    'fields=*',
    't1.password=1',
    'preview=1',
  ]) {
    const res = await req('GET', `/v1/people?${qs}`);
    t.equal(res.statusCode, 400, qs);
    isProblem(t, res, 400);
  }
});

t.test('unknown routes are 404 problems', async (t) => {
  const res = await req('GET', '/v1/nothing');
  t.equal(res.statusCode, 404);
  isProblem(t, res, 404);
});

t.test('credentials: only a valid bearer key, never in the URL', async (t) => {
  const inUrl = await req('GET', `/v1/people?api_key=${ctx.keys.admin}`);
  t.equal(inUrl.statusCode, 401);
  isProblem(t, inUrl, 401);
  t.notOk(logLines.join('').includes(ctx.keys.admin), 'the key never reaches the log');
  for (const authorization of [
    'Bearer ',
    'Bearer',
    `Bearer ${'k'.repeat(10_000)}`,
    'Basic YWRtaW46YWRtaW4=',
    'Bearer kpj_ünïcødé-key-000000000',
  ]) {
    const res = await app.inject({ method: 'GET', url: '/v1/people', headers: { authorization } });
    t.equal(res.statusCode, 401, authorization.slice(0, 30));
    t.equal(res.headers['www-authenticate'], 'Bearer realm="kopij"');
  }
  const logged = await req('GET', '/v1/people', { as: 'write' });
  t.equal(logged.statusCode, 200);
  t.notOk(logLines.join('').includes(ctx.keys.write), 'authorization header is redacted');
});

t.test('admin routes decide the same way on every spelling of the path', async (t) => {
  t.equal((await req('GET', '/v1/keys', { as: 'read' })).statusCode, 403);
  t.equal((await req('HEAD', '/v1/keys', { as: 'read' })).statusCode, 403);
  t.equal((await req('GET', '/v1/%6Beys', { as: 'read' })).statusCode, 403);
  t.equal((await req('GET', '/v1/keys/', { as: 'read' })).statusCode, 403);
  t.equal((await req('GET', '/v1/KEYS', { as: 'read' })).statusCode, 404);
  t.equal((await req('GET', '//v1/keys', { as: 'read' })).statusCode, 404);
  const k = (
    await req('POST', '/v1/keys', { as: 'admin', body: { name: 'victim', scopes: ['read'] } })
  ).json();
  const override = await req('GET', `/v1/keys/${k.id}`, {
    as: 'read',
    headers: { 'x-http-method-override': 'DELETE' },
  });
  t.ok([403, 404].includes(override.statusCode), 'no method override');
  const listed = (await req('GET', '/v1/keys', { as: 'admin' })).json().data;
  t.equal(listed.find((x: { id: string }) => x.id === k.id).revokedAt, null, 'key not revoked');
});

t.test('deleted keys are never reused', async (t) => {
  const a = (await req('POST', '/v1/keys', { as: 'admin', body: { name: 'a', scopes: ['write'] } })).json();
  t.equal((await req('DELETE', `/v1/keys/${a.id}`, { as: 'admin' })).statusCode, 204);
  t.equal((await req('DELETE', `/v1/keys/${a.id}`, { as: 'admin' })).statusCode, 404);
  const b = (await req('POST', '/v1/keys', { as: 'admin', body: { name: 'a', scopes: ['write'] } })).json();
  t.not(b.id, a.id);
  t.not(b.secret, a.secret);
  const old = await app.inject({
    method: 'GET',
    url: '/v1/people',
    headers: { authorization: `Bearer ${a.secret}` },
  });
  t.equal(old.statusCode, 401);
});

t.test('request ids and health', async (t) => {
  const res = await app.inject({
    method: 'GET',
    url: '/v1/nothing',
    headers: { 'x-request-id': 'trace-123' },
  });
  t.equal(res.headers['x-request-id'], 'trace-123');
  t.equal(res.json().requestId, 'trace-123');
  t.equal((await req('GET', '/healthz')).statusCode, 200);
  t.equal((await req('GET', '/readyz')).statusCode, 200);
});

t.test('PUBLIC_READ=false closes anonymous reads; rate limits; CORS', async (t) => {
  const closed = await buildTestApp(t, { PUBLIC_READ: 'false' }, { database: ctx.database });
  t.equal((await closed.req('GET', '/v1/people')).statusCode, 401);
  t.equal((await closed.req('GET', '/v1/people', { as: 'read' })).statusCode, 200);

  const limited = await buildTestApp(t, { RATE_LIMIT_PER_MINUTE: '6' }, { database: ctx.database });
  const codes: number[] = [];
  let last: Awaited<ReturnType<typeof limited.req>> | undefined;
  for (let i = 0; i < 8; i++) {
    last = await limited.req('GET', '/v1/people', { headers: { 'content-type': 'application/json' } });
    codes.push(last.statusCode);
  }
  t.same(codes, [200, 200, 200, 200, 200, 200, 429, 429]);
  t.ok(last?.headers['retry-after'], 'Retry-After');
  isProblem(t, last!, 429);
  const otherKey = await limited.req('GET', '/v1/people', { as: 'read' });
  t.equal(otherKey.statusCode, 200, 'limits are per key or address, not shared');
  t.equal(otherKey.headers['ratelimit-limit'], '6', 'IETF draft RateLimit-* headers');
  t.ok(otherKey.headers['ratelimit-remaining'] !== undefined);

  const cors = await buildTestApp(t, { CORS_ORIGINS: 'https://desk.example' }, { database: ctx.database });
  const ok = await cors.app.inject({
    method: 'OPTIONS',
    url: '/v1/people',
    headers: { origin: 'https://desk.example', 'access-control-request-method': 'POST' },
  });
  t.equal(ok.headers['access-control-allow-origin'], 'https://desk.example');
  const other = await cors.app.inject({
    method: 'GET',
    url: '/v1/people',
    headers: { origin: 'https://evil.example' },
  });
  t.notOk(other.headers['access-control-allow-origin']);
  // A shared cache must keep answers apart by Origin (CORS) and by Authorization (ours).
  for (const res of [
    other,
    await cors.app.inject({ method: 'GET', url: '/v1/people', headers: { origin: 'https://desk.example' } }),
  ]) {
    const vary = String(res.headers.vary)
      .split(',')
      .map((f) => f.trim().toLowerCase());
    t.ok(vary.includes('origin') && vary.includes('authorization'), `Vary: ${res.headers.vary}`);
  }
});
