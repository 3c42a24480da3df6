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
  t.equal(start, `node ${SERVER_NODE_FLAGS.join(' ')} ${KOPIJ_SCRIPT}`);
  // The final stage, continuation lines joined: what a build stage sets never reaches the CMD.
  const text = readFileSync(new URL('Dockerfile', root), 'utf8').replace(/\\\n/g, ' ');
  const final = text.slice(text.lastIndexOf('\nFROM ')).split('\n');
  const cmd = final.find((line) => line.startsWith('CMD '));
  t.same(JSON.parse(cmd!.slice(4)), ['node', ...SERVER_NODE_FLAGS, KOPIJ_SCRIPT]);
  // The bench's environment, as the image's ENV lines before the CMD set it.
  const env = Object.fromEntries(
    final
      .slice(0, final.indexOf(cmd!))
      .filter((line) => line.startsWith('ENV '))
      .flatMap((line) => line.slice(4).trim().split(/\s+/))
      .map((pair) => pair.split('=')),
  );
  for (const [k, v] of Object.entries(SERVER_ENV)) t.equal(env[k], v, `the image sets ${k}=${v}`);
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
