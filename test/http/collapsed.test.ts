import t from 'tap';
import { COLLAPSE_WAIT_MS, Collapsed } from '../../src/plugins/response-cache.js';

// The bookkeeping behind request collapsing (the HTTP behaviour is in response-cache.test.ts):
// who leads, who is woken, and that a leader which never answers is not waited for forever.
const settled = async (p: Promise<void>) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))]);

t.test('one leader per URL; its answer wakes the waiters; only the leader can finish', async (t) => {
  const c = new Collapsed();
  const [a, b] = [{}, {}];
  t.ok(c.lead('/x', a));
  t.notOk(c.lead('/x', b), 'a second miss waits');
  t.ok(c.lead('/y', b), 'another URL has its own leader');
  const waiting = c.wait('/x');
  t.equal(c.waiters('/x'), 1);
  c.finish('/x', b);
  t.notOk(await settled(waiting), 'not woken by a request that does not lead /x');
  c.finish('/x', a);
  t.ok(await settled(waiting), 'woken by the leader');
  t.equal(c.waiters('/x'), 0);
  t.ok(c.lead('/x', b), 'the URL is free again');
});

t.test('a leader that never answers is replaced after COLLAPSE_WAIT_MS, its waiters woken', async (t) => {
  let now = 1_000;
  const c = new Collapsed(() => now);
  const [stuck, next] = [{}, {}];
  t.ok(c.lead('/x', stuck));
  const waiting = c.wait('/x');
  now += COLLAPSE_WAIT_MS - 1;
  t.notOk(c.lead('/x', next), 'still within the wait');
  now += 1;
  t.ok(c.lead('/x', next), 'the stuck leader is not waited for any more');
  t.ok(await settled(waiting), 'and whoever waited for it goes on');
  c.finish('/x', stuck);
  t.equal(c.waiters('/x'), 0);
  t.notOk(c.lead('/x', stuck), 'a late finish of the old leader does not free the new one');
});
