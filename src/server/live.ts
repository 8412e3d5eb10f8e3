/**
 * An engine kept live: sources feed it, and at most every `intervalMs` while its state
 * changed it takes a snapshot (sketch ranks, segments committed so the next snapshot's
 * migration starts from them) and hands it to the listeners.
 */
import type { ConvertedInput } from '../batch/converted.js';
import { Engine } from '../engine/engine.js';
import type { EngineOptions } from '../engine/engine.js';
import { buildReport } from '../report/report.js';
import type { Report, SnapshotExtras } from '../report/report.js';
import { countedOf } from '../report/counted.js';
import { isoIn } from '../sources/carts/zone-time.js';
import type { CartSummary } from '../sources/carts/cart-summary.js';
import type { RfmError } from '../domain/errors.js';
import { LiveFigures } from './live-figures.js';
import type { LiveFiguresMessage, LiveFiguresState } from './live-figures.js';
import { SERIES_LENGTH, helloOf, reportFields } from './protocol.js';
import type { HelloMessage, HistoryMessage, Migration, SnapshotMessage } from './protocol.js';

export class LiveEngine {
  private engineNow: Engine;
  readonly hello: HelloMessage;
  private latest: SnapshotMessage | null = null;
  private seq = 0;
  private dirty = true;
  private sourceDone = false;
  private sourceError: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private taking: Promise<SnapshotMessage> | null = null;
  private lastOrders = 0;
  private lastTime = performance.now();
  private readonly listeners = new Set<(s: SnapshotMessage) => void>();
  private readonly series: HistoryMessage['series'] = [];

  /** Cultivation and core retention, measured at month ends (null: --no-figures). */
  private figures: LiveFigures | null;
  /** Ingests one after another: a batch cut at a month end must not interleave with another. */
  private ingesting: Promise<void> = Promise.resolve();
  private readonly faultListeners = new Set<(e: RfmError) => void>();
  /** While an engine is put back after a lost shard, no snapshot (it would show a state half taken up). */
  private restarting = false;
  /** The cart exports the server's source read (addCart). */
  private readonly carts: CartSummary[] = [];

  /** o.currency: the store's currency for money shown, when the input does not name it (--currency). */
  constructor(
    private readonly options: EngineOptions,
    readonly intervalMs = 250,
    private readonly o: { figures?: boolean; currency?: string; timezone?: string } = {},
  ) {
    this.engineNow = this.newEngine();
    this.figures = this.newFigures();
    this.hello = helloOf(this.engineNow.model);
  }

  /** The engine now: a restart (after a lost shard) puts a new one here. */
  get engine(): Engine {
    return this.engineNow;
  }

  private newEngine(): Engine {
    const engine = new Engine(this.options);
    engine.onFault((e) => {
      for (const fn of this.faultListeners) fn(e);
    });
    return engine;
  }

  private newFigures(): LiveFigures | null {
    return this.o.figures === false
      ? null
      : new LiveFigures(this.engineNow, (asOf, segments) => this.addPoint(asOf, segments));
  }

  /** The figures' state for a checkpoint (null: --no-figures). */
  figuresState(): LiveFiguresState | null {
    return this.figures?.state() ?? null;
  }

  /** Takes up the figures of the checkpoint the engine was restored from. */
  restoreFigures(s: LiveFiguresState): void {
    this.figures?.restore(s);
  }

  /** Calls fn as soon as a shard of the engine is lost (Engine.onFault), whichever engine is current. */
  onFault(fn: (e: RfmError) => void): void {
    this.faultListeners.add(fn);
  }

  /**
   * A new, empty engine in place of the failed one, for the caller to fill again (a checkpoint
   * and the log after it, the figures' state with it) before it calls endRestart. Snapshots
   * wait till then.
   */
  async restart(): Promise<void> {
    this.restarting = true;
    const old = this.engineNow;
    this.engineNow = this.newEngine();
    this.figures = this.newFigures();
    this.ingesting = Promise.resolve();
    await old.close().catch(() => undefined);
  }

  /** The engine is being put back after a lost shard: what it holds is not the state yet. */
  get restoring(): boolean {
    return this.restarting;
  }

  /**
   * Why the engine could not be put back (a restart failed three times): no state to serve until
   * the server starts again.
   */
  brokenBy: Error | null = null;

  /** The engine is whole again: snapshots go on. */
  endRestart(): void {
    this.restarting = false;
    this.dirty = true;
  }

  /** Starts the snapshot loop. */
  start(): void {
    this.timer ??= setInterval(() => {
      if (this.dirty && !this.restarting) void this.snapshot().catch((e: unknown) => this.failed(e));
    }, this.intervalMs);
  }

  private lastFailure = '';

  /** A snapshot failed (a shard's worker died, say): say so once per distinct error; clients keep the last one. */
  private failed(e: unknown): void {
    const message = (e as Error)?.message ?? String(e);
    if (message !== this.lastFailure) process.stderr.write(`rfm: snapshot failed: ${message}\n`);
    this.lastFailure = message;
  }

  onSnapshot(fn: (s: SnapshotMessage) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async ingest(batch: ConvertedInput): Promise<void> {
    const figures = this.figures;
    const turn = this.ingesting.then(() => (figures === null ? this.engine.ingest(batch) : figures.ingest(batch)));
    this.ingesting = turn.catch(() => undefined);
    await turn;
    this.dirty = true;
  }

  /**
   * The source has ended: the figures are measured at its last event, and one more snapshot
   * says so. With an error, it stopped part-way: what was read stays, and the snapshots say why.
   */
  async markSourceDone(error: string | null = null): Promise<void> {
    const turn = this.ingesting.then(() => this.figures?.measureNow());
    this.ingesting = turn.catch(() => undefined);
    await turn;
    this.sourceError = error;
    this.sourceDone = true;
    this.dirty = true;
  }

  /** The latest snapshot, taking one if there is none yet. */
  async current(): Promise<SnapshotMessage> {
    return this.latest ?? this.snapshot();
  }

  /** Takes a snapshot now (one at a time; a caller during one gets that one). */
  snapshot(): Promise<SnapshotMessage> {
    this.taking ??= this.take().finally(() => {
      this.taking = null;
    });
    return this.taking;
  }

  private async take(): Promise<SnapshotMessage> {
    this.dirty = false;
    // said of the state this snapshot flushes in: a source that ends while it is being
    // taken is done for the next one, not this one
    const sourceDone = this.sourceDone;
    const sourceError = this.sourceError;
    const snapshot = await this.engine.snapshot('sketch', true);
    const { counts, watermark } = snapshot;
    const { report, extras } = this.accounted(buildReport(snapshot, this.engine.model));
    const now = performance.now();
    const orders = counts.orders;
    const ordersPerSecond = ((orders - this.lastOrders) * 1000) / Math.max(1, now - this.lastTime);
    this.lastOrders = orders;
    this.lastTime = now;
    const names = this.engine.model.segmentNames;
    const migration: Migration[] = [];
    extras.migration.forEach((row, from) => {
      row.forEach((customers, to) => {
        if (customers > 0 && from !== to)
          migration.push({ from: from < names.length ? names[from] : null, to: names[to], customers });
      });
    });
    const message: SnapshotMessage = {
      type: 'snapshot',
      seq: ++this.seq,
      takenAt: Date.now(),
      ...reportFields(report),
      currency: report.currency,
      counted: report.counted!,
      lorenz: extras.lorenz,
      migration,
      figures: this.figures?.latest ?? null,
      ingest: {
        rows: counts.rows,
        ordersPerSecond,
        watermark: Number.isFinite(watermark) ? new Date(watermark).toISOString() : null,
        sourceDone,
        sourceError,
      },
    };
    this.latest = message;
    // a snapshot before the first order has no date (its as-of is the epoch)
    if (message.orders > 0)
      this.addPoint(
        message.asOf,
        Object.fromEntries(Object.entries(message.segments).map(([k, t]) => [k, t.customers])),
      );
    for (const fn of this.listeners) fn(message);
    return message;
  }

  /** A point of the series: a snapshot's, or a month end's (the figures'). */
  private addPoint(asOf: string, segments: Record<string, number>): void {
    this.series.push({ asOf, segments });
    if (this.series.length > SERIES_LENGTH) this.series.shift();
  }

  /** The segment counts of the snapshots and month ends so far, for a client that connects now. */
  history(): HistoryMessage {
    return { type: 'history', series: [...this.series] };
  }

  /**
   * The report of the state now, for the HTML report (not committed: the live migration goes on),
   * and the latest figures.
   */
  async report(): Promise<{ report: Report; extras: SnapshotExtras; figures: LiveFiguresMessage | null }> {
    return {
      ...this.accounted(buildReport(await this.engine.snapshot('sketch', false), this.engine.model)),
      figures: this.figures?.latest ?? null,
    };
  }

  /**
   * A cart export's summary, read by the server's source: its left-out and rejected orders
   * are in what the page says was counted (filled in as the export is read).
   */
  addCart(summary: CartSummary): void {
    if (!this.carts.includes(summary)) this.carts.push(summary);
  }

  private get currency(): string | null {
    return this.o.currency?.trim().toUpperCase() ?? null;
  }

  /** The report with what was counted (the engine's and the cart readers'), its rejected count and currency from it. */
  private accounted<T extends { report: Report }>(built: T): T {
    const r = built.report;
    r.counted = countedOf(this.engine, this.carts, r.thresholds.medianSpend);
    r.rejected = r.counted.rejected;
    r.currency = r.counted.currency ?? this.currency;
    if (this.o.timezone !== undefined) r.asOf = isoIn(Date.parse(r.asOf), this.o.timezone);
    return built;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.taking?.catch(() => undefined);
    await this.engine.close();
  }
}
