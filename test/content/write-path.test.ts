import fc from 'fast-check';
import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req } = ctx;

t.test('N concurrent writers with the same If-Match: exactly one wins, revisions = version', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 50 }),
      fc.integer({ min: 0, max: 3 }),
      async (writers, priorEdits) => {
        const created = (
          await req('POST', '/v1/people', { as: 'write', body: { name: 'Race Person' } })
        ).json();
        const url = `/v1/people/${created.id}`;
        let version = 1;
        for (let i = 0; i < priorEdits; i++) {
          const res = await req('PATCH', url, {
            as: 'write',
            body: { description: `edit ${i}` },
            headers: { 'if-match': `"${version}"` },
          });
          version = res.json().version;
        }
        const results = await Promise.all(
          Array.from({ length: writers }, (_, i) =>
            req('PATCH', url, {
              as: 'write',
              body: { description: `writer ${i}`, aliases: [`alias of writer ${i}`] },
              headers: { 'if-match': `"${version}"` },
            }),
          ),
        );
        const winners = results.filter((r) => r.statusCode === 200);
        const losers = results.filter((r) => r.statusCode === 412);
        if (winners.length !== 1 || losers.length !== writers - 1) return false;
        const stored = (await req('GET', url)).json();
        const winner = winners[0]!.json();
        if (stored.version !== version + 1 || stored.description !== winner.description) return false;
        // No field of a loser leaked into the stored version.
        if (stored.aliases[0] !== `alias of ${winner.description}`) return false;
        const revisions = (await req('GET', `${url}/revisions`, { as: 'preview' })).json().data;
        return revisions.length === stored.version && revisions[0].version === stored.version;
      },
    ),
    { numRuns: 8, seed: 42 },
  );
  t.pass('property held');
});

t.test('history: newest first, who changed it, and each version as it was', async (t) => {
  const p = (
    await req('POST', '/v1/people', { as: 'write', body: { name: 'History Person', description: 'v1' } })
  ).json();
  await req('PATCH', `/v1/people/${p.id}`, {
    as: 'admin',
    body: { description: 'v2' },
    headers: { 'if-match': '"1"' },
  });
  const list = await req('GET', `/v1/people/${p.id}/revisions`, { as: 'preview' });
  t.equal(list.headers['cache-control'], 'private, no-store');
  t.same(
    list
      .json()
      .data.map((r: { version: number; changedBy: string; action: string }) => [
        r.version,
        r.changedBy,
        r.action,
      ]),
    [
      [2, 'admin (ADMIN_KEY)', 'updated'],
      [1, 'write key', 'created'],
    ],
  );
  const v1 = await req('GET', `/v1/people/${p.id}/revisions/1`, { as: 'preview' });
  t.equal(v1.json().description, 'v1');
  t.equal(v1.json().version, 1);
  t.equal((await req('GET', `/v1/people/${p.id}/revisions/3`, { as: 'preview' })).statusCode, 404);
  t.equal((await req('GET', `/v1/people/${p.id}/revisions`)).statusCode, 401, 'history is for editors');
  t.equal((await req('GET', `/v1/people/${p.id}/revisions`, { as: 'read' })).statusCode, 403);
});

t.test('writes and errors are never stored by shared caches', async (t) => {
  const created = await req('POST', '/v1/people', { as: 'write', body: { name: 'Cache Person' } });
  t.equal(created.headers['cache-control'], 'no-store');
  const missing = await req('GET', '/v1/people/no-such-person');
  t.equal(missing.headers['cache-control'], 'no-store');
  const anon = await req('GET', `/v1/people/${created.json().id}`);
  t.equal(anon.headers['cache-control'], 'public, max-age=60');
  t.equal(anon.headers.vary, 'Authorization');
  const keyed = await req('GET', `/v1/people/${created.json().id}`, { as: 'read' });
  t.equal(keyed.headers['cache-control'], 'private, no-store');
  t.equal(keyed.headers.vary, 'Authorization');
});
