/**
 * Progress on stderr for work that takes over a second: a bar when the total is known,
 * a running count otherwise. Drawn only on a terminal, at most ten times a second.
 */
export class Progress {
  private readonly started = performance.now();
  private lastDraw = 0;
  private drawn = false;
  total: number | null = null;

  constructor(
    private readonly label: string,
    private readonly unit: string,
    private readonly enabled = process.stderr.isTTY === true,
  ) {}

  /** done: units finished so far; rows: for the rate. */
  update(done: number, rows: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.started < 1000 || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const secs = (now - this.started) / 1000;
    const rate = `${(rows / secs / 1e6).toFixed(2)} M rows/s`;
    let line: string;
    if (this.total) {
      const f = Math.min(1, done / this.total);
      const width = 30;
      const full = Math.round(f * width);
      line =
        `${this.label} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(100 * f).toFixed(0).padStart(3)} %  ` +
        `${rate}  ${secs.toFixed(1)} s`;
    } else {
      line = `${this.label} ${done.toLocaleString('en-US')} ${this.unit}  ${rate}  ${secs.toFixed(1)} s`;
    }
    process.stderr.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) process.stderr.write('\r\x1b[K');
  }
}
