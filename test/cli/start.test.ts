import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import {
  baseEnv,
  freePort,
  KOPIJ_SCRIPT,
  ROOT,
  SERVER_ENV,
  SERVER_NODE_FLAGS,
  startNode,
} from '../../bench/servers.js';
import { EXTERNAL } from '../../src/cli/bundle.js';
import { freshDatabaseUrl, serverUrl } from '../faults/helpers.js';

const run = promisify(execFile);

/** The files a module of the bundle imports statically (import ... from "x"), not import("x"). */
function staticImports(code: string): string[] {
  return [...code.matchAll(/(?:^|[;}\s])import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)].map(
    (m) => m[1]!,
  );
}

/** Every package the bundle's entry loads at start, through its chunks' static imports. */
function loadedAtStart(file: string, seen = new Set<string>()): Set<string> {
  for (const spec of staticImports(readFileSync(file, 'utf8'))) {
    if (!spec.startsWith('./')) seen.add(spec);
    else if (!seen.has(spec)) {
      seen.add(spec);
      loadedAtStart(join(dirname(file), spec), seen);
    }
  }
  return seen;
}

t.test('every package the bundle leaves out is a dependency of the project', async (t) => {
  // A package only another dependency brings (pino, through fastify) loads where npm happens
  // to hoist it, and not at all where an install does not (pnpm, a pruned image).
  const { dependencies } = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as {
    dependencies: Record<string, string>;
  };
  t.ok(EXTERNAL.includes('pino'));
  for (const name of EXTERNAL) t.ok(dependencies[name], `${name} is in package.json dependencies`);
});

/**
 * `npm start` runs the compiled server (prestart: `npm run build`: tsc, src -> dist, then the
 * server bundled into dist/bundle/), not the TypeScript through a loader. The build
 * must produce a server that starts, finds its migrations, and answers; the bundle must hold
 * nothing that only works next to a package's own files.
 */
t.test('npm start: the build serves the API from the bundle, on the suite’s database', async (t) => {
  const { scripts } = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as {
    scripts: Record<string, string>;
  };
  t.equal(scripts.prestart, 'npm run -s build');
  t.equal(scripts.build, 'tsc -p tsconfig.build.json && node dist/cli/bundle.js');
  t.equal(KOPIJ_SCRIPT, 'dist/bundle/server.js');
  await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
  });
  rmSync(join(ROOT, dirname(KOPIJ_SCRIPT)), { recursive: true, force: true });
  await run(process.execPath, ['dist/cli/bundle.js'], { cwd: ROOT });
  t.ok(existsSync(join(ROOT, KOPIJ_SCRIPT)), 'bundled afresh');

  // An ES module has no __dirname, __filename or require.resolve: a bundled CommonJS package
  // that used them would fail where it reaches them. Such packages stay external.
  const dir = join(ROOT, dirname(KOPIJ_SCRIPT));
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  const code = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  for (const name of ['__dirname', '__filename', 'require.resolve'])
    t.notOk(code.includes(name), `the bundle does not use ${name}`);
  // Names as in the source: pg's errors log as DatabaseError, not as a renamed copy.
  t.match(code, /class extends Error\{static\{__name\(this,"DatabaseError"\)/);

  // What the entry loads at start, following its chunks: the dependencies are inside (fastify,
  // zod and pg are not imported from node_modules), PGlite is not (the embedded database's
  // chunk is imported only when that database is used).
  const atStart = [...loadedAtStart(join(ROOT, KOPIJ_SCRIPT))];
  t.ok(atStart.includes('@fastify/swagger'), 'the entry’s static imports are read');
  t.ok(
    atStart.some((spec) => spec.startsWith('./chunk-')),
    'and followed into its chunks',
  );
  for (const dep of ['fastify', 'zod', 'pg']) t.notOk(atStart.includes(dep), `${dep} is bundled`);
  const pgliteChunk = files.find((f) => f.startsWith('pglite-'));
  t.ok(pgliteChunk, 'the PGlite driver has a chunk of its own');
  t.same(
    atStart.filter((spec) => spec.includes('pglite')),
    [],
    'nothing of PGlite is imported at start',
  );

  const port = await freePort();
  const adminKey = `start-admin-${'x'.repeat(32)}`;
  const server = await startNode({
    name: 'kopij',
    script: KOPIJ_SCRIPT,
    nodeArgs: SERVER_NODE_FLAGS,
    env: {
      ...baseEnv(),
      ...SERVER_ENV,
      PORT: String(port),
      HOST: '127.0.0.1',
      // The suite's database: PGlite, or PostgreSQL when the suite runs against a server.
      DATABASE_URL: serverUrl ? await freshDatabaseUrl(t) : 'memory://',
      LOG_LEVEL: 'warn',
      ADMIN_KEY: adminKey,
    },
    port,
    readyPath: '/readyz',
    timeoutMs: 60_000,
  });
  t.teardown(() => server.stop());
  const res = await fetch(`${server.url}/v1/articles`);
  t.equal(res.status, 200);
  t.same(((await res.json()) as { data: unknown[] }).data, [], 'migrated and answering');

  const post = (body: unknown) =>
    fetch(`${server.url}/v1/articles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const created = await post({
    language: 'nl',
    headline: 'Kabinet valt',
    body: [{ type: 'paragraph', text: 'Ja.' }],
  });
  t.equal(created.status, 201, 'a write goes through validation, the database and serialization');
  t.match(await created.json(), { slug: 'kabinet-valt', status: 'draft', version: 1 });
  const invalid = await post({ language: 'nl' });
  t.equal(invalid.status, 400);
  t.equal(invalid.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  t.match(await invalid.json(), { errors: [{ path: 'body.headline' }] });

  // The external packages still load from node_modules.
  const openapi = await fetch(`${server.url}/openapi.json`);
  t.equal(openapi.status, 200);
  t.match(await openapi.json(), { openapi: /^3\.1\./ });
  const docs = await fetch(`${server.url}/docs/`);
  t.equal(docs.status, 200);
  t.match(await docs.text(), /swagger/i, 'Swagger UI and its static files');
  const atom = await fetch(`${server.url}/v1/feeds/articles.atom`);
  t.equal(atom.status, 200);
  t.match(await atom.text(), /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
});
