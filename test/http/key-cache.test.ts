import { sql } from 'drizzle-orm';
import t from 'tap';
import { type ActiveKey, KeyCache, type KeyNotifications } from '../../src/resources/keys/cache.js';
import { buildTestApp, dropListener, type TestContext } from '../helpers/app.js';
import { serverUrl } from '../helpers/database.js';

// Two API instances on one database: a key revoked through one must stop working on the
// other at the very next request (SECURITY-CASES 15), though both keep keys in memory.
const a = await buildTestApp(t);
const b = await buildTestApp(t, {}, { database: a.database, keys: false });
// b shares a's database, so a's list records the statements of both.
const keyLookups = () => a.queries.filter((q) => q.includes('"api_keys"')).length;

async function newKey(scopes: string[]): Promise<{ id: string; secret: string }> {
  const res = await a.req('POST', '/v1/keys', { as: 'admin', body: { name: 'cached', scopes } });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json();
}

const get = (ctx: TestContext, secret: string, url = '/v1/people') =>
  ctx.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${secret}` } });

t.test('a key is looked up on its first request only', async (t) => {
  const k = await newKey(['read']);
  a.resetQueries();
  t.equal((await get(b, k.secret)).statusCode, 200);
  t.equal(keyLookups(), 1, 'looked up');
  a.resetQueries();
  t.equal((await get(b, k.secret)).statusCode, 200);
  t.equal((await get(b, k.secret)).statusCode, 200);
  t.equal(keyLookups(), 0, 'then kept');
});

t.test('revoked on one instance: refused on the other at the very next request', async (t) => {
  const k = await newKey(['write']);
  t.equal((await get(b, k.secret)).statusCode, 200, 'kept on B');
  t.equal((await get(a, k.secret)).statusCode, 200, 'and on A');
  t.equal((await a.req('DELETE', `/v1/keys/${k.id}`, { as: 'admin' })).statusCode, 204);
  const onB = await b.app.inject({
    method: 'POST',
    url: '/v1/people',
    headers: { authorization: `Bearer ${k.secret}` },
    payload: { name: 'Na de intrekking' },
  });
  t.equal(onB.statusCode, 401, 'B refuses it');
  t.equal((await get(a, k.secret)).statusCode, 401, 'A refuses it');
  a.resetQueries();
  t.equal((await get(b, k.secret)).statusCode, 401);
  t.equal(keyLookups(), 1, 'a refused key is never kept');
});

t.test('a key revoked in the database directly is refused too', async (t) => {
  const k = await newKey(['read']);
  t.equal((await get(b, k.secret)).statusCode, 200);
  await a.database.db.execute(sql`update api_keys set revoked_at = now() where id = ${k.id}`);
  t.equal((await get(b, k.secret)).statusCode, 401);
  const other = await newKey(['read']);
  t.equal((await get(b, other.secret)).statusCode, 200);
  await a.database.db.execute(sql`delete from api_keys where id = ${other.id}`);
  t.equal((await get(b, other.secret)).statusCode, 401, 'a deleted key as well');
});

if (serverUrl) {
  t.test('a key kept before the listener was lost is looked up again after', async (t) => {
    const k = await newKey(['read']);
    t.equal((await get(b, k.secret)).statusCode, 200);
    t.equal((await get(b, k.secret)).statusCode, 200, 'kept');
    // Whether B is still reconnecting (every key looked up) or back already (emptied then).
    const up = await dropListener(b);
    a.resetQueries();
    t.equal((await get(b, k.secret)).statusCode, 200);
    t.equal(keyLookups(), 1, 'looked up again');
    await up;
    await get(b, k.secret);
    a.resetQueries();
    t.equal((await get(b, k.secret)).statusCode, 200);
    t.equal(keyLookups(), 0, 'kept again once listening');
  });
}

/** Notifications driven by the test: listening, and a sync answered by `synced` (at once by default). */
function notifications(synced: () => Promise<void> = async () => undefined) {
  const handlers: Record<string, ((payload?: string) => void)[]> = {};
  const live: KeyNotifications & { emit(event: string, payload?: string): void; listening: boolean } = {
    listening: true,
    sync: () => synced(),
    on: (event, listener) => {
      handlers[event] = [...(handlers[event] ?? []), listener];
    },
    emit: (event, payload) => {
      for (const h of handlers[event] ?? []) h(payload);
    },
  };
  return live;
}

t.test('a lookup answered after a key notification is not kept', async (t) => {
  const key: ActiveKey = { id: 'k1', name: 'k', scopes: ['read'] };
  let answer: (k: ActiveKey | undefined) => void = () => {};
  let lookups = 0;
  const cache = new KeyCache(() => {
    lookups++;
    return new Promise((resolve) => {
      answer = resolve;
    });
  });
  const live = notifications();
  cache.attach(live);
  const first = cache.find('h');
  await new Promise((r) => setImmediate(r));
  live.emit('change', 'key:k2');
  answer(key);
  t.same(await first, key, 'the request itself is answered');
  t.equal(cache.size, 0, 'but its answer may predate the revocation: not kept');
  const second = cache.find('h');
  await new Promise((r) => setImmediate(r));
  answer(key);
  await second;
  t.equal(cache.size, 1, 'kept when nothing was heard meanwhile');
  live.emit('change', 'article:x');
  t.equal(cache.size, 1, 'other changes leave keys alone');
  live.emit('disconnected');
  t.equal(cache.size, 0, 'emptied when the listener is lost');
  live.listening = false;
  await Promise.all([cache.find('h'), new Promise((r) => setImmediate(r)).then(() => answer(key))]);
  t.equal(cache.size, 0, 'nothing kept while not listening');
  t.equal(lookups, 3);
});

t.test('bounded: past its size it starts again from empty', async (t) => {
  const cache = new KeyCache(async (hash) => ({ id: hash, name: hash, scopes: [] }), 2);
  cache.attach(notifications());
  await cache.find('a');
  await cache.find('b');
  t.equal(cache.size, 2);
  await cache.find('c');
  t.equal(cache.size, 1);
});

t.test('a key is served from memory only after the sync: what it brings in comes first', async (t) => {
  const key: ActiveKey = { id: 'k1', name: 'k', scopes: ['read'] };
  let lookups = 0;
  let during: () => void = () => {};
  const live = notifications(async () => during());
  const cache = new KeyCache(async () => {
    lookups++;
    return key;
  });
  cache.attach(live);
  await cache.find('h');
  await cache.find('h');
  t.equal(lookups, 1, 'kept');
  // The revocation's notification arrives with the sync's answer.
  during = () => live.emit('change', 'key:k1');
  await cache.find('h');
  t.equal(lookups, 2, 'looked up again');
  // The listener is lost while the sync is on the wire.
  during = () => {
    live.emit('disconnected');
    live.listening = false;
  };
  await cache.find('h');
  t.equal(lookups, 3, 'looked up again');
  t.equal(cache.size, 0, 'and not kept');
});

t.test('emptying the table refuses every key at once', async (t) => {
  const k = await newKey(['read']);
  t.equal((await get(b, k.secret)).statusCode, 200);
  await a.database.db.execute(sql`truncate api_keys cascade`);
  t.equal((await get(b, k.secret)).statusCode, 401);
});
