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

t.test('an article headline filed many times: the next suffixes in order, past the probe', async (t) => {
  const body = { language: 'nl', headline: 'Storm legt treinverkeer plat', body: [] };
  const slugs: string[] = [];
  for (let i = 0; i < 35; i++) {
    const res = await req('POST', '/v1/articles', { as: 'write', body });
    t.equal(res.statusCode, 201, res.body);
    slugs.push(res.json().slug);
  }
  const base = 'storm-legt-treinverkeer-plat';
  t.same(slugs, [base, ...Array.from({ length: 34 }, (_, i) => `${base}-${i + 2}`)]);
  // The revision and the stored row carry the slug the statement chose.
  const last = await req('GET', `/v1/articles/${base}-35/revisions/1`, { as: 'preview' });
  t.equal(last.statusCode, 200, last.body);
  t.equal(last.json().slug, `${base}-35`);
  // A freed suffix is found again by the probe.
  const five = (await req('GET', `/v1/articles/${base}-5`, { as: 'preview' })).json();
  const gone = await req('DELETE', `/v1/articles/${five.id}`, {
    as: 'write',
    headers: { 'if-match': `"${five.version}"` },
  });
  t.equal(gone.statusCode, 204);
  t.equal((await req('POST', '/v1/articles', { as: 'write', body })).json().slug, `${base}-5`);
});

t.test('the slug probe names its candidates: an index lookup, not a LIKE', async (t) => {
  ctx.resetQueries();
  const res = await req('POST', '/v1/articles', {
    as: 'write',
    body: { language: 'nl', headline: 'Kabinet valt', body: [{ type: 'paragraph', text: 'Tekst.' }] },
  });
  t.equal(res.statusCode, 201, res.body);
  // The create statement probes its candidates itself, by equality on the unique index.
  const create = ctx.queries.find((q) => /insert into "articles"/.test(q));
  t.match(create, /where not exists \(select 1 from "articles" a where a\.slug = x\.c\)/);
  t.notOk(
    ctx.queries.some((q) => / like /i.test(q)),
    'no LIKE',
  );
});
