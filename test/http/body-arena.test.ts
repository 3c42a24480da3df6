import { EventEmitter } from 'node:events';
import t from 'tap';
import { BodyArena } from '../../src/http/body-arena.js';
import { pinWhileSent, TaggedCache } from '../../src/plugins/response-cache.js';

/** An arena of `segments` segments of `size` bytes that records what it evicts. */
function arena(size: number, segments: number) {
  const evicted: string[] = [];
  const a = new BodyArena(size * segments, (key) => evicted.push(key), size);
  return { a, evicted };
}

const body = (n: number, fill = 'x') => fill.repeat(n);

t.test('keeps the bytes of a string as UTF-8 and of a Buffer as they are', async (t) => {
  const { a } = arena(1024, 2);
  const text = '{"headline":"‘Dit is geen crisis’, zegt Van der Berg — één"}';
  const s = a.keep('/a', text)!;
  t.equal(s.body.toString('utf8'), text);
  t.equal(s.body.byteLength, Buffer.byteLength(text));
  const bytes = Buffer.from([0, 1, 2, 255]);
  t.same([...a.keep('/b', bytes)!.body], [...bytes]);
  t.equal(a.keep('/c', body(1025)), undefined, 'a body larger than a segment is not kept');
  t.equal(a.keep('/d', ''), undefined, 'nor an empty one');
});

t.test('its memory is its budget, however much passes through', async (t) => {
  const { a, evicted } = arena(1000, 4);
  const kept = new Map<string, Buffer>();
  for (let i = 0; i < 400; i++) {
    const key = `/p/${i}`;
    kept.set(key, a.keep(key, body(90 + (i % 7) * 20, String(i % 10)))!.body);
    t.ok(a.allocated <= 4000, 'never more than four segments');
  }
  t.equal(a.allocated, 4000);
  // Everything evicted was overwritten or may be; everything not evicted still reads back.
  const gone = new Set(evicted);
  for (const [key, b] of kept) {
    if (gone.has(key)) continue;
    const i = Number(key.split('/')[2]);
    t.equal(b.toString(), body(90 + (i % 7) * 20, String(i % 10)), `${key} intact`);
  }
  t.ok(gone.size > 300 && gone.size < 400, 'the oldest segments went, the newest stayed');
});

t.test('a reused segment overwrites the slices in it: why a segment being sent from is pinned', async (t) => {
  const { a, evicted } = arena(100, 1);
  const first = a.keep('/first', body(60, 'a'))!;
  a.keep('/second', body(60, 'b'));
  t.same(evicted, ['/first']);
  t.equal(first.body.toString(), body(60, 'b'), 'the old view now reads the new bytes');
  t.equal(a.allocated, 100, 'the one segment was reused, not replaced');
});

t.test('a body read while its segment is next to be reused moves forward', async (t) => {
  const { a, evicted } = arena(100, 3);
  const hot = a.keep('/hot', body(30, 'h'))!;
  a.keep('/cold', body(30, 'c'));
  a.keep('/s2', body(90, '2'));
  a.keep('/s3', body(40, '3'));
  // Segment 1 (hot, cold) is next in turn; the current one (s3) has room.
  const moved = a.refresh('/hot', hot);
  t.not(moved.segment, hot.segment, 'copied into the current segment');
  t.equal(moved.body.toString(), body(30, 'h'));
  t.equal(
    a.refresh('/s3', { body: moved.body, segment: moved.segment }).segment,
    moved.segment,
    'the current segment stays',
  );
  a.keep('/s4', body(60, '4'));
  t.same(evicted, ['/hot', '/cold'], 'the old segment was reused');
  t.equal(moved.body.toString(), body(30, 'h'), 'the moved copy survives it');
});

t.test('nothing moves before the ring is full or into a full segment', async (t) => {
  const { a } = arena(100, 3);
  a.keep('/filler', body(60));
  const one = a.keep('/one', body(30, '1'))!;
  a.keep('/two', body(50));
  // Two of three segments: a new one comes before the first is reused, so /one stays put
  // though the current segment has room for it.
  t.equal(a.refresh('/one', one), one, 'a ring with room for another segment moves nothing');
  a.keep('/three', body(60));
  a.keep('/four', body(40));
  // The ring is full and /one's segment is next in turn, but the current one is full.
  t.equal(a.refresh('/one', one), one, 'no room in the current segment: it stays');
  t.equal(one.body.toString(), body(30, '1'), 'its bytes untouched');
});

const meta = (tags: string[]) => ({
  etag: undefined,
  link: undefined,
  contentType: 'application/json; charset=utf-8',
  cacheControl: 'public, max-age=60',
  vary: undefined,
  tags,
});

t.test('a body being sent is never overwritten: its segment leaves the ring instead', async (t) => {
  // One segment, just room for one body: the second one needs the first one's space.
  const cache = new TaggedCache({ maxEntries: 10, maxBytes: 100 });
  const one = cache.set('/one', body(60, '1'), meta(['article:1']))!;
  const release = cache.pin(one);
  t.equal(cache.sending, 1);
  const two = cache.set('/two', body(60, '2'), meta(['article:2']))!;
  t.equal(cache.get('/one'), undefined, 'the first entry left all the same');
  t.equal(one.body.toString(), body(60, '1'), 'the bytes being sent are untouched');
  t.equal(cache.bytes, 200, 'a new segment took its place; the old one is counted until done');
  // With as many segments out as the ring holds, a busy turn keeps nothing new.
  const releaseTwo = cache.pin(two);
  t.equal(cache.set('/three', body(60, '3'), meta(['article:3'])), undefined, 'nothing kept');
  t.equal(cache.get('/two')?.body.toString(), body(60, '2'), 'and nothing evicted');
  t.equal(cache.bytes, 200, 'memory stays within twice the budget');
  release();
  release();
  t.equal(one.segment.sending, 0, 'a release counts once');
  t.equal(cache.bytes, 100, "the first segment is the collector's once done (released once)");
  t.ok(cache.set('/three', body(60, '3'), meta(['article:3'])), 'kept again');
  t.equal(two.body.toString(), body(60, '2'), 'still untouched');
  releaseTwo();
  t.equal(cache.sending, 0);
  t.equal(cache.bytes, 100);
});

t.test('a newer answer that cannot be kept does not leave the older one behind', async (t) => {
  const cache = new TaggedCache({ maxEntries: 10, maxBytes: 100 });
  cache.pin(cache.set('/a', body(60, 'a'), meta(['article:1']))!);
  cache.pin(cache.set('/b', body(60, 'b'), meta(['article:2']))!);
  // Both segments busy and the one out of the ring counts against it: nothing is kept.
  t.equal(cache.set('/b', body(60, 'B'), meta(['article:2'])), undefined);
  t.equal(cache.get('/b'), undefined, 'the old answer to /b is gone');
});

t.test('an expired entry leaves with its segment too', async (t) => {
  const cache = new TaggedCache({ maxEntries: 10, maxBytes: 100 });
  cache.set('/page', body(60, 'p'), meta(['article:*']), 1);
  await new Promise((r) => setTimeout(r, 20));
  cache.set('/item', body(60, 'i'), meta(['article:1']));
  t.equal(cache.size, 1, 'nothing is left pointing at reused bytes');
});

/** What pinWhileSent reads of a response. */
function response(opts: { destroyed?: boolean; socket?: boolean } = {}) {
  const res = new EventEmitter() as EventEmitter & { destroyed: boolean; socket: object | null };
  res.destroyed = opts.destroyed ?? false;
  res.socket = opts.socket === false ? null : {};
  return res;
}

t.test('a response pins the segment it is sent from until it closes', async (t) => {
  const cache = new TaggedCache({ maxEntries: 10, maxBytes: 100 });
  const entry = cache.set('/one', body(60, '1'), meta(['article:1']))!;
  const res = response();
  pinWhileSent(cache, res as never, entry);
  t.equal(cache.sending, 1, 'pinned while it is written');
  res.emit('close');
  t.equal(cache.sending, 0, 'released by close');
  res.emit('close');
  t.equal(cache.sending, 0, 'once');

  pinWhileSent(cache, response({ destroyed: true }) as never, entry);
  t.equal(cache.sending, 0, 'a response already destroyed writes nothing: no pin');

  // Queued behind another pipelined response: no socket yet, and close may never come.
  const queued = response({ socket: false });
  pinWhileSent(cache, queued as never, entry);
  t.equal(cache.sending, 1);
  queued.emit('close');
  t.equal(cache.sending, 0, 'released by close when it comes');
});
