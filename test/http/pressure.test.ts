import t from 'tap';
import { buildTestApp } from '../helpers/app.js';

// The embedded database blocks the loop while it works, so the app sheds even its own
// setup requests: it makes no keys, and the test reads anonymously.
const ctx = await buildTestApp(t, { MAX_EVENT_LOOP_DELAY_MS: '50' }, { keys: false });

function blockEventLoop(ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // deliberately busy: an overloaded process
  }
}

t.test('a blocked event loop sheds requests with 503 + Retry-After, then recovers (row 45)', async (t) => {
  // under-pressure samples the loop delay on a timer: keep the loop blocked until it notices.
  let shed = await ctx.req('GET', '/v1/people');
  for (let i = 0; i < 20 && shed.statusCode !== 503; i++) {
    blockEventLoop(300);
    await new Promise((r) => setTimeout(r, 5));
    shed = await ctx.req('GET', '/v1/people');
  }
  t.equal(shed.statusCode, 503);
  t.equal(shed.headers['retry-after'], '5');
  t.match(String(shed.headers['content-type']), /application\/problem\+json/);
  t.equal((await ctx.req('GET', '/healthz')).statusCode, 200, 'liveness still answers');
  let recovered = false;
  for (let i = 0; i < 100 && !recovered; i++) {
    await new Promise((r) => setTimeout(r, 100));
    recovered = (await ctx.req('GET', '/v1/people')).statusCode === 200;
  }
  t.ok(recovered, 'answers 200 again once the pressure is gone');
});
