import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { KOPIJ_SCRIPT, SERVER_ENV, SERVER_NODE_FLAGS } from '../../bench/servers.js';

// The benchmarks measure the server as it is deployed: `npm start`, the Docker image, the
// bench and the fault tests must start it with the same Node flags, and the first three the
// same compiled script.
const root = new URL('../../', import.meta.url);

t.test('npm start, the Dockerfile and the bench start the server with the same Node flags', async (t) => {
  const start: string = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).scripts.start;
  // The environment first, each variable unless the caller set it.
  const env = Object.entries(SERVER_ENV).map(([k, v]) => `${k}=\${${k}:-${v}}`);
  t.equal(start, [...env, 'node', ...SERVER_NODE_FLAGS, KOPIJ_SCRIPT].join(' '));
  const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8').split('\n');
  const cmd = dockerfile.find((line) => line.startsWith('CMD '));
  t.same(JSON.parse(cmd!.slice(4)), ['node', ...SERVER_NODE_FLAGS, KOPIJ_SCRIPT]);
  for (const [k, v] of Object.entries(SERVER_ENV))
    t.ok(dockerfile.includes(`ENV ${k}=${v}`), `Dockerfile sets ${k}`);
});

t.test('this Node accepts the flags, and they bound the heap', async (t) => {
  const limit = execFileSync(
    process.execPath,
    [
      ...SERVER_NODE_FLAGS,
      '-e',
      'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))',
    ],
    { encoding: 'utf8' },
  );
  // 512 MiB of old space plus the young generation: not Node's default of ~4 GB here.
  t.ok(Number(limit) > 512 * 2 ** 20 && Number(limit) < 600 * 2 ** 20, `heap_size_limit ${limit}`);
});
