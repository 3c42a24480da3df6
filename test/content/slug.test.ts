import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req } = ctx;

t.test('a name taken many times: the next suffixes in order, past the indexed probe', async (t) => {
  const slugs: string[] = [];
  for (let i = 0; i < 35; i++)
    slugs.push((await req('POST', '/v1/people', { as: 'write', body: { name: 'Jan Jansen' } })).json().slug);
  t.same(slugs, ['jan-jansen', ...Array.from({ length: 34 }, (_, i) => `jan-jansen-${i + 2}`)]);
  // A freed suffix is found again by the probe.
  const five = (await req('GET', '/v1/people/jan-jansen-5')).json();
  const gone = await req('DELETE', `/v1/people/${five.id}`, {
    as: 'write',
    headers: { 'if-match': `"${five.version}"` },
  });
  t.equal(gone.statusCode, 204);
  t.equal(
    (await req('POST', '/v1/people', { as: 'write', body: { name: 'Jan Jansen' } })).json().slug,
    'jan-jansen-5',
  );
});

t.test('the slug probe names its candidates: an index lookup, not a LIKE', async (t) => {
  ctx.resetQueries();
  const res = await req('POST', '/v1/articles', {
    as: 'write',
    body: { language: 'nl', headline: 'Kabinet valt', body: [{ type: 'paragraph', text: 'Tekst.' }] },
  });
  t.equal(res.statusCode, 201, res.body);
  const probe = ctx.queries.find((q) => /select "slug" from "articles"/.test(q));
  t.match(probe, /"articles"\."slug" in \(/);
  t.notMatch(probe, / like /i);
});
