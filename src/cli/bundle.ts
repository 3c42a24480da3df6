import { existsSync, realpathSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The second half of `npm run build`: tsc's output for the server (dist/server.js and the
 * modules it imports) and its dependencies, bundled into dist/bundle/: server.js, which
 * `npm start` and the Docker image run, and the chunks it imports when needed.
 *
 * Why: a process that loads ~400 modules keeps each one's source text, module record and
 * scope on V8's heap. A bundle, with whitespace and dead code dropped (zod's 50 locales,
 * drizzle's other dialects), holds less RSS under load at the same throughput (BENCHMARKS.md,
 * eleventh session).
 *
 * What is not bundled: packages that find files next to their own code at run time (PGlite's
 * WebAssembly and data files, Swagger UI's static assets, @fastify/swagger's package.json),
 * pino (its transports run in worker threads loaded by file path), and pg's optional native
 * driver. They load from node_modules as before.
 *
 * Code splitting keeps what a dynamic import() loads out of the start: drizzle's PGlite driver
 * imports PGlite (~3 MB), which a server on PostgreSQL never needs. In one file, esbuild would
 * hoist that import to the top.
 *
 * Names are kept: identifiers are not minified, and `keepNames` gives functions and classes the
 * names of their source where minifySyntax or a collision between two modules' names would
 * change them (pg's DatabaseError would log as DatabaseError2, Fastify plugins lose their
 * names). `node --enable-source-maps` maps frames through the linked source maps to the files
 * and lines of tsc's output in dist/ (which has no maps of its own; it follows src/ closely).
 * Profiles that attribute time to packages by file (`npm run bench -- --profile`) run the
 * unbundled dist/server.js, the same compiled code.
 *
 * The bundle's files sit two directories below the project, like every compiled module that
 * looks for a sibling of src/ (dist/db/migrate.js finds `../../migrations`): the same relative
 * paths hold.
 */
export const BUNDLE_FILE = 'dist/bundle/server.js';

/** Loaded from node_modules at run time, so each is a dependency of the project's own. */
export const EXTERNAL = ['@electric-sql/pglite', '@fastify/swagger', '@fastify/swagger-ui', 'pino'];
/** pg's native driver: never installed; pg requires it only when asked for `pg.native`. */
const OPTIONAL_EXTERNAL = ['pg-native'];

/** `pkg` and `pkg/sub/path` of the packages above. */
const external = [...EXTERNAL, ...OPTIONAL_EXTERNAL].flatMap((name) => [name, `${name}/*`]);

/** Bundles the project at `root` (an absolute path). */
export async function bundle(root: string): Promise<void> {
  // Chunks are named by content hash: last build's would stay next to this one's.
  rmSync(`${root}/${dirname(BUNDLE_FILE)}`, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: ['dist/server.js'],
    outdir: dirname(BUNDLE_FILE),
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external,
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __kopijRequire } from 'node:module'; const require = __kopijRequire(import.meta.url);",
    },
  });
}

// Run as a script (also through a symlinked checkout: argv is not resolved, import.meta.url is).
const script = process.argv[1];
if (script && existsSync(script) && realpathSync(script) === fileURLToPath(import.meta.url)) {
  await bundle(fileURLToPath(new URL('../..', import.meta.url)));
}
