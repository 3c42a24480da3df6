/** An unrevoked key as authentication needs it. */
export interface ActiveKey {
  id: string;
  name: string;
  scopes: string[];
}

/** What the cache needs of the change listener (the response cache's, see plugins/response-cache.ts). */
export interface KeyNotifications {
  /** True while notifications arrive: only then is anything cached or served from the cache. */
  readonly listening: boolean;
  /** Resolves once every notification committed before the call has been heard. */
  sync(): Promise<void>;
  /** Calls `listener` on every change notification, and on each loss or return of the listener. */
  on(event: 'change' | 'connected' | 'disconnected', listener: (payload?: string) => void): void;
}

/** How many keys are kept at most; past it the cache starts again from empty. */
export const KEY_CACHE_MAX = 10_000;

/**
 * Active API keys by the hash of their secret, so that a request with a key need not run a
 * lookup on the pool every time (a statement per request that cost a keyed item read about
 * three quarters of its throughput). A revoked key still stops working on the very next
 * request, on every instance: revoking, changing or deleting a key notifies "key:<id>", and
 * emptying the table "key:*" (migration 0015). Every find first waits for the change listener
 * to have heard every notification committed before it: one `select pg_backend_pid()` on the
 * listening session, shared by all the requests that arrive meanwhile (so still a round trip
 * of latency per request on PostgreSQL, but not one per request on the wire; nothing on
 * PGlite, which hands notifications over as the revoking transaction commits). Any key
 * notification, and any loss or return of the listener, empties the cache. While the listener
 * is down, every request looks its key up, as before.
 *
 * Only keys found are kept: an unknown secret is looked up each time (guessing is rate
 * limited per address before authentication).
 */
export class KeyCache {
  private readonly keys = new Map<string, ActiveKey>();
  /** Bumped whenever the cache is emptied: a lookup that began before keeps its answer to itself. */
  private generation = 0;
  private live: KeyNotifications | undefined;

  constructor(
    private readonly lookup: (hash: string) => Promise<ActiveKey | undefined>,
    private readonly max = KEY_CACHE_MAX,
  ) {}

  /** Starts caching, invalidated by these notifications. */
  attach(live: KeyNotifications): void {
    this.live = live;
    live.on('change', (payload) => {
      if (payload?.startsWith('key:')) this.clear();
    });
    live.on('connected', () => this.clear());
    live.on('disconnected', () => this.clear());
  }

  get size(): number {
    return this.keys.size;
  }

  clear(): void {
    this.keys.clear();
    this.generation++;
  }

  /** The active key with this hash, if any. */
  async find(hash: string): Promise<ActiveKey | undefined> {
    const live = this.live;
    if (!live?.listening) return this.lookup(hash);
    await live.sync();
    // Listening still, so nothing committed before the sync is unheard.
    const cached = live.listening ? this.keys.get(hash) : undefined;
    if (cached) return cached;
    const generation = this.generation;
    const key = await this.lookup(hash);
    // A notification (or a lost listener) since the lookup began: it may have read the key
    // before its revocation committed, so it answers this request only.
    if (key && generation === this.generation && live.listening) {
      if (this.keys.size >= this.max) this.keys.clear();
      this.keys.set(hash, key);
    }
    return key;
  }
}
