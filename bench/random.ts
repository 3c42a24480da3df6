/** A seeded generator (mulberry32): the same --seed gives the same dataset, byte for byte. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  hex(chars: number): string {
    let s = '';
    for (let i = 0; i < chars; i++) s += this.int(16).toString(16);
    return s;
  }
}

/**
 * Ranks drawn with probability ~ 1/rank^s: a few people and places are in the news all the
 * time, most rarely, which is what makes "articles of a person" pages uneven in real archives.
 */
export class Zipf {
  private readonly cumulative: Float64Array;

  constructor(
    readonly n: number,
    s: number,
  ) {
    this.cumulative = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      sum += 1 / (k + 1) ** s;
      this.cumulative[k] = sum;
    }
  }

  sample(rng: Rng): number {
    const target = rng.next() * this.cumulative[this.n - 1]!;
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** `count` distinct ranks (fewer if n is smaller). */
  distinct(rng: Rng, count: number): number[] {
    const out = new Set<number>();
    for (let tries = 0; out.size < Math.min(count, this.n) && tries < count * 20; tries++)
      out.add(this.sample(rng));
    return [...out];
  }
}

/** A UUIDv7 for a given creation time, like the ones the API mints, but reproducible. */
export function uuid7At(ms: number, rng: Rng): string {
  const time = Math.floor(ms).toString(16).padStart(12, '0');
  const variant = (8 + rng.int(4)).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${rng.hex(3)}-${variant}${rng.hex(3)}-${rng.hex(12)}`;
}
