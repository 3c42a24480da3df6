import t from 'tap';
import { BodyArena, type Segment } from '../../src/http/body-arena.js';
import { TaggedCache } from '../../src/plugins/response-cache.js';

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

t.test('a reused segment overwrites the slices in it: what leaves the arena must be a copy', async (t) => {
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
  const { a } = arena(100, 2);
  const one = a.keep('/one', body(50))!;
  t.equal(a.refresh('/one', one), one, 'a ring with room for another segment overwrites nothing');
  a.keep('/two', body(100));
  t.equal(a.refresh('/one', one), one, 'no room in the current segment');
  const seg: Segment = one.segment;
  t.equal(seg.used, 50);
});

const meta = (tags: string[]) => ({
  etag: undefined,
  link: undefined,
  contentType: 'application/json; charset=utf-8',
  cacheControl: 'public, max-age=60',
  vary: undefined,
  tags,
});

t.test(
  'the cache hands out copies: reusing the space does not change a body already handed out',
  async (t) => {
    // One segment, just room for one body: the second one reuses the first one's bytes.
    const cache = new TaggedCache({ maxEntries: 10, maxBytes: 100 });
    const stored = cache.set('/one', body(60, '1'), meta(['article:1']))!;
    const read = cache.get('/one')!;
    cache.set('/two', body(60, '2'), meta(['article:2']));
    t.equal(cache.get('/one'), undefined, 'the first entry left with its bytes');
    t.equal(stored.body.toString(), body(60, '1'), 'what the miss sent is intact');
    t.equal(read.body.toString(), body(60, '1'), 'what a hit sent is intact');
    t.equal(cache.get('/two')!.body.toString(), body(60, '2'));
  },
);

t.test('an expired entry leaves with its segment too', async (t) => {
  const cache = new TaggedCache({ maxEntries: 10, maxBytes: 100 });
  cache.set('/page', body(60, 'p'), meta(['article:*']), 1);
  await new Promise((r) => setTimeout(r, 20));
  cache.set('/item', body(60, 'i'), meta(['article:1']));
  t.equal(cache.size, 1, 'nothing is left pointing at reused bytes');
});
