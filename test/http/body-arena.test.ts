import t from 'tap';
import { BodyArena, type Segment } from '../../src/http/body-arena.js';

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

t.test('a segment a response is being written from is not overwritten', async (t) => {
  const { a, evicted } = arena(100, 2);
  const first = a.keep('/first', body(60, 'a'))!;
  first.segment.sending++;
  a.keep('/second', body(60, 'b'));
  a.keep('/third', body(60, 'c'));
  t.same(evicted, ['/first'], 'its entries leave all the same');
  t.equal(first.body.toString(), body(60, 'a'), 'the bytes being sent are untouched');
  t.equal(a.allocated, 200, 'a new segment took its place in the ring');
  first.segment.sending--;
  // The busy segment left the ring: it is the garbage collector's once nothing refers to it.
  t.equal(a.sending, 0);
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
