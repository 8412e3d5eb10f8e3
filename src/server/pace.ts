/**
 * Paces a replay: at most `rate` orders per second of wall time, or `speed` times event
 * time (an hour of orders in an hour / speed). Without either, no waiting.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class Pacer {
  private started = 0;
  private firstEventMs = NaN;

  constructor(
    private readonly rate?: number,
    private readonly speed?: number,
  ) {}

  /** Rows per step that keep the pace smooth: about a tenth of a second's worth. */
  get stepRows(): number | undefined {
    return this.rate ? Math.max(1, Math.floor(this.rate / 10)) : this.speed ? 1024 : undefined;
  }

  /** Waits until `orders` orders (and events up to `eventMs`) are due. */
  async wait(orders: number, eventMs: number): Promise<void> {
    const now = performance.now();
    if (this.started === 0) this.started = now;
    if (Number.isNaN(this.firstEventMs) && Number.isFinite(eventMs)) this.firstEventMs = eventMs;
    let dueMs = 0;
    if (this.rate) dueMs = (orders / this.rate) * 1000;
    else if (this.speed && Number.isFinite(eventMs)) dueMs = (eventMs - this.firstEventMs) / this.speed;
    const wait = this.started + dueMs - now;
    if (wait > 1) await sleep(Math.min(wait, 60_000));
  }
}
