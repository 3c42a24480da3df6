import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req } = ctx;

t.test('the change log: ordered, resumable, typed, with tombstones', async (t) => {
  const empty = await req('GET', '/v1/changes');
  t.equal(empty.statusCode, 200);
  t.same(empty.json().data, []);
  t.ok(empty.json().page.next, 'page.next is set even on an empty page');

  const p = (await req('POST', '/v1/people', { as: 'write', body: { name: 'Volodymyr Zelensky' } })).json();
  await req('PATCH', `/v1/people/${p.id}`, {
    as: 'write',
    body: { description: 'x' },
    headers: { 'if-match': '"1"' },
  });
  const place = (
    await req('POST', '/v1/places', { as: 'write', body: { name: 'Kiev', kind: 'city' } })
  ).json();
  await req('DELETE', `/v1/people/${p.id}`, { as: 'write', headers: { 'if-match': '"2"' } });

  const all = (await req('GET', '/v1/changes')).json();
  t.same(
    all.data.map(
      (c: { type: string; action: string; version: number }) => `${c.type}:${c.action}:${c.version}`,
    ),
    ['person:created:1', 'person:updated:2', 'place:created:1', 'person:deleted:3'],
  );
  const seqs = all.data.map((c: { seq: number }) => c.seq);
  t.same(
    seqs,
    [...seqs].sort((a, b) => a - b),
    'oldest first',
  );

  const resumed = (
    await req('GET', `/v1/changes?since=${encodeURIComponent(empty.json().page.next)}&limit=2`)
  ).json();
  t.equal(resumed.data.length, 2);
  const rest = (await req('GET', `/v1/changes?since=${encodeURIComponent(resumed.page.next)}`)).json();
  t.same(
    rest.data.map((c: { seq: number }) => c.seq),
    seqs.slice(2),
  );
  const after = (await req('GET', `/v1/changes?since=${encodeURIComponent(rest.page.next)}`)).json();
  t.same(after.data, []);
  t.equal(after.page.next, rest.page.next, 'an empty poll hands back the same position');

  const places = (await req('GET', '/v1/changes?types=place')).json();
  t.same(
    places.data.map((c: { id: string }) => c.id),
    [place.id],
  );
  t.equal((await req('GET', '/v1/changes?types=passwords')).statusCode, 400);
  t.equal((await req('GET', '/v1/changes?since=forged')).statusCode, 400);
});
