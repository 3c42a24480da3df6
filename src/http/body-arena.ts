/**
 * Where the response cache keeps its bodies: a ring of large segments written in turn, the
 * oldest reused when the budget is spent, instead of one allocation per body.
 *
 * A body kept as a Buffer of its own is freed only when V8 next collects it, and a cache that
 * turns over quickly (deep pages of the archive, items with their includes) held in dead
 * bodies and in the holes they left in malloc's heap about twice its budget again
 * (BENCHMARKS.md, tenth session). Here the cache's memory is its budget: segments are allocated
 * once and reused, and what is evicted is only overwritten.
 *
 * Responses are written from the kept bytes themselves (a copy per hit of a 50 KB page costs
 * more than the hit: BENCHMARKS.md), so a segment is pinned while a response is written from
 * it. A pinned segment is never overwritten: when its turn comes it leaves the ring, a new one
 * takes its place, and it is the garbage collector's once its last response is done. At most
 * as many segments as the ring holds may be out like that (slow or stalled clients); beyond
 * that nothing new is kept until one of them is done.
 */

/** The most a segment holds: also the largest body kept. */
export const SEGMENT_BYTES = 1024 * 1024;

export interface Segment {
  readonly bytes: Buffer;
  used: number;
  /** The keys whose bodies were written here; some may since have moved or gone. */
  readonly keys: string[];
  /** Responses being written from this segment. */
  sending: number;
  /** Out of the ring, waiting for its last response. */
  retired: boolean;
}

export interface Slice {
  body: Buffer;
  segment: Segment;
}

function newSegment(size: number): Segment {
  return { bytes: Buffer.allocUnsafeSlow(size), used: 0, keys: [], sending: 0, retired: false };
}

export class BodyArena {
  readonly segmentBytes: number;
  private readonly maxSegments: number;
  private readonly ring: Segment[] = [];
  private current = -1;
  /** Segments out of the ring that responses are still being written from. */
  private retired = 0;

  /**
   * @param evict called for each key written in a segment about to be reused (or retired):
   *   the cache drops its entry if that entry's body is still there.
   */
  constructor(
    maxBytes: number,
    private readonly evict: (key: string, segment: Segment) => void,
    segmentBytes = SEGMENT_BYTES,
  ) {
    this.maxSegments = Math.max(1, Math.ceil(maxBytes / segmentBytes));
    this.segmentBytes = Math.floor(maxBytes / this.maxSegments);
  }

  /** Bytes allocated for segments, in the ring and retired. */
  get allocated(): number {
    return (this.ring.length + this.retired) * this.segmentBytes;
  }

  /** Responses being written from segments in the ring. */
  get sending(): number {
    return this.ring.reduce((n, s) => n + s.sending, 0);
  }

  /**
   * Copies a body in (UTF-8 when a string); undefined when it is empty (nothing to keep),
   * larger than a segment, or every segment it could go to is still being sent from.
   */
  keep(key: string, body: string | Buffer): Slice | undefined {
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    if (length === 0 || length > this.segmentBytes) return undefined;
    const segment = this.fits(length) ? this.ring[this.current] : this.advance();
    if (!segment) return undefined;
    const start = segment.used;
    if (typeof body === 'string') segment.bytes.write(body, start, 'utf8');
    else body.copy(segment.bytes, start);
    segment.used += length;
    segment.keys.push(key);
    return { body: segment.bytes.subarray(start, start + length), segment };
  }

  /**
   * Moves a body read from the segment next in turn to be reused into the current one, if it
   * has room: what is read again stays, as in an LRU, and what is not leaves with its segment.
   */
  refresh(key: string, slice: Slice): Slice {
    if (this.ring.length < this.maxSegments || slice.segment !== this.next()) return slice;
    if (slice.segment === this.ring[this.current] || !this.fits(slice.body.byteLength)) return slice;
    return this.keep(key, slice.body) ?? slice;
  }

  /** A response is being written from this segment; call the result (once or more) when done. */
  pin(segment: Segment): () => void {
    segment.sending++;
    let pinned = true;
    return () => {
      if (!pinned) return;
      pinned = false;
      segment.sending--;
      if (segment.sending === 0 && segment.retired) {
        segment.retired = false;
        this.retired--;
      }
    };
  }

  private fits(length: number): boolean {
    const segment = this.ring[this.current];
    return segment !== undefined && segment.used + length <= this.segmentBytes;
  }

  private next(): Segment | undefined {
    return this.ring[(this.current + 1) % this.ring.length];
  }

  private advance(): Segment | undefined {
    if (this.ring.length < this.maxSegments) {
      this.ring.push(newSegment(this.segmentBytes));
      this.current = this.ring.length - 1;
      return this.ring[this.current];
    }
    const turn = (this.current + 1) % this.ring.length;
    const old = this.ring[turn]!;
    if (old.sending > 0 && this.retired >= this.maxSegments) return undefined;
    this.current = turn;
    for (const key of old.keys) this.evict(key, old);
    if (old.sending > 0) {
      old.retired = true;
      this.retired++;
      this.ring[turn] = newSegment(this.segmentBytes);
      return this.ring[turn];
    }
    old.used = 0;
    old.keys.length = 0;
    return old;
  }
}
