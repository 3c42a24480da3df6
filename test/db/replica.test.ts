import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { type Database, openReplica } from '../../src/db/client.js';
import { buildTestApp, type TestContext } from '../helpers/app.js';
import { freshDatabase } from '../helpers/database.js';
import { readSide } from '../helpers/replica.js';

/**
 * DATABASE_READ_URL: which reads go to the replica, read-your-writes while the replica is held
 * back, and a replica outage. With KOPIJ_TEST_REPLICA_URL (CI: `.ci/replica.sh`) the read side
 * is a real streaming replica whose replay the test pauses; otherwise a stand-in that lags the
 * same way (see test/helpers/replica.ts).
 */
type Where = 'primary' | 'replica';
const log: { q: string; on: Where }[] = [];
const onQuery = (q: string, on: Where) => {
  log.push({ q, on });
};
const primary = await freshDatabase({ onQuery });
const side = await readSide(primary, onQuery);
// Teardowns run last-registered first: this one after the apps have closed.
t.teardown(async () => {
  await side.close();
  await primary.close();
});
// The routing itself, without the response cache: anonymous single reads the cache keeps are
// read from the primary (test/http/response-cache.test.ts).
const ctx = await buildTestApp(
  t,
  { RESPONSE_CACHE_SIZE: '0' },
  { database: { ...primary, read: side.read } },
);
const { req } = ctx;

async function publishedArticle(headline: string, personIds: string[] = [], placeIds: string[] = []) {
  const created = await req('POST', '/v1/articles', {
    as: 'write',
    body: {
      language: 'nl',
      headline,
      body: [{ type: 'paragraph', text: 'Tekst.' }],
      tags: [],
      personIds,
      placeIds,
    },
  });
  if (created.statusCode !== 201) throw new Error(created.body);
  const published = await req('POST', `/v1/articles/${created.json().id}/publish`, { as: 'write' });
  if (published.statusCode !== 200) throw new Error(published.body);
  return published.json() as { id: string; version: number; headline: string };
}

/** Where the statements of one request ran. */
async function served(
  method: 'GET' | 'HEAD' | 'POST',
  url: string,
  as?: keyof TestContext['keys'],
  body?: unknown,
) {
  log.length = 0;
  const res = await req(method, url, { ...(as ? { as } : {}), ...(body ? { body } : {}) });
  return { res, statements: [...log] };
}

t.test('the public and partners read from the replica; editors and writes use the primary', async (t) => {
  const person = (await req('POST', '/v1/people', { as: 'write', body: { name: 'Kaja Kallas' } })).json();
  const place = (
    await req('POST', '/v1/places', { as: 'write', body: { name: 'Tallinn', kind: 'city' } })
  ).json();
  const article = await publishedArticle('Kallas in Tallinn', [person.id], [place.id]);
  const quote = (
    await req('POST', '/v1/quotes', {
      as: 'write',
      body: { text: 'Wij blijven steunen.', language: 'nl', personId: person.id, articleId: article.id },
    })
  ).json();
  await side.sync();

  const reads = [
    `/v1/articles/${article.id}`,
    `/v1/articles/${article.id}?include=people,places,quotes`,
    '/v1/articles?limit=5',
    `/v1/articles/${article.id}/ninjs`,
    `/v1/articles/${article.id}/jsonld`,
    `/v1/articles/${article.id}/quotes`,
    '/v1/people',
    `/v1/people/${person.id}`,
    `/v1/people/${person.id}/articles`,
    `/v1/people/${person.id}/quotes`,
    '/v1/places',
    `/v1/places/${place.id}`,
    `/v1/places/${place.id}/articles`,
    '/v1/quotes',
    `/v1/quotes/${quote.id}`,
    '/v1/changes',
    '/v1/feeds/articles.atom',
    '/v1/feeds/articles.json',
  ];
  for (const url of reads) {
    const { res, statements } = await served('GET', url);
    t.equal(res.statusCode, 200, url);
    t.ok(statements.length > 0, `${url} queried`);
    t.same(new Set(statements.map((s) => s.on)), new Set(['replica']), `anonymous ${url}: replica only`);
  }
  const head = await served('HEAD', `/v1/articles/${article.id}`);
  t.equal(head.res.statusCode, 200);
  t.same(new Set(head.statements.map((s) => s.on)), new Set(['replica']), 'HEAD too');

  for (const as of ['read', 'embargo'] as const) {
    const { res, statements } = await served('GET', `/v1/articles/${article.id}`, as);
    t.equal(res.statusCode, 200);
    const keyLookups = statements.filter((s) => s.q.includes('"api_keys"'));
    t.ok(
      keyLookups.length > 0 && keyLookups.every((s) => s.on === 'primary'),
      `${as}: key looked up on the primary`,
    );
    const reads = statements.filter((s) => s.q.includes('"articles"'));
    t.ok(reads.length > 0 && reads.every((s) => s.on === 'replica'), `${as}: the article from the replica`);
  }
  for (const as of ['preview', 'write', 'admin'] as const) {
    for (const url of [`/v1/articles/${article.id}`, '/v1/articles', '/v1/changes']) {
      const { res, statements } = await served('GET', url, as);
      t.equal(res.statusCode, 200);
      t.ok(
        statements.every((s) => s.on === 'primary'),
        `${as} ${url}: primary only`,
      );
    }
  }
  const write = await served('POST', '/v1/people', 'write', { name: 'Alar Karis' });
  t.equal(write.res.statusCode, 201);
  t.ok(
    write.statements.every((s) => s.on === 'primary'),
    'a write: primary only',
  );
  const history = await served('GET', `/v1/articles/${article.id}/revisions`, 'preview');
  t.equal(history.res.statusCode, 200, history.res.body);
  t.ok(
    history.statements.some((s) => s.q.includes('"revisions"')) &&
      history.statements.every((s) => s.on === 'primary'),
    'revisions: primary (a version just written must be found)',
  );

  // Both drivers answer with `rows`.
  const recovery = (await side.read.execute(sql`select pg_is_in_recovery() as standby`)) as unknown as {
    rows: { standby: boolean }[];
  };
  t.equal(recovery.rows[0]!.standby, side.kind === 'streaming replica', `the read side is a ${side.kind}`);
});

t.test('read-your-writes and no older versions while the replica is held back', async (t) => {
  const article = await publishedArticle('Eerste kop');
  const anonymousChanges = async () =>
    ((await req('GET', '/v1/changes?types=article')).json().data as { seq: number }[]).map((c) => c.seq);
  // Caught up first: read from a lagging replica, the log could still grow before the hold.
  await side.sync();
  const changesBefore = await anonymousChanges();
  await side.hold();
  t.teardown(() => side.release());

  const patched = await req('PATCH', `/v1/articles/${article.id}`, {
    as: 'write',
    headers: { 'if-match': `"${article.version}"`, 'content-type': 'application/merge-patch+json' },
    body: { headline: 'Tweede kop' },
  });
  t.equal(patched.statusCode, 200, patched.body);
  const v = patched.json().version;
  t.equal(patched.headers.etag, `"${v}"`);

  const anonymous = await req('GET', `/v1/articles/${article.id}`);
  t.equal(
    anonymous.json().headline,
    'Eerste kop',
    'the public may get the version before: it came from the replica',
  );
  t.equal(anonymous.headers.etag, `"${article.version}"`);
  t.equal((await req('GET', `/v1/articles/${article.id}`, { as: 'read' })).json().headline, 'Eerste kop');

  const writer = await req('GET', `/v1/articles/${article.id}`, { as: 'write' });
  t.equal(writer.json().headline, 'Tweede kop', 'the writer reads its own write back');
  t.equal(writer.headers.etag, `"${v}"`);

  const revalidated = await req('GET', `/v1/articles/${article.id}`, {
    headers: { 'if-none-match': `"${v}"` },
  });
  t.equal(revalidated.statusCode, 304, 'a caller who names the new version is not handed the old one');
  t.equal(revalidated.headers.etag, `"${v}"`);
  const newer = await req('GET', `/v1/articles/${article.id}`, {
    headers: { 'if-none-match': `"${v + 5}"` },
  });
  t.equal(newer.statusCode, 200);
  t.equal(newer.json().headline, 'Tweede kop', 'no version older than the one named: from the primary');

  const fresh = await publishedArticle('Net gepubliceerd');
  t.equal(
    (await req('GET', `/v1/articles/${fresh.id}`)).statusCode,
    200,
    'not on the replica yet: found on the primary',
  );
  t.equal((await req('GET', `/v1/articles/${fresh.id}/ninjs`)).statusCode, 200);
  const list = (await req('GET', '/v1/articles?limit=100')).json().data as { id: string }[];
  t.notOk(
    list.some((a) => a.id === fresh.id),
    'a list may lag: it came from the replica',
  );
  const heldChanges = await anonymousChanges();
  t.same(heldChanges, changesBefore, 'the change log stops where the replica stopped');

  await side.release();
  t.equal((await req('GET', `/v1/articles/${article.id}`)).json().headline, 'Tweede kop', 'caught up');
  const list2 = (await req('GET', '/v1/articles?limit=100')).json().data as { id: string }[];
  t.ok(list2.some((a) => a.id === fresh.id));
  const changesAfter = await anonymousChanges();
  t.same(
    changesAfter.slice(0, heldChanges.length),
    heldChanges,
    'the held log was a prefix: nothing skipped',
  );
  t.ok(changesAfter.length > heldChanges.length);
});

t.test('with the response cache: a page asked once comes from the replica and is never kept', async (t) => {
  // The routing with the cache on: a list page is kept only when asked again, so the first ask
  // may read the replica; the second reads the primary and is kept.
  const cached = await buildTestApp(t, {}, { database: { ...primary, read: side.read } });
  await side.sync();
  await side.hold();
  t.teardown(() => side.release());
  const fresh = await publishedArticle('Na de pauze');
  // The requests' own statements: not the app's timers (marked as background).
  const requestStatements = () => log.filter((s) => !s.q.includes('/* kopij: background */'));
  const ask = async (url: string) => {
    log.length = 0;
    const res = await cached.req('GET', url);
    t.equal(res.statusCode, 200, url);
    const statements = requestStatements();
    return { body: res.json(), on: new Set(statements.map((s) => s.on)), statements: statements.length };
  };
  const url = '/v1/articles?limit=100';
  const has = (body: { data: { id: string }[] }) => body.data.some((a) => a.id === fresh.id);

  const first = await ask(url);
  t.same(first.on, new Set(['replica']), 'asked once: from the replica');
  t.notOk(has(first.body), 'as the held replica has it');
  const second = await ask(url);
  t.same(second.on, new Set(['primary']), 'asked again: from the primary, to be kept');
  t.ok(has(second.body));
  const third = await ask(url);
  t.equal(third.statements, 0, 'kept: answered from the cache');
  t.ok(has(third.body), 'what was kept came from the primary');

  const item = await ask(`/v1/articles/${fresh.id}`);
  t.same(item.on, new Set(['primary']), 'an article is kept when first asked: from the primary');

  // Asked three times at once for the first time: the first reads the replica while the others
  // wait for its answer, repeats that would have it kept. A replica's answer is never kept; one
  // of the waiters then reads the primary for the rest (not each of them).
  const together = '/v1/articles?limit=99';
  log.length = 0;
  const all = await Promise.all([1, 2, 3].map(() => cached.req('GET', together)));
  t.same(
    all.map((r) => r.statusCode),
    [200, 200, 200],
  );
  t.same(
    requestStatements().map((s) => s.on),
    ['replica', 'primary'],
    'one answer from the replica, then one from the primary for the waiters',
  );
  const after = await ask(together);
  t.ok(has(after.body), 'what is kept after them came from the primary');
});

t.test('a replica that is down: reads answer from the primary, never 5xx', async (t) => {
  const closed = net.createServer().listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const config = loadConfig({ DATABASE_URL: 'postgres://kopij:kopij@127.0.0.1/x', LOG_LEVEL: 'silent' });
  const attempts: string[] = [];
  const dead = openReplica(config, `postgres://kopij:kopij@127.0.0.1:${port}/kopij`, {
    onQuery: (q) => attempts.push(q),
  });
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const down: Database = { ...primary, read: dead.read };
  const other = await buildTestApp(t, {}, { database: down, keys: false, logger: { level: 'warn', stream } });
  t.teardown(() => dead.readPool.end());
  const article = await publishedArticle('Tijdens de storing');

  const urls = [`/v1/articles/${article.id}`, '/v1/articles', '/v1/changes', '/v1/feeds/articles.atom'];
  let requests = 0;
  for (let round = 0; round < 3; round++) {
    for (const url of urls) {
      requests++;
      const res = await other.req('GET', url);
      t.equal(res.statusCode, 200, `${url} while the replica is down`);
    }
  }
  t.equal((await other.req('GET', `/v1/articles/${article.id}`)).json().headline, 'Tijdens de storing');
  t.equal((await other.req('GET', '/readyz')).statusCode, 200, 'ready: the primary answers');
  t.ok(attempts.length > 0, 'the replica was tried');
  t.ok(attempts.length < requests, 'and then left alone for a while, not tried on every request');
  t.ok(
    lines.some((l) => l.includes('replica unavailable; reading from the primary')),
    'the outage is logged',
  );
});
