import pg from 'pg';
import type { Database } from './client.js';

/** The channel the change log notifies on every insert (migration 0005), with "<type>:<id>". */
export const CHANGES_CHANNEL = 'kopij_changes';

export interface ChangeHandlers {
  /** A committed change: the payload is "<type>:<id>". */
  change(payload: string): void;
  /** Listening (again): notifications from now on arrive; any sent before may have been missed. */
  connected(): void;
  /** Not listening: notifications sent from now until connected() are lost. */
  disconnected(err?: Error): void;
}

export interface ChangeListener {
  /**
   * Resolves once every notification of a transaction that committed before the call has
   * been handed to change() (or the listener is down, and the caller must not rely on it).
   */
  sync(): Promise<void>;
  close(): Promise<void>;
}

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 5000;
const SYNC_TIMEOUT_MS = 5000;

/**
 * Listens to the change log's notifications. PGlite delivers them in-process when the writing
 * transaction commits. On PostgreSQL, LISTEN needs a session of its own, outside the pool (a
 * pooled client would be handed to queries and lose it): one dedicated connection, reopened
 * with backoff whenever it drops (server restart, terminated backend).
 */
export function listenForChanges(database: Database, on: ChangeHandlers): ChangeListener {
  if (database.pglite) return listenPglite(database.pglite, on);
  if (database.pool) return new PgListener(database.pool.options, on);
  throw new Error('database has neither a pool nor an embedded client');
}

function listenPglite(client: NonNullable<Database['pglite']>, on: ChangeHandlers): ChangeListener {
  let closed = false;
  const unlisten = client.listen(CHANGES_CHANNEL, (payload) => on.change(payload));
  void unlisten.then(
    () => closed || on.connected(),
    (err: Error) => on.disconnected(err),
  );
  return {
    // PGlite runs the callbacks as the COMMIT completes, before the writer hears of it.
    sync: async () => undefined,
    close: async () => {
      closed = true;
      // A closed PGlite has dropped its listeners with everything else.
      if (!client.closed) await (await unlisten)().catch(() => undefined);
    },
  };
}

class PgListener implements ChangeListener {
  private client: pg.Client | undefined;
  /** The server process that ran LISTEN: the only one that hears for this session. */
  private backend: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private closed = false;

  constructor(
    private readonly options: pg.PoolConfig,
    private readonly on: ChangeHandlers,
  ) {
    void this.connect();
  }

  private async connect(): Promise<void> {
    this.timer = undefined;
    const client = new pg.Client({
      ...this.options,
      // Its own name, so tools that act on the API's pool connections can tell it apart.
      application_name: 'kopij-listener',
      // A half-open socket would otherwise leave the cache trusting a listener that hears nothing.
      // pg's default delay (0) leaves the system's first probe at 2 hours on Linux.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    this.client = client;
    let lost = false;
    const drop = (err?: Error) => {
      if (lost) return;
      lost = true;
      this.dropped(client, err);
    };
    client.on('error', drop);
    client.on('end', () => drop());
    client.on('notification', (msg) => {
      if (msg.channel === CHANGES_CHANNEL) this.on.change(msg.payload ?? '');
    });
    try {
      await client.connect();
      // One simple query, so one transaction: a pooler cannot split it across server processes.
      const [, who] = (await client.query(
        `LISTEN ${CHANGES_CHANNEL}; select pg_backend_pid() as pid`,
      )) as unknown as pg.QueryResult<{ pid: number }>[];
      this.backend = who!.rows[0]!.pid;
    } catch (err) {
      drop(err as Error);
      return;
    }
    if (lost || this.closed) return;
    this.retryMs = FIRST_RETRY_MS;
    this.on.connected();
  }

  private dropped(client: pg.Client, err?: Error): void {
    client.end().catch(() => undefined);
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    this.on.disconnected(err);
    this.timer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  /** The round trip on the wire now, and the one that callers arriving meanwhile share. */
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  /**
   * Resolves once every notification committed before the call has been heard: a round trip
   * on the listening session. The writer's COMMIT signals this backend before it answers the
   * writer, and a backend sends the notifications it was signalled before its next
   * ReadyForQuery: so they reach us ahead of this query's answer. Concurrent writers share
   * round trips: a caller arriving while one is on the wire (it may have left before that
   * caller's commit) waits for the next, which serves everyone who arrived in between.
   */
  sync(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.roundTrip().finally(() => {
        this.inFlight = undefined;
      });
      return this.inFlight;
    }
    this.next ??= this.inFlight.then(() => {
      this.next = undefined;
      return this.sync();
    });
    return this.next;
  }

  private async roundTrip(): Promise<void> {
    const client = this.client;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    // A round trip that failed says nothing was heard: the session is given up before the
    // caller goes on (its 'end' event may come later), so the cache is emptied first.
    const answered = client.query<{ pid: number }>('select pg_backend_pid() as pid').then(
      (result) => {
        // Answered by another server process (a pooler in transaction mode hands statements to
        // whichever is free): the one that listens may hear with nobody to pass it on.
        if (result.rows[0]?.pid !== this.backend)
          this.dropped(client, new Error('the listening session is answered by another server process'));
        return true;
      },
      (err: Error) => {
        this.dropped(client, err);
        return true;
      },
    );
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), SYNC_TIMEOUT_MS);
    });
    const ok = await Promise.race([answered, late]);
    clearTimeout(timer);
    // A session that stopped answering (a half-open socket) may have stopped hearing too:
    // give it up, so the cache is emptied and bypassed until a new one listens.
    if (!ok) this.dropped(client, new Error('the listening session stopped answering'));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
