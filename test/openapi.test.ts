import { readFileSync } from 'node:fs';
import t from 'tap';
import { OPENAPI_FILE, renderOpenapi, validateOpenapi } from '../src/cli/openapi.js';
import { buildTestApp } from './helpers/app.js';

const ctx = await buildTestApp(t);

t.test('the committed openapi.json is what the code produces', async (t) => {
  const committed = readFileSync(OPENAPI_FILE, 'utf8');
  t.ok(
    committed === renderOpenapi(ctx.app),
    'no drift: run `npm run openapi` after changing routes or schemas',
  );
});

t.test('an independent validator accepts it as OpenAPI 3.1', async (t) => {
  t.same(await validateOpenapi(renderOpenapi(ctx.app)), []);
});

t.test('every operation has an id, tags, a summary and declares its errors as problems', async (t) => {
  const doc = ctx.app.swagger() as unknown as {
    paths: Record<
      string,
      Record<
        string,
        {
          operationId?: string;
          tags?: string[];
          summary?: string;
          responses: Record<string, { content?: Record<string, unknown> }>;
        }
      >
    >;
  };
  const ids = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const name = `${method.toUpperCase()} ${path}`;
      t.ok(op.operationId, `${name} has an operationId`);
      t.notOk(ids.has(op.operationId!), `${name} operationId is unique`);
      ids.add(op.operationId!);
      t.ok(op.tags?.length, `${name} has tags`);
      t.ok(op.summary, `${name} has a summary`);
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400) {
          t.ok(response.content?.['application/problem+json'], `${name} ${status} is a problem`);
        }
      }
    }
  }
});

t.test('every parameter and every field of the named schemas is described', async (t) => {
  type Schema = { description?: string; properties?: Record<string, Schema> };
  const doc = ctx.app.swagger() as unknown as {
    paths: Record<
      string,
      Record<string, { parameters?: { name: string; in: string; description?: string }[] }>
    >;
    components: { schemas: Record<string, Schema> };
  };
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const p of op.parameters ?? []) {
        t.ok(p.description, `${method.toUpperCase()} ${path}: ${p.in} parameter ${p.name} is described`);
      }
    }
  }
  // The `.meta()` text reaches the components too (it did not while the document read a
  // registry of its own).
  const article = doc.components.schemas.Article!;
  t.match(article.properties?.version?.description, /every change/);
});

t.test('Swagger UI and the live document are served', async (t) => {
  const ui = await ctx.req('GET', '/docs/');
  t.equal(ui.statusCode, 200);
  t.match(ui.headers['content-type'], /text\/html/);
  const doc = await ctx.req('GET', '/openapi.json');
  t.equal(doc.statusCode, 200);
  t.equal(doc.json().openapi, '3.1.0');
  t.ok(doc.json().components.securitySchemes.bearer, 'bearer auth so "Try it out" works');
});
