import { type SQL, sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import type { Db } from '../../src/db/client.js';
import { patchArticle } from '../../src/resources/articles/service.js';
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
  const a = await draft('Ingetrokken voor het embargo', new Date(Date.now() + 300));
  await req('POST', `/v1/articles/${a.id}/publish`, { as: 'write' });
  await req('POST', `/v1/articles/${a.id}/withdraw`, { as: 'write' });
  await new Promise((r) => setTimeout(r, 350));
  t.equal(await releaseDue(ctx.database.db), 0);
  t.equal((await req('GET', `/v1/articles/${a.id}`)).statusCode, 404);
});

/** A new draft, with an embargo when one is given. */
async function draft(headline: string, embargoedUntil?: Date): Promise<{ id: string; version: number }> {
  const body = { language: 'nl', headline, body: [], embargoedUntil: embargoedUntil?.toISOString() };
  return (await req('POST', '/v1/articles', { as: 'write', body })).json();
}

/** An article with a quote, published under an embargo an hour away. */
async function embargoed(t: Test, headline: string) {
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
        embargoedUntil: new Date(Date.now() + 3_600_000).toISOString(),
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

async function pendingRelease(id: string): Promise<boolean> {
  const { rows } = (await ctx.database.db.execute(
    sql`select 1 from pending_releases where article_id = ${id}`,
  )) as unknown as { rows: unknown[] };
  return rows.length > 0;
}

/** Moves an article's embargo (and its publication and pending release) to another instant. */
async function embargoEndsAt(id: string, at: SQL) {
  await ctx.database.db.execute(sql`update articles
    set embargoed_until = ${at}, published_at = ${at}, first_published_at = ${at} where id = ${id}`);
  await ctx.database.db.execute(sql`update pending_releases set release_at = ${at} where article_id = ${id}`);
}

t.test('lifting an embargo early publishes the article to the public there and then', async (t) => {
  const a = await embargoed(t, 'Embargo vervroegd opgeheven');
  t.same(await publicLog(a.id, a.quoteId), [], 'nothing public under the embargo');
  t.ok(await pendingRelease(a.id));
  const before = Date.now();
  const lifted = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { embargoedUntil: null },
    headers: { 'if-match': `"${a.version}"` },
  });
  t.equal(lifted.statusCode, 200);
  const shown = await req('GET', `/v1/articles/${a.id}`);
  t.equal(shown.statusCode, 200, 'public now');
  const publishedAt = Date.parse(shown.json().publishedAt);
  t.ok(publishedAt >= before - 1000 && publishedAt <= Date.now(), 'published as of now, not of the embargo');
  t.equal(shown.json().firstPublishedAt, shown.json().publishedAt);
  t.same(
    await publicLog(a.id, a.quoteId),
    ['article:published', 'quote:published'],
    'the public log announces the article and its quote, as a release would',
  );
  t.notOk(await pendingRelease(a.id), 'and no release is left to announce it again');
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
  const a = await embargoed(t, 'Embargo net verstreken');
  // The embargo ends, and the worker has not run yet.
  await embargoEndsAt(a.id, sql`now() - interval '1 second'`);
  const edited = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { headline: 'Embargo net verstreken, tikfout hersteld' },
    headers: { 'if-match': `"${a.version}"` },
  });
  t.equal(edited.statusCode, 200);
  t.same(await publicLog(a.id, a.quoteId), ['article:published', 'quote:published']);
  t.notOk(await pendingRelease(a.id), 'the release was taken off the schedule');
  t.equal(await releaseDue(ctx.database.db), 0);
  t.same(await publicLog(a.id, a.quoteId), ['article:published', 'quote:published'], 'announced once');
});

t.test('an edit after the worker released the article is an update the public sees', async (t) => {
  const a = await embargoed(t, 'Embargo al vrijgegeven');
  await embargoEndsAt(a.id, sql`now() - interval '1 second'`);
  t.equal(await releaseDue(ctx.database.db), 1);
  const edited = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { headline: 'Embargo al vrijgegeven, bijgewerkt' },
    headers: { 'if-match': `"${a.version}"` },
  });
  t.equal(edited.statusCode, 200);
  t.same(await publicLog(a.id, a.quoteId), ['article:published', 'quote:published', 'article:updated']);
  t.notOk(await pendingRelease(a.id), 'no release is scheduled again');
});

t.test(
  'an edit whose transaction began before the embargo ended does not schedule a second release',
  async (t) => {
    if (ctx.database.kind !== 'postgres') {
      t.pass('the embedded database runs one transaction at a time: the worker cannot run inside an edit');
      return;
    }
    const a = await embargoed(t, 'Embargo tijdens de bewerking');
    const until = new Date(Date.now() + 1500);
    await embargoEndsAt(a.id, sql`${until.toISOString()}::timestamptz`);
    // The edit's transaction begins before the embargo ends (its now() is that moment); the worker
    // releases the article on another connection; then the edit writes.
    await ctx.database.db.transaction(async (tx) => {
      await tx.execute(sql`select now()`);
      await new Promise((r) => setTimeout(r, until.getTime() - Date.now() + 100));
      t.equal(await releaseDue(ctx.database.db), 1, 'released by the worker meanwhile');
      await patchArticle(
        tx as unknown as Db,
        a.id,
        '*',
        { headline: 'Embargo tijdens de bewerking, bijgewerkt' },
        'test',
      );
    });
    t.notOk(await pendingRelease(a.id), 'no release scheduled again');
    t.equal(await releaseDue(ctx.database.db), 0);
    t.same(await publicLog(a.id, a.quoteId), ['article:published', 'quote:published', 'article:updated']);
  },
);

t.test('a public article cannot be put back under embargo; withdrawn first, it can', async (t) => {
  const a = await draft('Al openbaar');
  const published = (await req('POST', `/v1/articles/${a.id}/publish`, { as: 'write' })).json();
  const later = new Date(Date.now() + 3_600_000).toISOString();
  const refused = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { embargoedUntil: later, headline: 'Toch onder embargo' },
    headers: { 'if-match': `"${published.version}"` },
  });
  t.equal(refused.statusCode, 409);
  t.match(refused.headers['content-type'], /^application\/problem\+json/);
  t.same(
    refused.json().errors.map((e: { path: string }) => e.path),
    ['body.embargoedUntil'],
  );
  const read = await req('GET', `/v1/articles/${a.id}`);
  t.equal(read.statusCode, 200, 'still public');
  t.equal(read.json().version, published.version, 'nothing written');
  t.equal(read.json().headline, 'Al openbaar');

  const stale = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { embargoedUntil: later },
    headers: { 'if-match': `"${published.version - 1}"` },
  });
  t.equal(stale.statusCode, 412, 'a stale If-Match is answered first');

  const past = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { embargoedUntil: new Date(Date.now() - 60_000).toISOString() },
    headers: { 'if-match': '*' },
  });
  t.equal(past.statusCode, 200, 'an embargo already over hides nothing');
  t.equal((await req('GET', `/v1/articles/${a.id}`)).statusCode, 200);

  t.equal((await req('POST', `/v1/articles/${a.id}/withdraw`, { as: 'write' })).statusCode, 200);
  const embargoed = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { embargoedUntil: later },
    headers: { 'if-match': '*' },
  });
  t.equal(embargoed.statusCode, 200, 'a withdrawn article may get an embargo');
  const again = await req('POST', `/v1/articles/${a.id}/publish`, { as: 'write' });
  t.equal(again.statusCode, 200);
  t.equal((await req('GET', `/v1/articles/${a.id}`)).statusCode, 404, 'hidden until the embargo ends');
  t.same(await publicLog(a.id), ['article:published', 'article:updated', 'article:withdrawn']);
  t.ok(await pendingRelease(a.id), 'its release is scheduled');
});

t.test('an article under an embargo not yet over may have it moved', async (t) => {
  const a = await embargoed(t, 'Embargo verschoven');
  const moved = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { embargoedUntil: new Date(Date.now() + 7_200_000).toISOString() },
    headers: { 'if-match': `"${a.version}"` },
  });
  t.equal(moved.statusCode, 200);
  t.same(await publicLog(a.id, a.quoteId), []);
});

t.test('a restore that would bring back a future embargo on a public article is refused', async (t) => {
  const a = await draft('Herstel met embargo', new Date(Date.now() + 3_600_000));
  const cleared = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { embargoedUntil: null },
    headers: { 'if-match': `"${a.version}"` },
  });
  t.equal(cleared.statusCode, 200);
  const published = (await req('POST', `/v1/articles/${a.id}/publish`, { as: 'write' })).json();
  const restored = await req('POST', `/v1/articles/${a.id}/revisions/1/restore`, {
    as: 'write',
    headers: { 'if-match': `"${published.version}"` },
  });
  t.equal(restored.statusCode, 409);
  t.same(
    restored.json().errors.map((e: { path: string }) => e.path),
    ['revision.embargoedUntil'],
  );
  const read = await req('GET', `/v1/articles/${a.id}`);
  t.equal(read.statusCode, 200);
  t.equal(read.json().version, published.version);
});
