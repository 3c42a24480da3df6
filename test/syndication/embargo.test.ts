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

/** An article with a quote, published under an embargo until `until`. */
async function embargoed(headline: string, until: Date) {
  const person = (
    await req('POST', '/v1/people', { as: 'write', body: { name: `Woordvoerder ${headline}` } })
  ).json();
  const a = (
    await req('POST', '/v1/articles', {
      as: 'write',
      body: {
        language: 'nl',
        headline,
        body: [{ type: 'paragraph', text: 'Tekst.' }],
        personIds: [person.id],
        embargoedUntil: until.toISOString(),
      },
    })
  ).json();
  const quote = (
    await req('POST', '/v1/quotes', {
      as: 'write',
      body: { text: 'Geen commentaar.', language: 'nl', personId: person.id, articleId: a.id },
    })
  ).json();
  const published = await req('POST', `/v1/articles/${a.id}/publish`, { as: 'write' });
  t.equal(published.statusCode, 200);
  return { id: a.id as string, quoteId: quote.id as string, version: published.json().version as number };
}

/** The public change log's entries about these ids, as `type:action`. */
async function publicLog(...ids: string[]) {
  const data = (await req('GET', '/v1/changes?types=article,quote&limit=100')).json().data as {
    id: string;
    type: string;
    action: string;
  }[];
  return data.filter((c) => ids.includes(c.id)).map((c) => `${c.type}:${c.action}`);
}

t.test('lifting an embargo early publishes the article to the public there and then', async (t) => {
  const a = await embargoed('Embargo vervroegd opgeheven', new Date(Date.now() + 60_000));
  t.same(await publicLog(a.id, a.quoteId), [], 'nothing public under the embargo');
  const lifted = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { embargoedUntil: null },
    headers: { 'if-match': `"${a.version}"` },
  });
  t.equal(lifted.statusCode, 200);
  t.equal((await req('GET', `/v1/articles/${a.id}`)).statusCode, 200, 'public now');
  t.same(
    await publicLog(a.id, a.quoteId),
    ['article:published', 'quote:published'],
    'the public log announces the article and its quote, as a release would',
  );
  t.equal(await releaseDue(ctx.database.db), 0, 'and no release is left to announce it again');
  const edited = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { headline: 'Embargo vervroegd opgeheven, bijgewerkt' },
    headers: { 'if-match': `"${lifted.json().version}"` },
  });
  t.equal(edited.statusCode, 200);
  t.same(
    await publicLog(a.id, a.quoteId),
    ['article:published', 'quote:published', 'article:updated'],
    'a later edit is an update',
  );
});

t.test('an edit after the embargo passed, before the release ran, is the publication', async (t) => {
  const until = new Date(Date.now() + 300);
  const a = await embargoed('Embargo net verstreken', until);
  await new Promise((r) => setTimeout(r, until.getTime() - Date.now() + 50));
  const edited = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { headline: 'Embargo net verstreken, tikfout hersteld' },
    headers: { 'if-match': `"${a.version}"` },
  });
  t.equal(edited.statusCode, 200);
  t.same(await publicLog(a.id, a.quoteId), ['article:published', 'quote:published']);
  t.equal(await releaseDue(ctx.database.db), 0, 'the release was taken off the schedule');
  t.same(await publicLog(a.id, a.quoteId), ['article:published', 'quote:published'], 'announced once');
});
