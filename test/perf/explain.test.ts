import { sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { SEARCH_CANDIDATES } from '../../src/resources/articles/search.js';
import { buildTestApp } from '../helpers/app.js';
import { freshDatabase } from '../helpers/database.js';

/**
 * The plans of the hot read queries at archive scale: 100k articles on PostgreSQL with their
 * people, places and change log, generated in SQL, analysed, then each query EXPLAINed
 * exactly as the API sent it (SQL and parameters captured from real requests). Every plan
 * must reach its rows through the expected index; a sequential scan of a big table would
 * make the request cost grow with the archive. PGlite runs the same planner on a quarter of
 * the rows: it computes the tsvectors on Node's own thread, and 100k would take minutes.
 */
const PEOPLE = 2_000;
const PLACES = 500;

const sent: { query: string; params: unknown[] }[] = [];
const database = await freshDatabase({ onQuery: (query, _on, params) => sent.push({ query, params }) });
const ARTICLES = database.kind === 'postgres' ? 100_000 : 25_000;
t.teardown(() => database.close());
const ctx = await buildTestApp(t, {}, { database });
const db = database.db;

// Deterministic spread without random(): a multiplicative hash of the row number, 0..999.
const hash = (salt: number) => `((n::bigint * 2654435761 + ${salt} * 40503) % 1000)`;
const spread = (salt: number) => sql.raw(hash(salt));
// Deterministic ids, so links can be generated without lookups: an md5 shaped as a UUIDv4.
const uid = (kind: string, n: string) =>
  sql.raw(`overlay(overlay(md5('${kind}' || ${n}) placing '4' from 13) placing '8' from 17)::uuid`);

// One transaction without the pool's statement timeout: the load is a few big statements.
await db.transaction(async (tx) => {
  await tx.execute(sql`set local statement_timeout = 0`);
  await tx.execute(sql`
    insert into people (id, slug, name, aliases, search_names, version, created_at, updated_at)
    select ${uid('person', 'n')}, 'persoon-' || n, 'Persoon ' || n, '[]'::jsonb, 'persoon ' || n, 1, now(), now()
    from generate_series(1, ${PEOPLE}) n`);
  await tx.execute(sql`
    insert into places (id, slug, name, aliases, kind, search_names, version, created_at, updated_at)
    select ${uid('place', 'n')}, 'plaats-' || n, 'Plaats ' || n, '[]'::jsonb, 'city', 'plaats ' || n, 1, now(), now()
    from generate_series(1, ${PLACES}) n`);
  // Plaats 1 holds plaatsen 2-40: a region's tree of 40 places.
  await tx.execute(sql`
    update places set parent_id = ${uid('place', '1')}
    where slug in (select 'plaats-' || n from generate_series(2, 40) n)`);
  // Short bodies keep the generated tsvectors cheap; one article in a hundred is about the
  // negotiations the search below looks for. Drafts (3%) also carry a working tag that no
  // published article has.
  await tx.execute(sql`
    insert into articles (id, slug, language, headline, body, tags, status, published_at, first_published_at, version, created_at, updated_at)
    select ${uid('article', 'n')}, 'bulk-' || n,
      case when ${spread(1)} < 700 then 'nl' when ${spread(1)} < 850 then 'en' when ${spread(1)} < 930 then 'de' else 'fr' end,
      'Bericht ' || n,
      ('[{"type":"paragraph","text":"'
        || case when n % 100 = 0 then 'De onderhandelingen gaan door.' else 'Het weer blijft wisselvallig.' end
        || '"}]')::json,
      jsonb_build_array('onderwerp-' || floor(40 * power(${spread(2)} / 1000.0, 2))::int)
        || case when ${spread(3)} between 950 and 979 then '["in-de-maak"]'::jsonb else '[]'::jsonb end,
      case when ${spread(3)} < 950 then 'published' when ${spread(3)} < 980 then 'draft' else 'withdrawn' end,
      case when ${spread(3)} < 950 or ${spread(3)} >= 980 then timestamptz '2022-01-01' + n * interval '15 minutes' end,
      case when ${spread(3)} < 950 or ${spread(3)} >= 980 then timestamptz '2022-01-01' + n * interval '15 minutes' end,
      2, timestamptz '2022-01-01' + n * interval '15 minutes', timestamptz '2022-01-01' + n * interval '15 minutes'
    from generate_series(1, ${ARTICLES}) n`);
  // Every other article mentions a person: a few people are in thousands of articles, most
  // in a handful (cubed: Zipf-like). Every fourth is about a place. (Each link row costs two
  // foreign key checks; these counts keep the load short.)
  await tx.execute(sql`
    insert into article_people (article_id, person_id, position)
    select ${uid('article', 'n')}, ${uid('person', `(1 + floor(${PEOPLE} * power(${hash(4)} / 1000.0, 3))::int)`)}, 0
    from generate_series(2, ${ARTICLES}, 2) n`);
  await tx.execute(sql`
    insert into article_places (article_id, place_id, position)
    select ${uid('article', 'n')}, ${uid('place', `(1 + ${hash(5)} % ${PLACES})`)}, 0
    from generate_series(4, ${ARTICLES}, 4) n`);
  // A quote for every other article (from a draft now and then: hidden from the public), one
  // in ten from no article, one in three said somewhere; the same few people say most of them.
  await tx.execute(sql`
    insert into quotes (id, text, language, person_id, article_id, place_id, version, created_at, updated_at)
    select ${uid('quote', 'n')},
      case when n % 100 = 0 then 'Het kabinet moet nu kiezen.' else 'Wij gaan gewoon door.' end, 'nl',
      ${uid('person', `(1 + floor(${PEOPLE} * power(${hash(6)} / 1000.0, 3))::int)`)},
      case when n % 10 <> 0 then ${uid('article', `(1 + (n * 2) % ${ARTICLES})`)} end,
      case when n % 3 = 0 then ${uid('place', `(1 + ${hash(7)} % ${PLACES})`)} end,
      1, timestamptz '2022-01-01' + n * interval '30 minutes', timestamptz '2022-01-01' + n * interval '30 minutes'
    from generate_series(1, ${ARTICLES / 2}) n`);
  // One change per article: drafts' private, the rest public.
  await tx.execute(sql`
    insert into changes (resource_type, resource_id, action, version, audience, at)
    select 'article', ${uid('article', 'n')},
      case when ${spread(3)} < 950 then 'published' when ${spread(3)} < 980 then 'created' else 'withdrawn' end,
      2, case when ${spread(3)} between 950 and 979 then 'private' else 'public' end,
      timestamptz '2022-01-01' + n * interval '15 minutes'
    from generate_series(1, ${ARTICLES}) n`);
  // Then a newsroom's day: drafts filed and edited, a quarter of the log again, all private.
  await tx.execute(sql`
    insert into changes (resource_type, resource_id, action, version, audience, at)
    select 'article', ${uid('article', `(1 + n % ${ARTICLES})`)}, 'updated', 3, 'private',
      timestamptz '2025-01-01' + n * interval '1 second'
    from generate_series(1, ${ARTICLES / 4}) n`);
});
// VACUUM also empties the GIN pending lists, whose size the planner charges to a GIN scan.
for (const table of ['people', 'places', 'articles', 'article_people', 'article_places', 'quotes', 'changes'])
  await db.execute(sql.raw(`vacuum analyze ${table}`));

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * The plan PostgreSQL keeps for a statement prepared by name once it stops planning each run
 * for its values (the generic plan): what a named prepared statement gets after five runs.
 */
async function genericExplain(query: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const literal = (p: unknown) => {
    if (typeof p === 'number') return String(p);
    if (typeof p === 'string') return `'${p.replace(/'/g, "''")}'`;
    throw new Error(`no literal for a ${typeof p} parameter`);
  };
  // In a transaction rolled back at the end: the setting and the prepared statement go with
  // it, whatever fails on the way.
  const steps = [
    'begin',
    'set local plan_cache_mode = force_generic_plan',
    `prepare explained as ${query}`,
    `explain (format json) execute explained(${params.map(literal).join(', ')})`,
  ];
  if (database.pool) {
    const client = await database.pool.connect();
    try {
      let rows: Record<string, unknown>[] = [];
      for (const step of steps) rows = (await client.query(step)).rows;
      return rows;
    } finally {
      // A prepared statement outlives the rollback. Only this one: the pool's own are the
      // driver's, which it believes still prepared.
      await client.query('rollback').catch(() => undefined);
      await client.query('deallocate explained').catch(() => undefined);
      client.release();
    }
  }
  const pglite = database.pglite!;
  try {
    let rows: Record<string, unknown>[] = [];
    for (const step of steps) rows = (await pglite.query<Record<string, unknown>>(step)).rows;
    return rows;
  } finally {
    await pglite.query('rollback').catch(() => undefined);
    await pglite.query('deallocate explained').catch(() => undefined);
  }
}

/** The plan of the statement a request sent that reads `table`, as the API sent it. */
async function planOf(
  url: string,
  table: string,
  generic = false,
  as: 'read' | 'preview' = 'read',
): Promise<{ text: string; nodes: PlanNode[]; query: string }> {
  sent.length = 0;
  const res = await ctx.req('GET', url, { as });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  const statement = sent.find((s) => new RegExp(`from "${table}"`).test(s.query));
  if (!statement) throw new Error(`${url} sent no query on ${table}: ${sent.map((s) => s.query).join('\n')}`);
  return { ...(await explain(statement, generic)), query: statement.query };
}

/** The plan of one statement as sent, its nodes listed and summed up as text. */
async function explain(
  statement: { query: string; params: unknown[] },
  generic = false,
): Promise<{ text: string; nodes: PlanNode[] }> {
  const rows = generic
    ? await genericExplain(statement.query, statement.params)
    : database.pool
      ? (await database.pool.query(`explain (format json) ${statement.query}`, statement.params)).rows
      : (
          await database.pglite!.query<Record<string, unknown>>(
            `explain (format json) ${statement.query}`,
            statement.params,
          )
        ).rows;
  const raw = Object.values(rows[0]!)[0];
  const json = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  const all = nodes(json[0]!.Plan);
  const text = all
    .map((n) => `${n['Node Type']} ${n['Relation Name'] ?? ''} ${n['Index Name'] ?? ''}`.trim())
    .join('\n');
  return { text, nodes: all };
}

const BIG = ['articles', 'article_people', 'article_places', 'quotes', 'changes'];

function assertIndexed(t: Test, plan: { text: string; nodes: PlanNode[] }, indexes: string[], what: string) {
  const seq = plan.nodes.filter((n) => n['Node Type'] === 'Seq Scan' && BIG.includes(n['Relation Name']!));
  t.same(seq, [], `${what}: no sequential scan of a big table\n${plan.text}`);
  const used = plan.nodes.map((n) => n['Index Name']).filter(Boolean);
  t.ok(
    indexes.some((i) => used.includes(i)),
    `${what}: reads through ${indexes.join(' or ')}\n${plan.text}`,
  );
}

t.test('list, search, relation and changes queries use their indexes at archive scale', async (t) => {
  assertIndexed(
    t,
    await planOf('/v1/articles?limit=20', 'articles'),
    ['articles_status_published_id'],
    'the default list',
  );
  // Editors see every status, drafts (undated) first: the order of articles_editor_order read
  // backwards, not a sort of the whole table.
  for (const [url, what] of [
    ['/v1/articles?limit=20', "an editor's default list"],
    ['/v1/articles?limit=20&sort=publishedAt', "an editor's list, oldest first"],
    ['/v1/articles?q=wisselvallig&limit=20', "an editor's search for a common word"],
  ])
    assertIndexed(t, await planOf(url!, 'articles', false, 'preview'), ['articles_editor_order'], what!);
  assertIndexed(
    t,
    await planOf('/v1/articles?language=nl&tag=onderwerp-3&sort=-publishedAt&limit=20', 'articles'),
    ['articles_language_published_id', 'articles_published_tags', 'articles_status_published_id'],
    'a filtered, sorted list',
  );
  // Walking the date index for it would read every published article and find none. The
  // same holds for an editor's list of published articles only (and so for feeds).
  for (const [url, as, what] of [
    ['/v1/articles?tag=in-de-maak&limit=20', 'read', 'a public list by a tag only drafts carry'],
    ['/v1/articles?status=published&tag=in-de-maak&limit=20', 'preview', "an editor's published list by it"],
  ] as const) {
    const plan = await planOf(url, 'articles', false, as);
    assertIndexed(t, plan, ['articles_published_tags'], what);
    t.notOk(
      plan.nodes.some((n) => n['Index Name'] === 'articles_status_published_id'),
      `${what}: does not walk the date index\n${plan.text}`,
    );
  }
  // An editor's list of every status compares every article's tags.
  const editors = await planOf('/v1/articles?tag=in-de-maak&limit=20', 'articles', false, 'preview');
  t.match(editors.query, '"articles"."tags" @>', "an editor's list compares all tags");
  t.notOk(
    editors.nodes.some((n) => n['Index Name'] === 'articles_published_tags'),
    `an editor's list does not read the published tags\n${editors.text}`,
  );
  assertIndexed(
    t,
    await planOf('/v1/articles?q=onderhandelingen&limit=20', 'articles'),
    ['articles_search'],
    'search',
  );
  assertIndexed(
    t,
    await planOf('/v1/people/persoon-2/articles?limit=20', 'articles'),
    ['article_people_person', 'articles_status_published_id'],
    'articles of a person in one article of a hundred',
  );
  assertIndexed(
    t,
    await planOf('/v1/people/persoon-1500/articles?limit=20', 'articles'),
    ['article_people_person'],
    'articles of a rarely mentioned person',
  );
  // A person named by slug is looked up first and the list binds the id: PostgreSQL then
  // knows that persoon-1 is in thousands of articles and walks the dates (a join on the slug
  // left it guessing, and it read all their links and sorted them).
  for (const url of ['/v1/articles?person=persoon-1&limit=20', '/v1/people/persoon-1/articles?limit=20']) {
    const often = await planOf(url, 'articles');
    assertIndexed(t, often, ['articles_status_published_id'], `${url}: someone in thousands of articles`);
    t.notOk(
      often.nodes.some((n) => n['Node Type'] === 'Sort'),
      `${url}: walks the dates, sorts nothing\n${often.text}`,
    );
  }
  // A place's tree is looked up first; the page then binds its ids, so PostgreSQL sees how
  // many links they have (a nested recursive query made it plan every place alike: a walk of
  // every article checked against all the tree's links).
  for (const [url, what] of [
    ['/v1/places/plaats-1/articles?limit=20', 'articles about a region (40 places)'],
    ['/v1/articles?place=plaats-1&limit=20', 'a list filtered by the region'],
    ['/v1/places/plaats-300/articles?limit=20', 'articles about a village'],
    ['/v1/articles?place=plaats-300&language=fr&limit=20', 'a list by a village, in French'],
  ])
    assertIndexed(
      t,
      await planOf(url!, 'articles'),
      ['article_places_place', 'articles_status_published_id'],
      what!,
    );
  // A public quote is as visible as its article, looked up by key for each quote read: an
  // `exists` there made PostgreSQL hash every visible article first, reading the whole table.
  for (const [url, what, index] of [
    ['/v1/quotes?limit=20', 'the newest quotes', 'quotes_created_id'],
    [
      '/v1/people/persoon-1/quotes?limit=20',
      'the quotes of someone quoted often',
      'quotes_person_created_id',
    ],
    ['/v1/quotes?place=plaats-1&limit=20', 'the quotes said in a region', 'quotes_place_id'],
    ['/v1/quotes?q=kabinet&limit=20', 'a search of quotes', 'quotes_search'],
  ])
    assertIndexed(t, await planOf(url!, 'quotes'), [index!, 'quotes_created_id'], what!);
  const first = (await ctx.req('GET', '/v1/changes?limit=100', { as: 'read' })).json();
  // Through the index of what is not private, not the primary key with every draft's entry
  // read and dropped.
  assertIndexed(
    t,
    await planOf(`/v1/changes?limit=100&since=${encodeURIComponent(first.page.next)}`, 'changes'),
    ['changes_visible_seq'],
    'a changes page',
  );
  // The page is a named prepared statement: its audiences must be in the SQL text, not
  // parameters, or the plan PostgreSQL settles on cannot know the index covers them.
  assertIndexed(
    t,
    await planOf(`/v1/changes?limit=100&since=${encodeURIComponent(first.page.next)}`, 'changes', true),
    ['changes_visible_seq'],
    "a changes page's generic plan",
  );
});

t.test(
  'a relevance search ranks only the newest matches, found through the date index for a common word',
  async (t) => {
    const url = '/v1/articles?q=wisselvallig&limit=100';
    assertIndexed(
      t,
      await planOf(url, 'articles'),
      ['articles_status_published_id'],
      'a word in 99% of articles',
    );
    const result = (await db.execute(sql`
      select min(published_at)::text as oldest from (
        select published_at from articles
        where status = 'published' and search @@ to_tsquery('kopij_simple', 'wisselvallig')
        order by published_at desc, id desc limit ${SEARCH_CANDIDATES}) as newest`)) as unknown as {
      rows: { oldest: string }[];
    };
    const window = result.rows[0];
    const page = (await ctx.req('GET', url, { as: 'read' })).json();
    t.equal(page.data.length, 100);
    const outside = page.data.filter(
      (a: { publishedAt: string }) => Date.parse(a.publishedAt) < Date.parse(window!.oldest),
    );
    t.same(outside, [], `every hit is among the newest ${SEARCH_CANDIDATES} matches`);
  },
);

t.test('a recurring headline finds its next free slug through the slug index', async (t) => {
  // base, base-2 … base-32 are looked up one by one; once all are taken (a daily liveblog),
  // every `base-%` slug is listed. That LIKE must be a range of the byte-ordered slug index
  // (~>=~, ~<~: text_pattern_ops), which every collation allows, not a read of every slug.
  const headline = 'Liveblog: de oorlog in Oekraïne, dag na dag';
  for (let i = 0; i < 32; i++) await ctx.post('/v1/articles', { language: 'nl', headline });
  sent.length = 0;
  const next = await ctx.post('/v1/articles', { language: 'nl', headline });
  t.equal(next.slug, 'liveblog-de-oorlog-in-oekraine-dag-na-dag-33');
  const listing = sent.find((s) => /from "articles"/.test(s.query) && /\blike\b/i.test(s.query));
  if (!listing) throw new Error(`no LIKE on articles was sent: ${sent.map((s) => s.query).join('\n')}`);
  const plan = await explain(listing);
  const ranges = plan.nodes.filter(
    (n) => n['Index Name'] === 'articles_slug_key' && /~>=~/.test(n['Index Cond'] ?? ''),
  );
  const read = plan.nodes.map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''} ${n['Index Cond'] ?? ''}`);
  t.ok(ranges.length, `the slug index is read as a range\n${read.join('\n')}`);
  t.notOk(
    plan.nodes.some((n) => n['Node Type'] === 'Seq Scan'),
    `no sequential scan\n${plan.text}`,
  );
});

t.test('a relevance search of quotes ranks only the newest matches', async (t) => {
  const url = '/v1/quotes?q=gewoon&limit=100';
  // The newest matches come through the date index. (Joining the page's hundred back to
  // their rows may take a sequential scan of PGlite's quarter-size table: cheaper there.)
  const plan = await planOf(url, 'quotes');
  t.ok(
    plan.nodes.some((n) => n['Index Name'] === 'quotes_created_id'),
    `a word in 99% of quotes: the newest matches through quotes_created_id\n${plan.text}`,
  );
  const result = (await db.execute(sql`
    select min(created_at)::text as oldest from (
      select created_at from quotes
      where text like '%gewoon%' and (article_id is null or exists (
        select 1 from articles where articles.id = quotes.article_id and status = 'published'))
      order by created_at desc, id desc limit ${SEARCH_CANDIDATES}) as newest`)) as unknown as {
    rows: { oldest: string }[];
  };
  const page = (await ctx.req('GET', url, { as: 'read' })).json();
  t.equal(page.data.length, 100);
  const outside = page.data.filter(
    (q: { createdAt: string }) => Date.parse(q.createdAt) < Date.parse(result.rows[0]!.oldest),
  );
  t.same(outside, [], `every hit is among the newest ${SEARCH_CANDIDATES} matches`);
});
