import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import t from 'tap';
import { baseEnv, freePort, KOPIJ_SCRIPT, ROOT, SERVER_NODE_FLAGS, startNode } from '../../bench/servers.js';

const run = promisify(execFile);

/**
 * `npm start` runs the compiled server (prestart: `npm run build`, src -> dist), not the
 * TypeScript through a loader. The build must produce a server that starts, finds its
 * migrations from dist/, and answers.
 */
t.test('npm start: the build serves the API from dist on the embedded database', async (t) => {
  const { scripts } = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as {
    scripts: Record<string, string>;
  };
  t.equal(scripts.prestart, 'npm run -s build');
  t.equal(scripts.build, 'tsc -p tsconfig.build.json');
  await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
  });
  const port = await freePort();
  const server = await startNode({
    name: 'kopij',
    script: KOPIJ_SCRIPT,
    nodeArgs: SERVER_NODE_FLAGS,
    env: {
      ...baseEnv(),
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: 'memory://',
      LOG_LEVEL: 'warn',
    },
    port,
    readyPath: '/readyz',
    timeoutMs: 60_000,
  });
  t.teardown(() => server.stop());
  const res = await fetch(`${server.url}/v1/articles`);
  t.equal(res.status, 200);
  t.same(((await res.json()) as { data: unknown[] }).data, [], 'migrated and answering');
});
