import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { sql } from 'drizzle-orm';
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';
import { type ChangeListener, listenForChanges } from '../db/listen.js';
import { BodyArena, type Segment } from '../http/body-arena.js';
import { readCacheControl, varyOn } from '../http/caching.js';
import { namesNewerVersion, noneMatch } from '../http/etag.js';
import { readsAsPartner, sharesPublicView } from './auth.js';

/**
 * Names what a cached response depends on, from the body it sends: "<type>:<id>" for one
 * resource, "<type>:*" for any resource of that type (a set that a change elsewhere can grow).
 */
export type CacheTags = (body: never) => string[];

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * 200s of this GET to anonymous callers and `read` keys may be kept in-process until a
     * change to one of these tags.
     */
    cache?: CacheTags;
    /**
     * At most this long, too (lists: a published article's embargo can end with no write, and
     * the worker's release notification is what the cache waits for otherwise).
     */
    cacheTtlMs?: number;
    /**
     * Lists: may live past `cacheTtlMs`, until the next pending embargo release (at most
     * LIST_CACHE_MAX_TTL_MS). A release is the one change that comes without a write; every
     * other change notifies, and drops the page whenever it comes.
     */
    cacheUntilRelease?: boolean;
    /**
     * Keep a response only when its URL was asked before (lists: a cursor or a time window
     * makes most page URLs one-offs, which would only push out what is read again), and with
     * `cacheTtlMs`, asked again within the time a kept copy would live: `cacheTtlMs`, or with
     * cacheUntilRelease until the next pending release.
     */
    cacheOnRepeat?: boolean;
    /**
     * This write changes nothing an anonymous caller can see (a new draft), so no cached
     * response can be stale because of it: it answers without waiting for its notifications.
     */
    invisibleWrite?: boolean;
    /**
     * One resource, which a partner's key (embargoed work, no drafts) sees exactly as anonymous
     * callers do whenever they may see it at all, so such a key may be answered by a copy kept
     * for them. It never keeps one: its own answer may be an embargoed version the public must
     * not get, and a miss leads nobody (lists are not so: a partner's page shows embargoed work).
     */
    cacheForPartners?: boolean;
  }
  interface FastifyInstance {
    responseCache: ResponseCache;
  }
  interface FastifyRequest {
    /** The cache generation when this request missed; -1 when it may not be stored. */
    cacheMissAt: number;
    /** What this response shows, named by its handler (routes with `cache: tagsFromHandler`). */
    cacheTags: string[] | undefined;
    /** This miss is the one answering its URL while others wait for it (see Collapsed). */
    cacheLeads: boolean;
    /**
     * This miss will not be kept unless others wait for the same answer: its route keeps only
     * what is asked again (cacheOnRepeat), and its URL was not asked within a copy's lifetime.
     * It may then be read from a replica (plugins/replica.ts), and such an answer is never kept.
     */
    cacheFirstAsk: boolean;
    /**
     * A caller with a key that reads what anonymous callers read, here (see sharesPublicView,
     * and readsAsPartner with cacheForPartners): answered privately, kept as public.
     */
    cacheKeyed: boolean;
  }
}

export interface Entry {
  /** UTF-8, as sent, in the cache's arena: written to the socket as it is, pinned meanwhile. */
  body: Buffer;
  /** Where in the arena. */
  segment: Segment;
  /** Absent for lists, which carry no version to revalidate against. */
  etag: string | undefined;
  /** A page's rel="next". */
  link: string | undefined;
  contentType: string;
  cacheControl: string;
  vary: string | undefined;
  tags: string[];
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  stores: number;
  /** Writes that waited for their own notifications before answering. */
  syncs: number;
  entries: number;
  /**
   * Allocated for bodies: RESPONSE_CACHE_MAX_BYTES at most, and up to as much again while slow
   * clients are still reading from segments that had their turn.
   */
  bytes: number;
  /** Responses being written from kept bytes (in the ring). */
  sending: number;
}

type CacheEvent = 'change' | 'connected' | 'disconnected';

export interface ResponseCache {
  readonly enabled: boolean;
  /** True while the change listener is connected: only then is anything served or stored. */
  readonly listening: boolean;
  stats(): ResponseCacheStats;
  /** Resolves once every change committed before the call has been heard (when listening). */
  sync(): Promise<void>;
  /** Resolves at the next event of this kind (for 'change', whose payload passes the filter). */
  next(event: CacheEvent, filter?: (payload: string) => boolean): Promise<string>;
  /** Calls `listener` at every event of this kind ('change' with its payload). */
  on(event: CacheEvent, listener: (payload?: string) => void): void;
}

export interface ResponseCacheOptions {
  maxEntries: number;
  maxBytes: number;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Entries by URL, with an index from each tag to the URLs whose entries carry it. */
export class TaggedCache {
  /** Bumped by every notification and every loss of the listener. */
  generation = 0;
  private readonly lru: LRUCache<string, Entry>;
  private readonly keysByTag = new Map<string, Set<string>>();
  /** URLs that missed once, for routes that keep only what is asked again. */
  private readonly missedOnce: LRUCache<string, true>;
  /** The bodies, within the byte budget: reusing a segment drops the entries still in it. */
  private readonly arena: BodyArena;

  constructor(opts: ResponseCacheOptions) {
    this.missedOnce = new LRUCache<string, true>({ max: opts.maxEntries });
    this.lru = new LRUCache<string, Entry>({
      max: opts.maxEntries,
      dispose: (entry, key) => this.untag(key, entry),
    });
    this.arena = new BodyArena(opts.maxBytes, (key, segment) => {
      // Expired or not: an entry left behind would hold on to bytes that are about to change.
      if (this.lru.peek(key, { allowStale: true })?.segment === segment) this.lru.delete(key);
    });
  }

  get size(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.arena.allocated;
  }

  get sending(): number {
    return this.arena.sending;
  }

  /** The entry, its body moved forward in the arena if its segment is the next to be reused. */
  get(key: string): Entry | undefined {
    const entry = this.lru.get(key);
    if (entry) Object.assign(entry, this.arena.refresh(key, entry));
    return entry;
  }

  /** A response is being written from this entry's body; call the result when it is done. */
  pin(entry: Entry): () => void {
    return this.arena.pin(entry.segment);
  }

  /**
   * Whether this URL missed before, within `withinMs` when given (0: ever); remembers that it
   * has now.
   */
  missedBefore(key: string, withinMs = 0): boolean {
    if (this.missedOnce.has(key)) return true;
    this.missedOnce.set(key, true, { ttl: withinMs });
    return false;
  }

  /**
   * Keeps `body` unless the arena does not (empty, larger than a segment, or no segment free
   * of slow clients); returns the entry, whose body is what to send.
   */
  set(key: string, body: string, entry: Omit<Entry, 'body' | 'segment'>, ttl = 0): Entry | undefined {
    const slice = this.arena.keep(key, body);
    if (!slice) {
      // Not kept: nor may an older answer to this URL outlive the one that replaced it.
      this.lru.delete(key);
      return undefined;
    }
    const kept: Entry = { ...entry, ...slice };
    this.lru.set(key, kept, { ttl });
    for (const tag of kept.tags) {
      const keys = this.keysByTag.get(tag) ?? new Set<string>();
      this.keysByTag.set(tag, keys.add(key));
    }
    return kept;
  }

  /** Drops what depends on "<type>:<id>": entries tagged with it or with "<type>:*". */
  invalidate(change: string): void {
    this.generation++;
    const type = change.split(':', 1)[0];
    for (const tag of [change, `${type}:*`]) {
      for (const key of [...(this.keysByTag.get(tag) ?? [])]) this.lru.delete(key);
    }
  }

  clear(): void {
    this.generation++;
    this.lru.clear();
  }

  private untag(key: string, entry: Entry): void {
    for (const tag of entry.tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
  }
}

// A pipelined response waiting its turn behind another has no socket yet, and if the socket
// dies first Node never closes it: its pin is released when it is collected.
const unreleased = new FinalizationRegistry<() => void>((release) => release());

/** Pins a kept body's segment until this response is done with the bytes. */
export function pinWhileSent(
  cache: Pick<TaggedCache, 'pin'>,
  res: Pick<ServerResponse, 'destroyed' | 'socket' | 'once'>,
  entry: Entry,
): void {
  // Destroyed (the client left): a destroyed response writes nothing more.
  if (res.destroyed) return;
  const release = cache.pin(entry);
  // 'close' comes after the last byte was handed to the kernel, or after the connection was
  // torn down with any write still queued: nothing reads the bytes after it.
  if (res.socket) {
    res.once('close', release);
    return;
  }
  const token = {};
  unreleased.register(res, release, token);
  res.once('close', () => {
    unreleased.unregister(token);
    release();
  });
}

/** Promise.withResolvers, which Node 20 lacks. */
function withResolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** How long a request waits for another's answer to the same URL before asking for itself. */
export const COLLAPSE_WAIT_MS = 2000;

/**
 * Misses being answered, by URL. A request that misses while another is already answering the
 * same URL waits for that answer and is served from the cache with it, instead of running the
 * same query again: when a popular page expires or is invalidated, one request goes to the
 * database, not one per connection (request collapsing).
 */
export class Collapsed {
  constructor(private readonly now: () => number = Date.now) {}

  private readonly pending = new Map<
    string,
    { leader: object; since: number; waiters: number; done: Promise<void>; finish: () => void }
  >();

  /**
   * Makes `leader` the one answering this URL unless another is (one that has been at it for
   * longer than COLLAPSE_WAIT_MS is not waited for any more); false when another is.
   */
  lead(key: string, leader: object): boolean {
    const current = this.pending.get(key);
    if (current && this.now() - current.since < COLLAPSE_WAIT_MS) return false;
    current?.finish();
    const { promise: done, resolve: finish } = withResolvers();
    this.pending.set(key, { leader, since: this.now(), waiters: 0, done, finish });
    return true;
  }

  /** Resolves when the leader of this URL has answered, or after COLLAPSE_WAIT_MS. */
  wait(key: string): Promise<void> {
    const p = this.pending.get(key)!;
    p.waiters++;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, COLLAPSE_WAIT_MS);
    });
    return Promise.race([p.done, timeout]).finally(() => clearTimeout(timer));
  }

  waiters(key: string): number {
    return this.pending.get(key)?.waiters ?? 0;
  }

  /** The leader has answered (or gone): wake whoever waits for it. */
  finish(key: string, leader: object): void {
    const p = this.pending.get(key);
    if (p?.leader !== leader) return;
    this.pending.delete(key);
    p.finish();
  }
}

/**
 * An in-process cache of the serialized responses anonymous callers get from the GETs that
 * ask for it (single resources, and pages of articles with or without `q`), invalidated exactly
 * by the change log: every committed change notifies "<type>:<id>" (LISTEN/NOTIFY, see
 * src/db/listen.ts), which drops each entry tagged with it or with "<type>:*" (a list).
 *
 * Only GETs of what anonymous callers may read take part: anonymous ones, and those with a key
 * that reads no more than they do (`read` alone: sent as private, kept as public). Anything
 * another key was needed for (drafts, embargoed work, previews) never enters the cache. Editors'
 * keys never read from it; a partner's key (embargo, no preview) reads from it only a single
 * resource the public may see (cacheForPartners), and keeps nothing. While the listener is
 * down nothing is served or stored, and the cache is emptied when it goes down and again when
 * it comes back, since notifications in between were lost. A miss is stored only if no
 * notification at all arrived while it was being answered: its read may predate that write.
 */
export default fp(
  async function responseCachePlugin(app: FastifyInstance, opts: ResponseCacheOptions) {
    const events = new EventEmitter();
    const stats = { hits: 0, misses: 0, stores: 0, syncs: 0 };
    const cache = opts.maxEntries > 0 && opts.maxBytes > 0 ? new TaggedCache(opts) : undefined;
    let listener: ChangeListener | undefined;
    let listening = false;

    app.decorate('responseCache', {
      enabled: cache !== undefined,
      get listening() {
        return listening;
      },
      stats: () => ({
        ...stats,
        entries: cache?.size ?? 0,
        bytes: cache?.bytes ?? 0,
        sending: cache?.sending ?? 0,
      }),
      sync: async () => listener?.sync(),
      next: (event, filter) =>
        new Promise<string>((resolve) => {
          const on = (payload = '') => {
            if (filter && !filter(payload)) return;
            events.off(event, on);
            resolve(payload);
          };
          events.on(event, on);
        }),
      on: (event, listener) => {
        events.on(event, listener);
      },
    } satisfies ResponseCache);
    app.decorateRequest('cacheMissAt', -1);
    app.decorateRequest('cacheLeads', false);
    app.decorateRequest('cacheFirstAsk', false);
    app.decorateRequest('cacheKeyed', false);
    app.decorateRequest('cacheTags', undefined);
    if (!cache) return;
    const collapsed = new Collapsed();

    // Until when pages may live (cacheUntilRelease): the next pending embargo release, as read
    // in the current generation. Any notification (which may have set or moved an embargo) makes
    // it unknown, and pages fall back to their cacheTtlMs, until it has been read again.
    let releaseBound: { generation: number; until: number } | undefined;
    let boundTimer: NodeJS.Timeout | undefined;
    const readReleaseBound = (): void => {
      boundTimer = undefined;
      const generation = cache.generation;
      const sent = performance.now();
      app.db.db
        .execute(
          sql`${sql.raw(BACKGROUND)} select (extract(epoch from min(release_at) - now()) * 1000)::float8 as ms from pending_releases`,
        )
        .then((result) => {
          const ms = (result as unknown as { rows: { ms: number | null }[] }).rows[0]?.ms ?? null;
          // A notification since: the one it scheduled reads again.
          if (cache.generation !== generation) return;
          releaseBound = {
            generation,
            until: sent + Math.min(ms ?? LIST_CACHE_MAX_TTL_MS, LIST_CACHE_MAX_TTL_MS),
          };
        })
        .catch((err) => app.log.warn({ err }, 'response cache could not read the next embargo release'));
    };
    // Notifications come in bursts under writes: one read after each burst.
    const readReleaseBoundSoon = (): void => {
      boundTimer ??= setTimeout(readReleaseBound, RELEASE_BOUND_DELAY_MS).unref();
    };
    /** How long an entry of this route, missed in `generation`, may live. */
    const lifetime = (config: FastifyContextConfig, generation: number): number => {
      const floor = config.cacheTtlMs ?? 0;
      const bound = releaseBound;
      if (!config.cacheUntilRelease || bound?.generation !== generation) return floor;
      return Math.max(floor, Math.floor(bound.until - performance.now()));
    };

    // Start answering from the cache as soon as the app does, or bypass it if the database
    // could not be reached (the listener keeps trying).
    const live = await new Promise<ChangeListener>((ready) => {
      const started = listenForChanges(app.db, {
        change: (payload) => {
          cache.invalidate(payload);
          readReleaseBoundSoon();
          events.emit('change', payload);
        },
        connected: () => {
          cache.clear();
          readReleaseBoundSoon();
          listening = true;
          app.log.info('change listener connected: response cache on');
          ready(started);
          events.emit('connected');
        },
        disconnected: (err) => {
          cache.clear();
          if (listening) app.log.warn({ err }, 'change listener lost: response cache bypassed');
          listening = false;
          ready(started);
          events.emit('disconnected');
        },
      });
    });
    listener = live;
    app.addHook('onClose', async () => {
      clearTimeout(boundTimer);
      await live.close();
    });

    // Callback hooks, not async ones: a hit should cost no more promises than it must.
    app.addHook('onRequest', (request, reply, done) => {
      if (!listening || !request.routeOptions.config.cache) return done();
      if (request.method !== 'GET') return done();
      if (request.headers.authorization !== undefined) {
        if (!sharesPublicView(request.principal)) {
          if (request.routeOptions.config.cacheForPartners && readsAsPartner(request.principal))
            return partnerHit(request, reply, done);
          return done();
        }
        request.cacheKeyed = true;
      }
      const entry = cache.get(request.url);
      if (entry) return hitUnlessOlder(request, reply, entry, done);
      if (collapsed.lead(request.url, request)) {
        request.cacheLeads = true;
        return miss(request, done);
      }
      // Someone is answering this URL already: wait for that answer, then look again.
      waitForLeader(request, reply, done, true);
    });

    // Nothing kept after the leader answered (a first ask read from a replica, which is never
    // kept, or an answer that could not be): the first waiter to wake leads once more, so the
    // others still wait for one answer instead of each reading the primary.
    const waitForLeader = (
      request: FastifyRequest,
      reply: FastifyReply,
      done: () => void,
      again: boolean,
    ) => {
      void collapsed.wait(request.url).then(() => {
        const after = listening ? cache.get(request.url) : undefined;
        if (after) return hitUnlessOlder(request, reply, after, done);
        if (again && collapsed.lead(request.url, request)) {
          request.cacheLeads = true;
          return miss(request, done);
        }
        if (again) return waitForLeader(request, reply, done, false);
        miss(request, done);
      });
    };

    // A caller naming a later version has seen a write whose notification is still on its way:
    // the handler answers (from the primary), and its answer replaces the entry. The same for a
    // caller that waited on another's miss: that answer may have been read before the write.
    const hitUnlessOlder = (request: FastifyRequest, reply: FastifyReply, entry: Entry, done: () => void) => {
      if (olderThanSeen(request, entry)) miss(request, done);
      else hit(request, reply, entry);
    };
    const olderThanSeen = (request: FastifyRequest, entry: Entry): boolean =>
      entry.etag !== undefined && namesNewerVersion(request.headers['if-none-match'], entry.etag);

    // A copy kept for anonymous callers exists only while they may see the resource, and then
    // a partner sees the same. No copy, or an older one than the caller has seen: the handler.
    const partnerHit = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      const entry = cache.get(request.url);
      if (!entry || olderThanSeen(request, entry)) {
        done();
        return;
      }
      request.cacheKeyed = true;
      hit(request, reply, entry);
    };

    const miss = (request: FastifyRequest, done: () => void): void => {
      stats.misses++;
      request.cacheMissAt = cache.generation;
      const config = request.routeOptions.config;
      // Decided now, before the handler reads (see cacheFirstAsk); this remembers the ask.
      request.cacheFirstAsk =
        config.cacheOnRepeat === true &&
        !cache.missedBefore(request.url, lifetime(config, request.cacheMissAt));
      done();
    };

    const hit = (request: FastifyRequest, reply: FastifyReply, entry: Entry): void => {
      stats.hits++;
      reply.header(
        'cache-control',
        request.cacheKeyed ? readCacheControl(request.principal) : entry.cacheControl,
      );
      if (entry.etag) reply.header('etag', entry.etag);
      if (entry.link) reply.header('link', entry.link);
      for (const field of entry.vary?.split(',') ?? []) varyOn(reply, field.trim());
      // Answered here: the rest of the request's hooks and the handler never run.
      if (entry.etag && noneMatch(request.headers['if-none-match'], entry.etag)) reply.code(304).send();
      else sendKept(reply, entry);
    };

    const sendKept = (reply: FastifyReply, entry: Entry): void => {
      pinWhileSent(cache, reply.raw, entry);
      reply.type(entry.contentType).send(entry.body);
    };

    // A leader that never gets to onSend (the client went away first) still lets the others go.
    app.addHook('onRequestAbort', (request, done) => {
      if (request.cacheLeads) collapsed.finish(request.url, request);
      done();
    });
    app.addHook('onResponse', (request, _reply, done) => {
      if (request.cacheLeads) collapsed.finish(request.url, request);
      done();
    });

    // A miss's tags come from the body before it is serialized (not by parsing it again),
    // unless its handler names them (tagsFromHandler), next to any its handler added (what
    // the request's own parameters depend on, which the body does not show).
    // Only a 200 is kept: an error's body (a problem) is not the shape the tags read.
    app.addHook('preSerialization', (request, reply, payload, done) => {
      const tagsOf = request.routeOptions.config.cache as ((body: unknown) => string[]) | undefined;
      if (request.cacheMissAt === -1 || reply.statusCode !== 200 || !tagsOf || tagsOf === tagsFromHandler)
        return done(null, payload);
      try {
        request.cacheTags = [...(request.cacheTags ?? []), ...tagsOf(payload)];
      } catch (err) {
        // The response stands; without tags it is only not kept.
        request.log.error({ err }, 'response cache could not name what a response shows');
      }
      done(null, payload);
    });

    app.addHook('onSend', (request, reply, payload, done) => {
      const missedAt = request.cacheMissAt;
      if (missedAt === -1) {
        // Read-your-writes on this instance: a write is acknowledged only once its own
        // notifications have invalidated what it changed.
        if (!WRITES.has(request.method) || !listening || reply.statusCode >= 400) return done(null, payload);
        if (request.routeOptions.config.invisibleWrite) return done(null, payload);
        stats.syncs++;
        void live.sync().then(() => done(null, payload));
        return;
      }
      let body = payload;
      // A notification since the miss began: the body may predate that write.
      if (missedAt === cache.generation && listening && reply.statusCode === 200) {
        try {
          body = store(request, reply, payload);
        } catch (err) {
          // The response stands; it is only not kept.
          request.log.error({ err }, 'response cache could not store a response');
        }
      }
      if (request.cacheLeads) collapsed.finish(request.url, request);
      done(null, body);
    });

    /** Keeps the body if it may be kept. Returns what to send: the kept bytes, or the body as it was. */
    const store = (request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown => {
      const etag = reply.getHeader('etag');
      // A keyed caller's read is private on the wire, and kept as anonymous callers get it.
      let cacheControl = reply.getHeader('cache-control');
      if (request.cacheKeyed && cacheControl === readCacheControl(request.principal))
        cacheControl = readCacheControl(null);
      // Only what the route itself marked shareable.
      if (typeof payload !== 'string') return payload;
      if (typeof cacheControl !== 'string' || !cacheControl.startsWith('public')) return payload;
      const config = request.routeOptions.config;
      // Others waiting for this very answer are a repeat already. Otherwise a repeat is the same
      // URL asked again within the time a kept copy would live: one asked less often would be
      // stored and never read.
      const repeated = request.cacheLeads && collapsed.waiters(request.url) > 0;
      if (request.cacheFirstAsk && !repeated) return payload;
      // A replica's answer may predate the notification that emptied this entry.
      if (request.readFromReplica) return payload;
      const ttl = lifetime(config, request.cacheMissAt);
      const tags = request.cacheTags;
      // A handler that named nothing: better not kept than kept with nothing to drop it.
      if (!tags) throw new Error(`${request.routeOptions.url} named no cache tags`);
      const kept = cache.set(
        request.url,
        payload,
        {
          etag: typeof etag === 'string' ? etag : undefined,
          link: headerText(reply.getHeader('link')),
          contentType: String(reply.getHeader('content-type')),
          cacheControl,
          vary: headerText(reply.getHeader('vary')),
          tags,
        },
        ttl,
      );
      if (!kept) return payload;
      stats.stores++;
      pinWhileSent(cache, reply.raw, kept);
      return kept.body;
    };
  },
  { name: 'kopij-response-cache', dependencies: ['kopij-db'] },
);

function headerText(value: string | string[] | number | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value);
}

/**
 * For a route whose body does not name what it shows (an Atom feed, a ninjs document without
 * our ids): its handler sets `request.cacheTags` instead.
 */
export const tagsFromHandler: CacheTags = () => [];

/** How long a cached list page may live without a notification: the embargo worker's pause. */
export const LIST_CACHE_TTL_MS = 1000;

/**
 * How long one may live when no embargo release is pending before then (cacheUntilRelease);
 * notifications drop it earlier whenever something it shows changes.
 */
export const LIST_CACHE_MAX_TTL_MS = 30_000;

/**
 * Marks a statement the cache sends on its own (after a notification), not for a request:
 * query counts per request leave it out.
 */
export const BACKGROUND = '/* kopij: background */';

/** How long after a notification the next embargo release is read again. */
const RELEASE_BOUND_DELAY_MS = 50;

/** The tags of a response that shows one resource of this type, identified by its `id`. */
export const selfTag =
  (type: string): CacheTags =>
  (body: { id: string }) => [`${type}:${body.id}`];
