import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req } = ctx;

const post = (key: string, body: unknown, as: 'write' | 'admin' = 'write') =>
  req('POST', '/v1/people', { as, body, headers: { 'idempotency-key': key } });

t.test('a replay answers the first response and stores nothing new', async (t) => {
  const first = await post('k-1', { name: 'Lloyd Austin' });
  t.equal(first.statusCode, 201);
  const again = await post('k-1', { name: 'Lloyd Austin' });
  t.equal(again.statusCode, 201);
  t.same(again.json(), first.json());
  t.equal(again.headers.location, first.headers.location);
  t.equal(again.headers.etag, first.headers.etag);
  t.equal(again.headers['idempotent-replayed'], 'true');
  const list = (await req('GET', '/v1/people?q=Lloyd%20Austin')).json().data;
  t.equal(list.length, 1, 'exactly one row');
});

t.test('same key with another body is 422; other callers are independent', async (t) => {
  await post('k-2', { name: 'Joe Biden' });
  const other = await post('k-2', { name: 'Someone Else' });
  t.equal(other.statusCode, 422);
  t.equal(other.json().errors[0].path, 'headers.idempotency-key');
  const otherCaller = await post('k-2', { name: 'Joe Biden' }, 'admin');
  t.equal(otherCaller.statusCode, 201);
  t.not(otherCaller.json().id, (await post('k-2', { name: 'Joe Biden' })).json().id);
});

t.test('concurrent duplicates: one 201, the rest 409 or replays, one row', async (t) => {
  const results = await Promise.all(
    Array.from({ length: 5 }, () => post('k-3', { name: 'Anthony Blinken' })),
  );
  const codes = results.map((r) => r.statusCode);
  t.ok(
    codes.every((c) => c === 201 || c === 409),
    codes.join(','),
  );
  t.ok(codes.includes(201));
  const ids = new Set(results.filter((r) => r.statusCode === 201).map((r) => r.json().id));
  t.equal(ids.size, 1, 'every 201 names the same person');
  t.equal((await req('GET', '/v1/people?q=Anthony%20Blinken')).json().data.length, 1);
});

t.test('a failed write frees the key for a retry', async (t) => {
  const bad = await post('k-4', { name: 'X', slug: 'lloyd-austin' });
  t.equal(bad.statusCode, 409);
  const retry = await post('k-4', { name: 'X', slug: 'x-person' });
  t.equal(retry.statusCode, 201);
});

t.test('malformed keys are 400', async (t) => {
  const res = await post('bad key with spaces', { name: 'Y' });
  t.equal(res.statusCode, 400);
  t.equal(res.json().errors[0].path, 'headers.idempotency-key');
});

t.test('a replayed article create answers the slug the statement chose, suffix and all', async (t) => {
  const body = { language: 'nl', headline: 'Brug bij Zwolle dicht', body: [] };
  const taken = await req('POST', '/v1/articles', { as: 'write', body });
  t.equal(taken.json().slug, 'brug-bij-zwolle-dicht');
  const headers = { 'idempotency-key': 'k-article' };
  const first = await req('POST', '/v1/articles', { as: 'write', body, headers });
  t.equal(first.statusCode, 201, first.body);
  t.equal(first.json().slug, 'brug-bij-zwolle-dicht-2');
  const again = await req('POST', '/v1/articles', { as: 'write', body, headers });
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.same(again.json(), first.json(), 'the stored answer carries the chosen slug');
  t.equal(again.headers.location, first.headers.location);
});

/**
 * Every POST that writes completes its key's record in the write's own statement, so a replay
 * answers the first response and writes nothing. Without that, a second create would make a
 * second row, and a second publish or withdrawal would be a 409.
 */
t.test('every writing POST replays: places, quotes, articles, publish, withdraw', async (t) => {
  const person = (
    await req('POST', '/v1/people', { as: 'write', body: { name: 'Herhaalde Spreker' } })
  ).json();
  const article = (
    await req('POST', '/v1/articles', { as: 'write', body: { language: 'nl', headline: 'Herhaald bericht' } })
  ).json();
  const cases: [string, string, unknown][] = [
    ['place', '/v1/places', { name: 'Herhaalstad', kind: 'city' }],
    ['quote', '/v1/quotes', { text: 'Nog eens.', language: 'nl', personId: person.id }],
    ['article', '/v1/articles', { language: 'nl', headline: 'Een tweede herhaald bericht' }],
    ['publish', `/v1/articles/${article.id}/publish`, {}],
    ['withdraw', `/v1/articles/${article.id}/withdraw`, undefined],
  ];
  for (const [name, url, body] of cases) {
    const send = () =>
      req('POST', url, {
        as: 'write',
        headers: { 'idempotency-key': `replay-${name}` },
        ...(body ? { body } : {}),
      });
    const first = await send();
    t.ok(first.statusCode === 200 || first.statusCode === 201, `${name}: ${first.statusCode}`);
    const again = await send();
    t.equal(again.statusCode, first.statusCode, `${name}: the same status`);
    t.equal(again.headers['idempotent-replayed'], 'true', `${name}: a replay`);
    t.same(again.json(), first.json(), `${name}: the first response`);
    t.equal(again.headers.etag, first.headers.etag, `${name}: the same version`);
  }
});
