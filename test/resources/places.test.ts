import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req } = ctx;

async function create(body: Record<string, unknown>) {
  const res = await req('POST', '/v1/places', { as: 'write', body });
  if (res.statusCode !== 201) throw new Error(res.body);
  return res.json();
}

t.test('nested places with exonyms and coordinates', async (t) => {
  const ua = await create({
    name: 'Oekraïne',
    aliases: ['Ukraine', 'Україна'],
    kind: 'country',
    countryCode: 'UA',
  });
  t.equal(ua.slug, 'oekraine');
  const region = await create({ name: 'Donetsk', kind: 'region', parentId: ua.id, countryCode: 'UA' });
  const city = await create({
    name: 'Marioepol',
    aliases: ['Mariupol', 'Маріуполь'],
    kind: 'city',
    parentId: region.id,
    location: { lat: 47.0971, lon: 37.5434 },
    geonamesId: '701822',
    wikidataId: 'Q156303',
  });
  t.same(city.location, { lat: 47.0971, lon: 37.5434 });
  t.equal(city.parentId, region.id);
  const site = await create({ name: 'Azovstal', kind: 'site', parentId: city.id });
  t.equal(site.parentId, city.id);

  const inside = await req('GET', `/v1/places?parent=${city.slug}`);
  t.same(
    inside.json().data.map((p: { slug: string }) => p.slug),
    ['azovstal'],
  );
  const byExonym = await req('GET', '/v1/places?q=Mariupol');
  t.equal(byExonym.json().data[0].slug, 'marioepol');
  const cities = await req('GET', '/v1/places?kind=city');
  t.same(
    cities.json().data.map((p: { slug: string }) => p.slug),
    ['marioepol'],
  );

  t.test('a parent cycle is a 400 and changes nothing', async (t) => {
    const res = await req('PATCH', `/v1/places/${ua.id}`, {
      as: 'write',
      body: { parentId: site.id },
      headers: { 'if-match': '"1"' },
    });
    t.equal(res.statusCode, 400);
    t.equal(res.json().errors[0].path, 'body.parentId');
    const self = await req('PATCH', `/v1/places/${ua.id}`, {
      as: 'write',
      body: { parentId: ua.id },
      headers: { 'if-match': '"1"' },
    });
    t.equal(self.statusCode, 400);
    t.equal((await req('GET', `/v1/places/${ua.id}`)).json().version, 1);
  });

  t.test('unknown parent is 422 naming the field', async (t) => {
    const res = await req('POST', '/v1/places', {
      as: 'write',
      body: { name: 'X', kind: 'city', parentId: '01900000-0000-7000-8000-000000000000' },
    });
    t.equal(res.statusCode, 422);
    t.equal(res.json().errors[0].path, 'body.parentId');
  });

  t.test('a place with places inside cannot be deleted', async (t) => {
    const res = await req('DELETE', `/v1/places/${city.id}`, { as: 'write', headers: { 'if-match': '"1"' } });
    t.equal(res.statusCode, 409);
    t.match(res.json().detail, /1 place/);
    t.equal((await req('GET', `/v1/places/${city.id}`)).statusCode, 200);
  });

  t.test('patch location, null removes it', async (t) => {
    const res = await req('PATCH', `/v1/places/${city.id}`, {
      as: 'write',
      body: { location: null },
      headers: { 'if-match': '"1"' },
    });
    t.equal(res.statusCode, 200);
    t.equal(res.json().location, null);
    t.equal(res.json().geonamesId, '701822');
  });
});

t.test('validation of kind, country, coordinates', async (t) => {
  const cases: [Record<string, unknown>, string][] = [
    [{ name: 'X', kind: 'planet' }, 'body.kind'],
    [{ name: 'X', kind: 'city', countryCode: 'ukr' }, 'body.countryCode'],
    [{ name: 'X', kind: 'city', location: { lat: 91, lon: 0 } }, 'body.location.lat'],
    [{ name: 'X', kind: 'city', location: { lat: 1 } }, 'body.location.lon'],
    [{ name: 'X', kind: 'city', wikidataId: 'Q0' }, 'body.wikidataId'],
    [{ name: '', kind: 'city' }, 'body.name'],
    [{ name: 'a\u0000b', kind: 'city' }, 'body.name'],
    [{ name: 'a\ud800b', kind: 'city' }, 'body.name'],
  ];
  for (const [body, path] of cases) {
    const res = await req('POST', '/v1/places', { as: 'write', body });
    t.equal(res.statusCode, 400, JSON.stringify(body));
    t.equal(res.json().errors?.[0]?.path, path);
  }
});
