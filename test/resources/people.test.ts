import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req } = ctx;

const zelensky = {
  name: 'Volodymyr Zelensky',
  aliases: ['Zelenskyy', 'Zelenski', 'Зеленський'],
  description: 'President of Ukraine',
  wikidataId: 'Q3874799',
};

t.test('create, read by id and slug, round-trip aliases byte for byte', async (t) => {
  const res = await req('POST', '/v1/people', { as: 'write', body: zelensky });
  t.equal(res.statusCode, 201);
  const p = res.json();
  t.match(p.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  t.equal(p.slug, 'volodymyr-zelensky');
  t.equal(p.version, 1);
  t.same(p.aliases, zelensky.aliases);
  t.equal(res.headers.location, `/v1/people/${p.id}`);
  t.equal(res.headers.etag, '"1"');

  const byId = await req('GET', `/v1/people/${p.id}`);
  t.equal(byId.statusCode, 200);
  t.same(byId.json(), p);
  t.equal(byId.headers['cache-control'], 'public, max-age=60');
  const bySlug = await req('GET', '/v1/people/volodymyr-zelensky');
  t.same(bySlug.json(), p);
  const notModified = await req('GET', `/v1/people/${p.id}`, { headers: { 'if-none-match': '"1"' } });
  t.equal(notModified.statusCode, 304);
});

t.test('slugs are transliterated and suffixed on collision', async (t) => {
  const a = (await req('POST', '/v1/people', { as: 'write', body: { name: 'António Guterres' } })).json();
  t.equal(a.slug, 'antonio-guterres');
  const b = (await req('POST', '/v1/people', { as: 'write', body: { name: 'Antonio Guterres' } })).json();
  t.equal(b.slug, 'antonio-guterres-2');
  const c = (await req('POST', '/v1/people', { as: 'write', body: { name: 'Антоніу Гутерреш' } })).json();
  t.match(c.slug, /^[a-z0-9-]+$/);
  const taken = await req('POST', '/v1/people', {
    as: 'write',
    body: { name: 'X', slug: 'antonio-guterres' },
  });
  t.equal(taken.statusCode, 409);
  t.equal(taken.headers['content-type'], 'application/problem+json; charset=utf-8');
});

t.test('typo-tolerant q over name and aliases', async (t) => {
  for (const q of ['Zelenski', 'Zelenskyy', 'Zelensky', 'zelenskij', 'Зеленський']) {
    const res = await req('GET', `/v1/people?q=${encodeURIComponent(q)}`);
    t.equal(res.statusCode, 200, q);
    t.equal(res.json().data[0]?.slug, 'volodymyr-zelensky', `q=${q} finds Zelensky first`);
  }
  const literal = await req('GET', `/v1/people?q=${encodeURIComponent('%_%_%')}`);
  t.equal(literal.statusCode, 200);
  t.same(literal.json().data, [], 'LIKE metacharacters match literally');
  const long = await req('GET', `/v1/people?q=${'a'.repeat(10_000)}`);
  t.equal(long.statusCode, 400);
});

t.test('merge patch with If-Match', async (t) => {
  const p = (
    await req('POST', '/v1/people', { as: 'write', body: { name: 'Lloyd Austin', description: 'x' } })
  ).json();
  const url = `/v1/people/${p.id}`;
  const noMatch = await req('PATCH', url, { as: 'write', body: { description: 'US secretary of defense' } });
  t.equal(noMatch.statusCode, 428);
  const weak = await req('PATCH', url, {
    as: 'write',
    body: { name: 'Y' },
    headers: { 'if-match': 'W/"1"' },
  });
  t.equal(weak.statusCode, 412);
  const ok = await req('PATCH', url, {
    as: 'write',
    body: { description: null, aliases: ['Lloyd J. Austin III'] },
    headers: { 'if-match': '"1"', 'content-type': 'application/merge-patch+json' },
  });
  t.equal(ok.statusCode, 200, ok.body);
  t.equal(ok.json().version, 2);
  t.equal(ok.json().description, null, 'null removes');
  t.equal(ok.json().name, 'Lloyd Austin', 'absent keeps');
  t.equal(ok.headers.etag, '"2"');
  const stale = await req('PATCH', url, { as: 'write', body: { name: 'Z' }, headers: { 'if-match': '"1"' } });
  t.equal(stale.statusCode, 412);
  t.equal((await req('GET', url)).json().name, 'Lloyd Austin', 'stale write stored nothing');
  const nullName = await req('PATCH', url, {
    as: 'write',
    body: { name: null },
    headers: { 'if-match': '"2"' },
  });
  t.equal(nullName.statusCode, 400);
  t.equal(nullName.json().errors[0].path, 'body.name');
  const readOnly = await req('PATCH', url, {
    as: 'write',
    body: { version: 9 },
    headers: { 'if-match': '"2"' },
  });
  t.equal(readOnly.statusCode, 400);
});

t.test('two concurrent writers with the same If-Match: exactly one wins', async (t) => {
  const p = (await req('POST', '/v1/people', { as: 'write', body: { name: 'Anthony Blinken' } })).json();
  const results = await Promise.all(
    ['A', 'B', 'C', 'D'].map((d) =>
      req('PATCH', `/v1/people/${p.id}`, {
        as: 'write',
        body: { description: d },
        headers: { 'if-match': '"1"' },
      }),
    ),
  );
  const codes = results.map((r) => r.statusCode).sort();
  t.same(codes, [200, 412, 412, 412]);
  const revs = await req('GET', `/v1/people/${p.id}/revisions`, { as: 'preview' });
  t.equal(revs.json().data.length, 2, 'one revision per version');
});

t.test('delete needs If-Match and then 404s', async (t) => {
  const p = (await req('POST', '/v1/people', { as: 'write', body: { name: 'Joe Biden' } })).json();
  t.equal((await req('DELETE', `/v1/people/${p.id}`, { as: 'write' })).statusCode, 428);
  t.equal(
    (await req('DELETE', `/v1/people/${p.id}`, { as: 'write', headers: { 'if-match': '"7"' } })).statusCode,
    412,
  );
  t.equal(
    (await req('DELETE', `/v1/people/${p.id}`, { as: 'write', headers: { 'if-match': '"1"' } })).statusCode,
    204,
  );
  t.equal((await req('GET', `/v1/people/${p.id}`)).statusCode, 404);
  const revs = await req('GET', `/v1/people/${p.id}/revisions`, { as: 'preview' });
  t.equal(revs.statusCode, 404);
});

t.test('pagination: keyset cursors, Link header, tampering and bad limits', async (t) => {
  for (let i = 0; i < 5; i++)
    await req('POST', '/v1/people', { as: 'write', body: { name: `Page Person ${i}` } });
  const seen: string[] = [];
  let url = '/v1/people?limit=2';
  for (let i = 0; i < 20 && url; i++) {
    const res = await req('GET', url);
    t.equal(res.statusCode, 200);
    const body = res.json();
    seen.push(...body.data.map((p: { id: string }) => p.id));
    if (body.page.next) {
      t.match(res.headers.link, /rel="next"/);
      url = `/v1/people?limit=2&cursor=${encodeURIComponent(body.page.next)}`;
    } else url = '';
  }
  const all = (await req('GET', '/v1/people?limit=100')).json().data.map((p: { id: string }) => p.id);
  t.same(seen, all, 'pages add up to the whole list, in order, without repeats');
  const first = (await req('GET', '/v1/people?limit=2')).json();
  // The signature's first character changed: it carries six bits of the MAC, unlike the last,
  // which carries two (replacing the last three with "AAA" changed nothing one time in 16,384).
  const [data, mac] = (first.page.next as string).split('.') as [string, string];
  const tampered = `${data}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
  t.equal((await req('GET', `/v1/people?cursor=${tampered}`)).statusCode, 400);
  const otherSort = await req('GET', `/v1/people?sort=-updatedAt&cursor=${first.page.next}`);
  t.equal(otherSort.statusCode, 400, 'a cursor belongs to its sort');
  for (const bad of ['0', '101', '-1', '1e3', 'abc', '1000000']) {
    const res = await req('GET', `/v1/people?limit=${bad}`);
    t.equal(res.statusCode, 400, `limit=${bad}`);
    t.equal(res.json().errors[0].path, 'query.limit');
  }
  t.equal((await req('GET', '/v1/people?offset=1e12')).statusCode, 400, 'unknown parameter');
  t.equal((await req('GET', '/v1/people?sort=passwordHash')).statusCode, 400);
});

t.test('access: anonymous, read and revoked keys cannot write', async (t) => {
  t.equal((await req('POST', '/v1/people', { body: { name: 'A' } })).statusCode, 401);
  t.equal((await req('POST', '/v1/people', { as: 'read', body: { name: 'A' } })).statusCode, 403);
  t.equal((await req('POST', '/v1/people', { as: 'embargo', body: { name: 'A' } })).statusCode, 403);
  const k = (
    await req('POST', '/v1/keys', { as: 'admin', body: { name: 'temp', scopes: ['write'] } })
  ).json();
  const list = await req('GET', '/v1/keys', { as: 'admin' });
  t.notMatch(list.body, k.secret, 'secrets are never listed');
  t.equal((await req('DELETE', `/v1/keys/${k.id}`, { as: 'admin' })).statusCode, 204);
  const revoked = await ctx.app.inject({
    method: 'POST',
    url: '/v1/people',
    headers: { authorization: `Bearer ${k.secret}` },
    payload: { name: 'After revoke' },
  });
  t.equal(revoked.statusCode, 401, 'revoked key stops working at once');
  t.equal((await req('GET', '/v1/keys', { as: 'write' })).statusCode, 403);
  t.equal((await req('GET', '/v1/keys')).statusCode, 401);
});
