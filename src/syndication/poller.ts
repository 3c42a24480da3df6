import type { FastifyBaseLogger } from 'fastify';

/**
 * Runs a background round again and again: at once while a round finds a full batch,
 * otherwise after a pause. stop() waits for the round in flight, so shutdown never cuts
 * a half-recorded piece of work.
 */
export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly name: string,
    private readonly round: () => Promise<boolean>,
    private readonly log: FastifyBaseLogger,
    private readonly pauseMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round()
        .catch((err) => {
          this.log.warn({ err }, `${this.name} round failed`);
          return false;
        })
        .then((more) => this.schedule(more ? 0 : this.pauseMs));
    }, ms);
    this.timer.unref();
  }
}
