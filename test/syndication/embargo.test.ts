import t from 'tap';
import { releaseDue } from '../../src/syndication/embargo.js';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req } = ctx;

t.test('an embargoed article stays hidden until its time, then is published exactly once', async (t) => {
  const person = (await req('POST', '/v1/people', { as: 'write', body: { name: 'Lloyd Austin' } })).json();
  const until = new Date(Date.now() + 5000);
  const a = (
    await req('POST', '/v1/articles', {
      as: 'write',
      body: {
        language: 'nl',
        headline: 'Steunpakket onder embargo',
        body: [{ type: 'paragraph', text: 'Nieuwe steun.' }],
        tags: [],
        personIds: [person.id],
        placeIds: [],
        embargoedUntil: until.toISOString(),
      },
    })
  ).json();
  await req('POST', '/v1/quotes', {
    as: 'write',
    body: { text: 'We staan naast Oekraïne.', language: 'nl', personId: person.id, articleId: a.id },
  });
  const published = await req('POST', `/v1/articles/${a.id}/publish`, { as: 'write' });
  t.equal(published.statusCode, 200);
  t.equal(published.json().publishedAt, until.toISOString(), 'published as of the moment the embargo lifts');
  t.equal(await releaseDue(ctx.database.db), 0, 'nothing is due before the embargo lifts');

  for (const as of [undefined, 'read'] as const) {
    t.equal(
      (await req('GET', `/v1/articles/${a.id}`, as ? { as } : {})).statusCode,
      404,
      `hidden from ${as ?? 'anonymous'}`,
    );
  }
  const partner = await req('GET', `/v1/articles/${a.id}`, { as: 'embargo' });
  t.equal(partner.statusCode, 200);
  t.equal(partner.json().embargoedUntil, until.toISOString(), 'partners see it with its embargo time');
  const publicChanges = () =>
    req('GET', '/v1/changes?types=article,quote').then(
      (r) => r.json().data as { id: string; action: string; type: string }[],
    );
  t.same(await publicChanges(), [], 'nothing in the public change log yet');
  const partnerChanges = (await req('GET', '/v1/changes?types=article', { as: 'embargo' })).json().data;
  t.same(
    partnerChanges.map((c: { action: string }) => c.action),
    ['published'],
    'partners learn of it under embargo',
  );

  await new Promise((r) => setTimeout(r, until.getTime() - Date.now() + 50));
  t.equal(await releaseDue(ctx.database.db), 1);
  t.equal(await releaseDue(ctx.database.db), 0, 'released exactly once');

  t.equal((await req('GET', `/v1/articles/${a.id}`)).statusCode, 200, 'public now');
  const after = await publicChanges();
  t.same(
    after.map((c) => `${c.type}:${c.action}`),
    ['article:published', 'quote:published'],
    'the article and its quote appear in the public log at release time',
  );
});

t.test('withdrawing before the embargo lifts cancels the release', async (t) => {
  const a = (
    await req('POST', '/v1/articles', {
      as: 'write',
      body: {
        language: 'nl',
        headline: 'Ingetrokken voor het embargo',
        body: [],
        tags: [],
        personIds: [],
        placeIds: [],
        embargoedUntil: new Date(Date.now() + 300).toISOString(),
      },
    })
  ).json();
  await req('POST', `/v1/articles/${a.id}/publish`, { as: 'write' });
  await req('POST', `/v1/articles/${a.id}/withdraw`, { as: 'write' });
  await new Promise((r) => setTimeout(r, 350));
  t.equal(await releaseDue(ctx.database.db), 0);
  t.equal((await req('GET', `/v1/articles/${a.id}`)).statusCode, 404);
});
