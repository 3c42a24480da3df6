import t from 'tap';
import { seed } from '../../src/cli/seed.js';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);

t.test('seeds the demo newsroom through the API, once', async (t) => {
  const first = await seed(ctx.app);
  t.equal(first.created, 6 + 11 + 1 + 3, 'six people, eleven places, the article and three quotes');
  const again = await seed(ctx.app);
  t.equal(again.created, 0, 'a second run creates nothing');

  const res = await ctx.req('GET', `/v1/articles/${first.article}?include=people,places,quotes`);
  t.equal(res.statusCode, 200, 'published and public');
  const a = res.json();
  t.equal(a.status, 'published');
  t.equal(a.publishedAt, '2022-04-23T17:45:00.000Z', 'imported with its original time');
  t.equal(a.credit, 'AFP');
  t.match(a.headline, /„.*”/, 'Dutch quotation marks survive');
  t.ok(a.body.some((b: { type: string; text: string }) => b.type === 'heading' && /^‘.*’$/.test(b.text)));
  t.equal(a.personIds.length, 6);
  t.equal(a.quotes.length, 3, 'three quotes included');
  t.equal(a.people.length, 6, 'six people included');

  const keys = (await ctx.req('GET', '/v1/keys', { as: 'admin' })).json().data;
  t.ok(
    keys
      .filter((k: { name: string }) => k.name.startsWith('seed'))
      .every((k: { revokedAt: string | null }) => k.revokedAt),
    'the temporary seed keys are revoked',
  );
  const azovstal = await ctx.req('GET', '/v1/places/marioepol/articles');
  t.equal(azovstal.json().data.length, 1, 'the article is found under Marioepol');
});
