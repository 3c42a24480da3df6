import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import t, { type Test } from 'tap';
import { seed } from '../../src/cli/seed.js';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req, post } = ctx;

const standards = new URL('../../../shared/standards/ninjs/', import.meta.url);
const json = (file: string) => JSON.parse(readFileSync(new URL(file, standards), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(json('GeoJSON-schema.json'));
const validNinjs = ajv.compile(json('ninjs-schema_3.1.json'));

function valid(t: Test, doc: unknown) {
  const ok = validNinjs(doc);
  t.same(ok ? [] : validNinjs.errors, [], 'valid ninjs 3.1');
}

async function article(body: Record<string, unknown> = {}) {
  return post('/v1/articles', {
    language: 'nl',
    headline: 'Kort nieuws',
    body: [{ type: 'paragraph', text: 'Tekst.' }],
    ...body,
  });
}

const publish = async (id: string) => {
  const res = await req('POST', `/v1/articles/${id}/publish`, { as: 'write' });
  if (res.statusCode !== 200) throw new Error(res.body);
  return res.json();
};

const { article: slug } = await seed(ctx.app);
type Ref = { name: string; rel: string; uri?: string; geoJSON?: { type: string; coordinates: number[] } };

t.test('the seeded Dutch article is a valid ninjs 3.1 item with its people and places', async (t) => {
  const a = (await req('GET', `/v1/articles/${slug}`)).json();
  const res = await req('GET', `/v1/articles/${slug}/ninjs`);
  t.equal(res.statusCode, 200, res.body);
  t.match(res.headers['content-type'], /^application\/json/);
  t.equal(res.headers['cache-control'], 'public, max-age=60');
  const doc = res.json();
  valid(t, doc);
  t.equal(doc.uri, `urn:kopij:article:${a.id}`);
  t.equal(doc.version, String(a.version), 'version is the article version, as a string');
  t.equal(doc.versionCreated, a.updatedAt);
  t.equal(doc.firstCreated, a.createdAt);
  t.equal(doc.pubStatus, 'usable');
  t.equal(doc.language, 'nl');
  t.notOk('embargoedUntil' in doc);
  t.same(doc.headlines, [{ role: 'main', contentType: 'text/plain', value: a.headline }]);
  t.same(doc.descriptions, [{ role: 'summary', contentType: 'text/plain', value: a.standfirst }]);
  t.equal(doc.bodies.length, 1);
  const body = doc.bodies[0];
  t.match(body, { role: 'main', contentType: 'text/html' });
  t.ok(
    body.value.startsWith('<p>De Oekraïense president Volodymyr Zelensky'),
    'byte for byte, diacritics kept',
  );
  t.ok(body.value.includes('„Deze oorlog moet eindigen aan de onderhandelingstafel”'));
  t.ok(body.value.includes('<h2>‘Wij geven geen grondgebied op’</h2>'));
  t.ok(
    body.value.includes(
      '<figure><blockquote><p>Als Rusland zich terugtrekt uit de [zuidelijke] regio, zijn wij bereid te praten.</p>' +
        '</blockquote><figcaption>Volodymyr Zelensky</figcaption></figure>',
    ),
  );
  t.ok(body.wordCount > 100);
  t.same(doc.infoSources, [{ name: 'AFP', role: 'source' }], 'the agency credit');
  t.same(doc.subjects, [
    { name: 'oorlog in Oekraïne', rel: 'about' },
    { name: 'diplomatie', rel: 'about' },
  ]);
  t.same(
    doc.altIds.map((x: { role: string }) => x.role),
    ['id', 'slug', 'url'],
  );

  const people = new Map<string, Ref>(doc.people.map((p: Ref) => [p.name, p]));
  t.equal(people.size, 6);
  t.same(people.get('Volodymyr Zelensky'), {
    name: 'Volodymyr Zelensky',
    rel: 'about',
    uri: 'http://www.wikidata.org/entity/Q3874799',
  });
  t.same(people.get('Vladimir Poetin'), {
    name: 'Vladimir Poetin',
    rel: 'mentions',
    uri: 'http://www.wikidata.org/entity/Q7747',
  });
  t.same(people.get('Lloyd Austin'), { name: 'Lloyd Austin', rel: 'mentions' }, 'no Wikidata id, no uri');

  const places = new Map<string, Ref>(doc.places.map((p: Ref) => [p.name, p]));
  t.equal(places.size, 8);
  t.same(places.get('Kiev'), {
    name: 'Kiev',
    rel: 'about',
    uri: 'http://www.wikidata.org/entity/Q1899',
    geoJSON: { type: 'Point', coordinates: [30.5234, 50.4501] },
  });
  t.same(places.get('Marioepol'), {
    name: 'Marioepol',
    rel: 'mentions',
    geoJSON: { type: 'Point', coordinates: [37.5434, 47.0971] },
  });
  t.same(places.get('Krim'), { name: 'Krim', rel: 'mentions', uri: 'http://www.wikidata.org/entity/Q7835' });
});

t.test('conditional GET and private caching', async (t) => {
  const first = await req('GET', `/v1/articles/${slug}/ninjs`);
  const etag = first.headers.etag as string;
  t.match(etag, /^"\d+(-[0-9a-f]+)?"$/, 'a strong ETag');
  const again = await req('GET', `/v1/articles/${slug}/ninjs`, { headers: { 'if-none-match': etag } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
  const keyed = await req('GET', `/v1/articles/${slug}/ninjs`, { as: 'read' });
  t.equal(keyed.headers['cache-control'], 'private, no-store');
  t.match(keyed.headers.vary, /Authorization/);
});

t.test('a correction keeps the uri and raises the version; the ETag follows', async (t) => {
  const a = await article({ headline: 'Eerste versie' });
  await publish(a.id);
  const before = await req('GET', `/v1/articles/${a.id}/ninjs`);
  const patched = await req('PATCH', `/v1/articles/${a.id}`, {
    as: 'write',
    body: { headline: 'Gecorrigeerde versie' },
    headers: { 'if-match': '"2"' },
  });
  t.equal(patched.statusCode, 200, patched.body);
  const after = await req('GET', `/v1/articles/${a.slug}/ninjs`, {
    headers: { 'if-none-match': before.headers.etag as string },
  });
  t.equal(after.statusCode, 200, 'the old ETag no longer matches');
  t.equal(after.json().uri, before.json().uri, 'same uri across versions');
  t.equal(before.json().version, '2');
  t.equal(after.json().version, '3');
  t.equal(after.json().headlines[0].value, 'Gecorrigeerde versie');
});

t.test('a person or place edit changes the ETag too', async (t) => {
  const person = await post('/v1/people', { name: 'Joe Biden' });
  const a = await article({ personIds: [person.id] });
  await publish(a.id);
  const before = (await req('GET', `/v1/articles/${a.id}/ninjs`)).headers.etag as string;
  await req('PATCH', `/v1/people/${person.id}`, {
    as: 'write',
    body: { wikidataId: 'Q6279' },
    headers: { 'if-match': '"1"' },
  });
  const after = await req('GET', `/v1/articles/${a.id}/ninjs`, { headers: { 'if-none-match': before } });
  t.equal(after.statusCode, 200);
  t.equal(after.json().people[0].uri, 'http://www.wikidata.org/entity/Q6279');
});

t.test('text is escaped into the HTML body, never interpreted', async (t) => {
  const a = await article({
    headline: '<script>alert("x")</script> & co',
    body: [
      { type: 'heading', text: '<img src=x onerror=alert(1)>' },
      { type: 'paragraph', text: 'AT&amp;T zegt: "nee" & \'ja\' <b>vet</b>' },
      { type: 'blockquote', text: '</blockquote><script>', attribution: '<i>X</i>' },
    ],
  });
  await publish(a.id);
  const doc = (await req('GET', `/v1/articles/${a.id}/ninjs`)).json();
  valid(t, doc);
  t.equal(doc.headlines[0].value, '<script>alert("x")</script> & co', 'the headline is plain text');
  t.equal(
    doc.bodies[0].value,
    '<h2>&lt;img src=x onerror=alert(1)&gt;</h2>\n' +
      '<p>AT&amp;amp;T zegt: &quot;nee&quot; &amp; &#39;ja&#39; &lt;b&gt;vet&lt;/b&gt;</p>\n' +
      '<figure><blockquote><p>&lt;/blockquote&gt;&lt;script&gt;</p></blockquote>' +
      '<figcaption>&lt;i&gt;X&lt;/i&gt;</figcaption></figure>',
  );
});

t.test('a place known only to GeoNames carries its GeoNames URI', async (t) => {
  const place = await post('/v1/places', { name: 'Odesa', kind: 'city', geonamesId: '698740' });
  const a = await article({ headline: 'Nieuws uit Odesa', placeIds: [place.id] });
  await publish(a.id);
  const doc = (await req('GET', `/v1/articles/${a.id}/ninjs`)).json();
  valid(t, doc);
  t.same(doc.places, [{ name: 'Odesa', rel: 'about', uri: 'https://sws.geonames.org/698740/' }]);
});

t.test('drafts are 404 like a miss to everyone but editors', async (t) => {
  const draft = await article({ headline: 'Geheim concept' });
  const strip = (body: string) => body.replace(/"requestId":"[^"]+"/, '');
  for (const as of [undefined, 'read', 'embargo'] as const) {
    const res = await req('GET', `/v1/articles/${draft.slug}/ninjs`, as ? { as } : {});
    t.equal(res.statusCode, 404, `${as ?? 'anonymous'}: 404`);
    t.match(res.headers['content-type'], /application\/problem\+json/);
    const random = await req('GET', `/v1/articles/${randomUUID()}/ninjs`, as ? { as } : {});
    t.equal(strip(res.body), strip(random.body), 'indistinguishable from a random id');
  }
  const preview = await req('GET', `/v1/articles/${draft.id}/ninjs`, { as: 'preview' });
  t.equal(preview.statusCode, 200);
  valid(t, preview.json());
  t.equal(preview.json().pubStatus, 'withheld', 'a draft is not usable');
});

t.test(
  'a withdrawn article: a content-free kill notice for partners, the full item for editors',
  async (t) => {
    const a = await article({ headline: 'Later ingetrokken', credit: 'AFP' });
    await publish(a.id);
    const w = await req('POST', `/v1/articles/${a.id}/withdraw`, { as: 'write' });
    t.equal(w.statusCode, 200);
    const withdrawn = w.json();
    for (const as of [undefined, 'read', 'embargo'] as const) {
      const res = await req('GET', `/v1/articles/${a.slug}/ninjs`, as ? { as } : {});
      t.equal(res.statusCode, 200, `${as ?? 'anonymous'}: 200`);
      const stub = res.json();
      valid(t, stub);
      t.same(stub, {
        uri: `urn:kopij:article:${a.id}`,
        version: String(withdrawn.version),
        versionCreated: withdrawn.updatedAt,
        pubStatus: 'canceled',
      });
      t.notOk(res.body.includes('Later ingetrokken'), 'no content');
      const again = await req('GET', `/v1/articles/${a.id}/ninjs`, {
        ...(as ? { as } : {}),
        headers: { 'if-none-match': res.headers.etag as string },
      });
      t.equal(again.statusCode, 304);
    }
    t.equal((await req('GET', `/v1/articles/${a.id}`)).statusCode, 404, 'the article itself stays hidden');

    const preview = await req('GET', `/v1/articles/${a.id}/ninjs`, { as: 'preview' });
    const full = preview.json();
    valid(t, full);
    t.equal(full.pubStatus, 'canceled');
    t.equal(full.headlines[0].value, 'Later ingetrokken');
    t.ok(full.edNote);
    t.not(preview.headers.etag, (await req('GET', `/v1/articles/${a.id}/ninjs`)).headers.etag);

    const republished = await publish(a.id);
    const back = (await req('GET', `/v1/articles/${a.id}/ninjs`)).json();
    t.equal(back.pubStatus, 'usable', 'republishing makes it usable again');
    t.equal(back.version, String(republished.version));
  },
);

t.test('embargoed: hidden from readers, visible with embargoedUntil to partners', async (t) => {
  const until = new Date(Date.now() + 3600e3).toISOString();
  const a = await article({ headline: 'Onder embargo', embargoedUntil: until });
  await publish(a.id);
  for (const as of [undefined, 'read'] as const)
    t.equal((await req('GET', `/v1/articles/${a.id}/ninjs`, as ? { as } : {})).statusCode, 404);
  for (const as of ['embargo', 'preview'] as const) {
    const res = await req('GET', `/v1/articles/${a.id}/ninjs`, { as });
    t.equal(res.statusCode, 200, as);
    valid(t, res.json());
    t.equal(res.json().embargoedUntil, until);
    t.equal(res.json().pubStatus, 'usable');
  }
});

t.test('unknown and malformed refs', async (t) => {
  t.equal((await req('GET', '/v1/articles/geen-artikel/ninjs')).statusCode, 404);
  t.equal((await req('GET', '/v1/articles/bad%20ref/ninjs')).statusCode, 400);
});
