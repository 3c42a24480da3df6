import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

const ctx = await buildTestApp(t);
const { req } = ctx;

const API = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'cross-origin-resource-policy': 'cross-origin',
};
// helmet's browser headers: meaningless on JSON, 245 bytes on every response.
const DROPPED = [
  'x-dns-prefetch-control',
  'x-download-options',
  'origin-agent-cluster',
  'x-xss-protection',
  'x-permitted-cross-domain-policies',
  'content-security-policy',
];

t.test('every API response, refusals included, carries the few headers that matter', async (t) => {
  const cases: [string, string | undefined, number][] = [
    ['/v1/articles', undefined, 200],
    ['/v1/articles/0196a3c2-7f4e-7b21-9c3d-5e8f1a2b3c4d', undefined, 404],
    ['/v1/no-such-route', undefined, 404],
    ['/v1/keys', 'read', 403],
    ['/v1/articles?limit=abc', undefined, 400],
  ];
  for (const [url, as, status] of cases) {
    const res = await req('GET', url, as ? { as: as as 'read' } : {});
    t.equal(res.statusCode, status, url);
    t.match(res.headers, API, url);
    for (const h of [...DROPPED, 'x-frame-options', 'referrer-policy', 'cross-origin-opener-policy']) {
      t.notOk(h in res.headers, `${url}: no ${h}`);
    }
  }
  const unauthorized = await req('GET', '/v1/articles', { headers: { authorization: 'Bearer nope' } });
  t.equal(unauthorized.statusCode, 401);
  t.match(unauthorized.headers, API, '401 too');
});

t.test('Swagger UI still works, with the headers an HTML page needs', async (t) => {
  const page = await req('GET', '/docs/');
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  t.match(page.headers, {
    ...API,
    'x-frame-options': 'SAMEORIGIN',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  });
  for (const h of DROPPED) t.notOk(h in page.headers, `no ${h}`);
  const spec = await req('GET', '/docs/json');
  t.equal(spec.statusCode, 200);
  t.equal(spec.json().openapi, '3.1.0');
});
