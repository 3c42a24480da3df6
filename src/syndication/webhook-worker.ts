import { and, eq, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { Webhook } from 'standardwebhooks';
import type { Db } from '../db/client.js';
import { webhookDeliveries, webhooks } from '../db/schema.js';
import { type Agents, keepAliveAgents, type SendResult, send } from './deliver.js';
import { Poller } from './poller.js';
import type { Resolver } from './ssrf.js';

/** Delays after attempts 1..9, ~24 h in all: the 10th failure gives up. */
export const BACKOFF_MS = [
  30e3,
  2 * 60e3,
  10 * 60e3,
  30 * 60e3,
  3600e3,
  2 * 3600e3,
  4 * 3600e3,
  8 * 3600e3,
  8 * 3600e3,
];
export const MAX_ATTEMPTS = 10;
const CLAIM_MS = 60_000;
const BATCH = 10;

export interface WorkerOptions {
  db: Db;
  log: FastifyBaseLogger;
  allowPrivate: boolean;
  resolve: Resolver;
  timeoutMs?: number;
  /** Multiplies every backoff delay; tests make retries fast with a tiny scale. */
  backoffScale?: number;
  pollMs?: number;
}

/** What one attempt found, to be written with the rest of its round. */
interface Outcome {
  d: Claimed;
  at: Date;
  result: SendResult;
  durationMs: number;
  gone: boolean;
  /** The delivery's state after this attempt; a pending one is tried again at nextAttemptAt. */
  status: 'delivered' | 'failed' | 'pending';
  nextAttemptAt: Date | null;
}

type Claimed = {
  id: string;
  webhook_id: string;
  payload: unknown;
  attempts: number;
  url: string;
  secret: string;
  created_at: Date | string;
};

/**
 * Delivers the outbox. Rows are claimed with FOR UPDATE SKIP LOCKED plus a lease, so any
 * number of instances can run workers without delivering the same attempt twice, and a
 * crashed worker's claim simply expires.
 */
export class WebhookWorker {
  private readonly poller: Poller;
  /** Connections to receivers, kept between rounds (one round sends at most BATCH at once). */
  private readonly agents: Agents = keepAliveAgents(BATCH);

  constructor(private readonly opts: WorkerOptions) {
    this.poller = new Poller(
      'webhook worker',
      async () => (await this.runOnce()) === BATCH,
      opts.log,
      opts.pollMs ?? 1000,
    );
  }

  start(): void {
    this.poller.start();
  }

  /** Finishes the attempts in flight (their results are recorded), then stops. */
  async stop(): Promise<void> {
    await this.poller.stop();
    this.closeConnections();
  }

  /** Closes the connections kept open to receivers (a later round opens new ones). */
  closeConnections(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /**
   * Runs one claim-and-deliver round; returns how many deliveries it attempted. The round's
   * results are written together, in one statement (one commit for the batch, not one
   * transaction per delivery): under a stream of writes the outbox's bookkeeping would
   * otherwise cost more commits than the writes it delivers.
   */
  async runOnce(): Promise<number> {
    const claimed = await this.claim();
    if (!claimed.length) return 0;
    const settled = await Promise.allSettled(claimed.map((d) => this.attempt(d)));
    const outcomes = settled.map((s, i) => {
      if (s.status === 'fulfilled') return s.value;
      // An attempt that could not even be made (its signature, its request) is a failed
      // attempt like any other: retried with backoff, given up after MAX_ATTEMPTS. Left
      // claimed, it would be claimed again every CLAIM_MS without end.
      this.opts.log.error({ err: s.reason }, 'webhook delivery could not be attempted');
      const reason = s.reason instanceof Error ? s.reason.message : String(s.reason);
      return this.outcome(claimed[i]!, Date.now(), new Date(), {
        statusCode: null,
        error: `could not be attempted: ${reason}`.slice(0, 500),
      });
    });
    await this.record(outcomes);
    return claimed.length;
  }

  private async claim(): Promise<Claimed[]> {
    const result = await this.opts.db.execute(sql`
      with due as (
        select d.id from webhook_deliveries d
        where d.status = 'pending' and d.next_attempt_at <= now()
          and (d.locked_until is null or d.locked_until < now())
        order by d.next_attempt_at, d.change_seq
        limit ${BATCH}
        for update skip locked
      )
      update webhook_deliveries d
      set locked_until = now() + ${`${CLAIM_MS} milliseconds`}::interval, attempts = d.attempts + 1
      from due, webhooks w
      where d.id = due.id and w.id = d.webhook_id
      returning d.id, d.webhook_id, d.payload, d.attempts, d.created_at, w.url, w.secret`);
    return (result as unknown as { rows: Claimed[] }).rows;
  }

  private async attempt(d: Claimed): Promise<Outcome> {
    const started = Date.now();
    const body = JSON.stringify(d.payload);
    const at = new Date();
    const signature = new Webhook(d.secret).sign(d.id, at, body);
    const result = await send(
      d.url,
      body,
      {
        'webhook-id': d.id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      },
      {
        timeoutMs: this.opts.timeoutMs ?? 10_000,
        allowPrivate: this.opts.allowPrivate,
        resolve: this.opts.resolve,
        agents: this.agents,
      },
    );
    return this.outcome(d, started, at, result);
  }

  /** What an attempt's result means for its delivery: delivered, tried again later, or given up. */
  private outcome(d: Claimed, started: number, at: Date, result: SendResult): Outcome {
    const ok =
      result.error === null &&
      result.statusCode !== null &&
      result.statusCode >= 200 &&
      result.statusCode < 300;
    const gone = result.statusCode === 410;
    const exhausted = d.attempts >= MAX_ATTEMPTS;
    const base = BACKOFF_MS[Math.min(d.attempts - 1, BACKOFF_MS.length - 1)]! * (this.opts.backoffScale ?? 1);
    const jitter = base * (0.8 + Math.random() * 0.4);
    return {
      d,
      at,
      result,
      durationMs: Date.now() - started,
      gone,
      status: ok ? 'delivered' : gone || exhausted ? 'failed' : 'pending',
      nextAttemptAt: ok || gone || exhausted ? null : new Date(Date.now() + jitter),
    };
  }

  /** Each attempt's row, and each delivery's new state (its claim released), in one statement. */
  private async record(outcomes: Outcome[]): Promise<void> {
    const rows = sql.join(
      outcomes.map(
        (o) => sql`(${o.d.id}::uuid, ${o.d.attempts}::int, ${o.at.toISOString()}::timestamptz,
          ${o.result.statusCode}::int, ${o.result.error}::text, ${o.durationMs}::int, ${o.status}::text,
          ${o.nextAttemptAt?.toISOString() ?? null}::timestamptz)`,
      ),
      sql`, `,
    );
    // A delivery's state is written only by the claim it belongs to: the claim counted the
    // attempt, so `attempts` still equal to this attempt's number means no other instance has
    // claimed it since (this one's claim may have expired during a long stall; the next
    // instance's claim must not be released, or a third could send it alongside). The attempt
    // itself is history either way. The update first, the attempts from the rows it found
    // (after waiting for any writer of them): a delivery whose webhook was deleted meanwhile
    // (its rows go with it) is skipped instead of failing the round on the attempt's foreign
    // key. A retry leaves the status alone: another instance's 410 may have marked it failed.
    const statement = sql`
      with outcome (id, attempt, at, status_code, error, duration_ms, status, next_attempt_at) as (values ${rows}),
      updated as (
        update webhook_deliveries d
        set status = case when o.status = 'pending' or d.attempts <> o.attempt then d.status else o.status end,
          delivered_at = case when o.status = 'delivered' and d.attempts = o.attempt then now() else d.delivered_at end,
          next_attempt_at = case when d.attempts = o.attempt then coalesce(o.next_attempt_at, d.next_attempt_at)
            else d.next_attempt_at end,
          locked_until = case when d.attempts = o.attempt then null else d.locked_until end
        from outcome o
        where d.id = o.id
        returning o.id, o.attempt, o.at, o.status_code, o.error, o.duration_ms
      )
      insert into webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
      select id, attempt, at, status_code, error, duration_ms from updated`;
    const gone = outcomes.filter((o) => o.gone);
    if (!gone.length) {
      await this.opts.db.execute(statement);
      return;
    }
    await this.opts.db.transaction(async (tx) => {
      await tx.execute(statement);
      for (const o of gone) {
        // 410 Gone: the receiver asks us to stop for good.
        await tx
          .update(webhooks)
          .set({ disabledAt: new Date(), disabledReason: 'receiver answered 410 Gone' })
          .where(eq(webhooks.id, o.d.webhook_id));
        await tx
          .update(webhookDeliveries)
          .set({ status: 'failed', lockedUntil: null })
          .where(
            and(eq(webhookDeliveries.webhookId, o.d.webhook_id), eq(webhookDeliveries.status, 'pending')),
          );
      }
    });
  }
}
