/** One progress line on stderr: redrawn in place on a terminal, every 10% in a log. */
export class Progress {
  private done = 0;
  private lastPrinted = -1;
  private readonly started = Date.now();
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  add(n: number): void {
    this.done += n;
    const pct = this.total ? Math.floor((100 * this.done) / this.total) : 100;
    if (!this.tty && pct < 100 && pct < this.lastPrinted + 10) return;
    this.lastPrinted = pct;
    const secs = (Date.now() - this.started) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const eta = rate > 0 ? Math.round((this.total - this.done) / rate) : 0;
    const width = 24;
    const filled = Math.round((width * pct) / 100);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const line = `  ${this.label.padEnd(8)} [${bar}] ${fmt(this.done)}/${fmt(this.total)} ${pct}%  ${fmt(Math.round(rate))}/s  eta ${eta}s`;
    process.stderr.write(this.tty ? `\r${line}\u001b[K` : `${line}\n`);
  }

  finish(): void {
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    const line = `  ${this.label.padEnd(8)} ${fmt(this.done)} rows in ${secs}s`;
    process.stderr.write(this.tty ? `\r${line}\u001b[K\n` : `${line}\n`);
  }
}

export const fmt = (n: number) => n.toLocaleString('en-US');
