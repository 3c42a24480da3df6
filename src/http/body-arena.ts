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
 * So the bytes of a slice change when its segment is reused: whatever leaves the cache (a
 * response, which a slow client may take seconds to read) must be a copy of them.
 */

/** The most a segment holds: also the largest body kept. */
export const SEGMENT_BYTES = 1024 * 1024;

export interface Segment {
  readonly bytes: Buffer;
  used: number;
  /** The keys whose bodies were written here; some may since have moved or gone. */
  readonly keys: string[];
}

export interface Slice {
  body: Buffer;
  segment: Segment;
}

export class BodyArena {
  readonly segmentBytes: number;
  private readonly maxSegments: number;
  private readonly ring: Segment[] = [];
  private current = -1;

  /**
   * @param evict called for each key written in a segment about to be reused: the cache drops
   *   its entry if that entry's body is still there.
   */
  constructor(
    maxBytes: number,
    private readonly evict: (key: string, segment: Segment) => void,
    segmentBytes = SEGMENT_BYTES,
  ) {
    this.maxSegments = Math.max(1, Math.ceil(maxBytes / segmentBytes));
    this.segmentBytes = Math.floor(maxBytes / this.maxSegments);
  }

  /** Bytes allocated for segments. */
  get allocated(): number {
    return this.ring.length * this.segmentBytes;
  }

  /**
   * Copies a body in (UTF-8 when a string); undefined when it is empty (nothing to keep) or
   * larger than a segment.
   */
  keep(key: string, body: string | Buffer): Slice | undefined {
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    if (length === 0 || length > this.segmentBytes) return undefined;
    const segment = this.fits(length) ? this.ring[this.current]! : this.advance();
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

  private fits(length: number): boolean {
    const segment = this.ring[this.current];
    return segment !== undefined && segment.used + length <= this.segmentBytes;
  }

  private next(): Segment | undefined {
    return this.ring[(this.current + 1) % this.ring.length];
  }

  private advance(): Segment {
    if (this.ring.length < this.maxSegments) {
      this.ring.push({ bytes: Buffer.allocUnsafeSlow(this.segmentBytes), used: 0, keys: [] });
      this.current = this.ring.length - 1;
      return this.ring[this.current]!;
    }
    this.current = (this.current + 1) % this.ring.length;
    const reused = this.ring[this.current]!;
    for (const key of reused.keys) this.evict(key, reused);
    reused.used = 0;
    reused.keys.length = 0;
    return reused;
  }
}
