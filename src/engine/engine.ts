/**
 * The engine: a coordinator on this thread and one shard per worker (or one shard in this
 * thread with workers: 0). Feed it converted batches (readArrow yields them; any other
 * RecordBatch stream goes through convertRecordBatches in src/batch/), take snapshots and
 * customer rows; src/report/ turns a snapshot into the report.
 */
import { availableParallelism } from 'node:os';
import { subBitsFor } from '../core/buckets.js';
import { RfmError } from '../domain/errors.js';
import { loadDefaultModel } from '../model/model.js';
import type { Model } from '../model/model.js';
import { addRejectTally, addTally, keepLargest } from '../batch/counts.js';
import type { RejectTally } from '../batch/counts.js';
import { DEFAULT_COLUMNS } from '../batch/schema.js';
import type { ConvertedInput } from '../batch/converted.js';
import type { Reject } from '../batch/rejects.js';
import type { ColumnNames } from '../batch/schema.js';
import { BufferPool } from '../batch/buffer-pool.js';
import { LocalShard } from './shard-host.js';
import type { CoreName, ShardHost } from './shard-host.js';
import { AliveFitter } from './alive-fit.js';
import type { FitAlive } from './alive-fit.js';
import { planFor, snapshotFrom } from './snapshot.js';
import type { Planned, SnapshotOptions } from './snapshot.js';
import type { CustomerExport, EngineSnapshot, IngestCounts, RankMode } from '../results.js';
import type { ConversionTarget } from '../batch/record-batches.js';
import { LARGEST_MAX_AMOUNT } from '../batch/limits.js';
import type { RowLimits } from '../batch/limits.js';
import { WorkerShard } from './worker-shard.js';
import { intIdsAsText, textIdsAsInts } from '../batch/rekey-ids.js';
import { statesWithTextIds } from './text-id-states.js';
import type { FitHistograms } from '../domain/types.js';

export interface EngineOptions {
  /** Worker threads, one shard each; 0 keeps a single shard in this thread. Default: available cores. */
  workers?: number;
  /** 'wasm' (default) runs the WebAssembly kernel, 'js' the plain TypeScript core. */
  core?: CoreName;
  /** Segmentation model; default: models/default.json. */
  model?: Model;
  /** Relative accuracy of the money sketches, default 0.005 (0.5 %). */
  relativeAccuracy?: number;
  /**
   * Fixed as-of time (ms or Date): recency is measured against it and later events are not applied.
   * Default: the watermark.
   */
  asOf?: number | Date;
  /** Input column names; defaults customer_id, ts, amount, kind. */
  columns?: Partial<ColumnNames>;
  /** Keep rejected rows' values, to be taken with takeRejects(). Default false (they are counted either way). */
  keepRejects?: boolean;
  /** Batches in flight before ingest waits (backpressure). Default 16. */
  maxInFlight?: number;
  /** The bounds a row must be within (src/batch/limits.ts): maxAmount, maxFutureMs. */
  limits?: RowLimits;
  /**
   * With a model whose rules test p_alive: the least time between two fits of it (default 0: every
   * read of a changed state).
   */
  aliveRefitMs?: number;
  /**
   * The fit of the model behind p_alive (src/predict/alive-model.ts's fitAliveModel): needed
   * when the model's rules test p_alive, which otherwise fail the read saying so.
   */
  fitAlive?: FitAlive;
}

/** Batches given while a read is between its phases, to queue after them (see inPhases). */
interface Hold {
  batches: (() => void)[];
  /** Settles once they have gone to the shards. */
  released: Promise<void>;
}

interface PhasedRead<T> {
  options: SnapshotOptions;
  planned: Planned;
  results: T[];
  counts: IngestCounts;
  watermark: number;
}

function checkOptions(o: EngineOptions): void {
  const w = o.workers;
  if (w !== undefined && !(Number.isInteger(w) && w >= 0 && w <= 64)) {
    throw new RfmError('RFM_ERR_OPTION', `workers must be a whole number from 0 to 64, got ${w}`);
  }
  if (o.core !== undefined && o.core !== 'wasm' && o.core !== 'js') {
    throw new RfmError('RFM_ERR_OPTION', `core must be "wasm" or "js", got ${String(o.core)}`);
  }
  const a = o.relativeAccuracy;
  if (a !== undefined && !(a > 0 && a < 0.5)) {
    throw new RfmError('RFM_ERR_OPTION', `relative accuracy must be above 0 and below 0.5, got ${a}`);
  }
  const m = o.limits?.maxAmount;
  if (m !== undefined && !(m > 0 && m <= LARGEST_MAX_AMOUNT)) {
    throw new RfmError(
      'RFM_ERR_OPTION',
      `the largest amount must be above 0 and at most ${LARGEST_MAX_AMOUNT} (one order's cents exact), got ${m}`,
    );
  }
  const f = o.limits?.maxFutureMs;
  if (f !== undefined && !(f >= 0))
    throw new RfmError('RFM_ERR_OPTION', `the future tolerance must be 0 or more ms (Infinity: none), got ${f}`);
  const asOf = o.asOf instanceof Date ? o.asOf.getTime() : o.asOf;
  if (asOf !== undefined && !Number.isFinite(asOf))
    throw new RfmError('RFM_ERR_OPTION', `asOf must be a valid time, got ${String(o.asOf)}`);
}

/** An engine's state as a checkpoint keeps it (src/cli/checkpoint.ts writes it). */
export interface EngineCheckpoint {
  shards: Uint8Array[];
  counts: IngestCounts;
  watermark: number;
  idMode: 'int' | 'utf8' | null;
  unsignedIds: boolean;
}

export class Engine {
  readonly model: Model;
  private readonly aliveFitter: AliveFitter;
  readonly names: ColumnNames;
  readonly subBits: number;
  readonly numShards: number;
  readonly core: CoreName;
  private readonly shards: ShardHost[];
  private fixedAsOf: number | undefined;
  /** The window of the read under way (beginWindow): rows at or before it were applied by an earlier read. */
  private windowAfter: number | undefined;
  private readonly keepRejects: boolean;
  private readonly limits: RowLimits;
  private readonly maxInFlight: number;
  private readonly inFlight: Promise<void>[] = [];
  private failure: unknown = null;
  private readonly faultListeners = new Set<(e: RfmError) => void>();
  private rejects: Reject[] = [];
  private idMode: 'int' | 'utf8' | null = null;
  /** The shards' turn from integer to text ids while under way (see toTextIds). */
  private migration: Promise<void> | null = null;
  /** Some batch's ids were Uint64 (exports print ids unsigned then). */
  private unsignedIds = false;
  private watermarkMs = -Infinity;
  /** The hold of the read now between its phases, if any. */
  private hold: Hold | null = null;
  /** The last two-phase read, the next one's turn. */
  private reads: Promise<unknown> = Promise.resolve();
  /** Batch buffers the shards are done with, for the next conversions (this thread's or a reader's). */
  readonly pool: BufferPool;
  readonly counts: IngestCounts = {
    orders: 0,
    refunds: 0,
    engagements: 0,
    rejected: 0,
    afterAsOf: 0,
    batches: 0,
    rows: 0,
  };
  /** The rejected rows of counts.rejected by reason, each with its first row. */
  readonly rejectedBy: RejectTally = {};
  /** The largest order amounts applied, largest first (batch/counts.ts: LARGEST_KEPT). */
  readonly largestOrders: number[] = [];
  /** Rows left out as repeats of an order an earlier row had (repeat-orders.ts). */
  duplicates = 0;

  constructor(o: EngineOptions = {}) {
    checkOptions(o);
    this.model = o.model ?? loadDefaultModel();
    this.aliveFitter = new AliveFitter(o.fitAlive, o.aliveRefitMs ?? 0);
    this.names = { ...DEFAULT_COLUMNS, ...o.columns };
    this.subBits = subBitsFor(o.relativeAccuracy ?? 0.005);
    this.core = o.core ?? 'wasm';
    const workers = o.workers ?? availableParallelism();
    this.numShards = Math.max(1, workers);
    // with more than one shard, batches live in shared memory that every shard reads
    this.pool = new BufferPool(this.numShards > 1);
    this.fixedAsOf = o.asOf instanceof Date ? o.asOf.getTime() : o.asOf;
    this.keepRejects = o.keepRejects ?? false;
    this.limits = o.limits ?? {};
    this.maxInFlight = o.maxInFlight ?? 16;
    this.shards =
      workers === 0
        ? [new LocalShard(this.core, this.subBits)]
        : Array.from(
            { length: workers },
            (_, shard) =>
              new WorkerShard({ core: this.core, subBits: this.subBits, shard, numShards: workers }, (e) =>
                this.shardLost(e),
              ),
          );
  }

  /** A shard's worker died: the engine is failed from now on (its state has a hole), and says so at once. */
  private shardLost(e: RfmError): void {
    this.failure ??= e;
    for (const fn of this.faultListeners) fn(e);
  }

  /**
   * Calls fn as soon as a shard's worker dies, with or without a task in flight (the thread's
   * exit is watched). The engine then fails every call: make a new one and restore a checkpoint.
   */
  onFault(fn: (e: RfmError) => void): () => void {
    this.faultListeners.add(fn);
    return () => this.faultListeners.delete(fn);
  }

  /** The error that failed the engine (a lost shard), or null while it is sound. */
  get fault(): RfmError | null {
    const e = this.failure;
    if (e === null) return null;
    return e instanceof RfmError
      ? e
      : new RfmError('RFM_ERR_WORKER', `a shard failed: ${(e as Error).message}`, { cause: e });
  }

  /**
   * What a source needs to convert batches for this engine: column names, the fixed as-of
   * time, the shard count, the pool of spent buffers and whether rejects are kept. Spread it
   * into readArrow's options, or give it to convertRecordBatches.
   */
  sourceOptions(): ConversionTarget {
    const later = this.windowAfter !== undefined;
    return {
      names: this.names,
      asOf: this.fixedAsOf,
      numShards: this.numShards,
      recycleFrom: this.pool,
      keepRejects: this.keepRejects && !later,
      limits: this.limits,
      after: this.windowAfter,
      quietRejects: later,
    };
  }

  /**
   * The inputs are read (again) for the window (after, asOf]: the rows at or before `after`
   * (undefined: none, the first read) were applied by the read before (they are skipped, and
   * rejected rows, counted by the
   * first read, too), and recency is measured at asOf (undefined: the latest event). The
   * count of rows after the window starts over. Each row is applied once, by the read of
   * its window, whatever the order of the input: replay --from / --every.
   */
  beginWindow(after: number | undefined, asOf: number | undefined): void {
    this.windowAfter = after;
    this.fixedAsOf = asOf;
    this.counts.rows -= this.counts.afterAsOf;
    this.counts.afterAsOf = 0;
  }

  /** Largest event time applied so far (ms), or -Infinity. */
  get watermark(): number {
    return this.watermarkMs;
  }

  /** The as-of time a report uses now: the fixed one, else the watermark. */
  get asOf(): number {
    return this.fixedAsOf ?? this.watermarkMs;
  }

  /** Applies a converted batch. Resolves once the batch is queued (backpressure). */
  async ingest(input: ConvertedInput): Promise<void> {
    this.throwIfFailed();
    if (input.parts.length !== this.shards.length) {
      throw new RfmError(
        'RFM_ERR_OPTION',
        `a batch made for ${input.parts.length} shards was given to an engine of ${this.shards.length};` +
          ` read with numShards: engine.numShards`,
      );
    }
    const applied = input.orders + input.refunds + input.engagements;
    // only rows that are applied decide the kind of id: a batch of rejected rows (a null id,
    // say) must not lock a live engine into string ids
    const c = applied > 0 ? this.inOwnIds(input) : input;
    if (this.migration !== null) {
      // counted once it can go to the shards: a read must not count a batch it cannot see
      await this.migration;
      this.throwIfFailed();
    }
    if (c.unsignedIds) this.unsignedIds = true;
    const k = this.counts;
    addTally(k, c);
    addRejectTally(this.rejectedBy, c.rejectedBy);
    for (const a of c.largest ?? []) keepLargest(this.largestOrders, a);
    this.duplicates += c.duplicates ?? 0;
    const converted = c.orders + c.refunds + c.engagements + c.rejected + c.afterAsOf + (c.duplicates ?? 0);
    k.rows += converted;
    if (c.maxTs > this.watermarkMs) this.watermarkMs = c.maxTs;
    if (this.keepRejects) for (const r of c.rejects) this.rejects.push(r);
    const hold = this.hold;
    if (applied === 0) this.giveBack(c);
    else if (hold === null) this.dispatch(c);
    else {
      await new Promise<void>((resolve) =>
        hold.batches.push(() => {
          this.dispatch(c);
          resolve();
        }),
      );
    }
    while (this.inFlight.length > this.maxInFlight) {
      await this.inFlight.shift()!.catch(() => undefined);
    }
    this.throwIfFailed();
  }

  /**
   * The batch with ids of the engine's kind (the first applied batch decides it): integer
   * ids into a text-id engine as their decimal text; text ids into an integer-id engine as
   * integers if they all are integers' text, else the engine turns to text ids.
   */
  private inOwnIds(c: ConvertedInput): ConvertedInput {
    const mode = c.parts[0].shape.idMode;
    if (this.idMode === null) this.idMode = mode;
    if (this.idMode === mode) return c;
    const same = this.idMode === 'utf8' ? intIdsAsText(c, this.pool) : textIdsAsInts(c, this.unsignedIds, this.pool);
    if (same === null) {
      this.idMode = 'utf8';
      this.migration = this.toTextIds();
      return c;
    }
    this.giveBack(c);
    return same;
  }

  /**
   * Turns every shard's integer ids into their decimal text, once every batch before it is
   * applied; batches given meanwhile wait (ingest awaits this.migration). A read's turn.
   */
  private toTextIds(): Promise<void> {
    const run = this.reads.then(async () => {
      const release = this.holdBatches();
      try {
        await this.drain();
        const states = await Promise.all(this.shards.map((s) => s.serialize()));
        const next = statesWithTextIds(states, this.subBits, this.unsignedIds);
        await Promise.all(this.shards.map((s, i) => s.restore(next[i])));
      } catch (e) {
        this.failure ??= e;
      } finally {
        this.migration = null;
        release();
      }
    });
    this.reads = run;
    return run;
  }

  /** Holds the batches given from now on; the function returned sends them to the shards. */
  private holdBatches(): () => void {
    let done!: () => void;
    const hold: Hold = {
      batches: [],
      released: new Promise<void>((resolve) => {
        done = resolve;
      }),
    };
    this.hold = hold;
    return () => {
      this.hold = null;
      for (const go of hold.batches) go();
      done();
    };
  }

  /** A batch nothing of which is applied: its buffers go straight back to the pool. */
  private giveBack(c: ConvertedInput): void {
    for (const b of new Set(c.parts.map((p) => p.buffer))) this.pool.give(b);
  }

  /** Queues a converted batch on every shard. */
  private dispatch(c: ConvertedInput): void {
    // a shared buffer is ready again once every shard is done with it; a shard's own buffer
    // comes back from that shard
    const shared = c.parts[0].buffer instanceof SharedArrayBuffer ? c.parts[0].buffer : null;
    const p = Promise.all(this.shards.map((s, i) => s.ingest(c.parts[i].buffer, c.parts[i].shape))).then((own) => {
      if (shared) this.pool.give(shared);
      for (const b of own) if (b) this.pool.give(b);
    });
    p.catch((e: unknown) => {
      this.failure ??= e;
    });
    this.inFlight.push(p);
  }

  /**
   * A read in two phases: a plan from every shard's sketches (or values), then one task per
   * shard under that plan. A batch queued between the phases would be read under a plan
   * made without it, with the counts of the batches after it: a report of no state the
   * engine was ever in. So batches given meanwhile wait here, and go to the shards once the
   * second phase's tasks are queued: a pause per read while the shards apply what was
   * queued before, make their sketches and this thread merges them. Reads take turns, so
   * one holding batches back never runs into another.
   */
  private inPhases<T>(
    mode: RankMode,
    commit: boolean,
    tasks: (plan: Float64Array) => Promise<T>[],
    asOf?: number,
  ): Promise<PhasedRead<T>> {
    const read = this.reads.then(async (): Promise<PhasedRead<T>> => {
      const o: SnapshotOptions = { mode, asOf: asOf ?? this.snapshotAsOf(), subBits: this.subBits, commit };
      const counts = { ...this.counts };
      const watermark = this.watermarkMs;
      const release = this.holdBatches();
      let planned: Planned;
      let pending: Promise<T>[];
      try {
        await this.drain();
        if (this.model.usesPAlive)
          o.alive = await this.aliveFitter.fitFor(
            this.shards,
            o.asOf,
            `${this.counts.rows}:${this.watermarkMs}:${o.asOf}`,
            this.counts.rows,
          );
        planned = await planFor(this.shards, this.model, o);
        pending = tasks(planned.plan);
      } finally {
        release();
      }
      return { options: o, planned, results: await Promise.all(pending), counts, watermark };
    });
    this.reads = read.catch(() => undefined);
    return read;
  }

  private throwIfFailed(): void {
    const e = this.fault;
    if (e !== null) throw e;
  }

  /** Waits until every batch given so far is applied (held ones too, see inPhases). */
  async flush(): Promise<void> {
    while (this.hold !== null) await this.hold.released;
    await this.drain();
  }

  /** Waits until every batch queued on the shards is applied. */
  private async drain(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight.shift()!.catch(() => undefined);
    this.throwIfFailed();
  }

  /** Rejected rows kept since the last call (with keepRejects). */
  takeRejects(): Reject[] {
    const r = this.rejects;
    this.rejects = [];
    return r;
  }

  /** Customers held (prospects and refund-only ones included). */
  async numCustomers(): Promise<number> {
    await this.flush();
    const n = await Promise.all(this.shards.map((s) => s.numCustomers()));
    return n.reduce((a, b) => a + b, 0);
  }

  private snapshotAsOf(): number {
    const asOf = this.asOf;
    return Number.isFinite(asOf) ? asOf : 0;
  }

  /**
   * The state now, classified: mode 'sketch' (default) ranks from the merged sketches,
   * 'exact' from all values. commit: remember segments so the next snapshot's migration
   * starts from them. buildReport (src/report/) names it.
   */
  async snapshot(mode: RankMode = 'sketch', commit = false): Promise<EngineSnapshot> {
    const read = await this.inPhases(mode, commit, (plan) => this.shards.map((s) => s.classify(plan, commit)));
    return {
      result: snapshotFrom(read.planned, read.results, this.model, read.options),
      counts: read.counts,
      watermark: read.watermark,
    };
  }

  /**
   * Every customer with scores, retention and segment under the given ranking mode, as of
   * asOf (default: the engine's). An earlier asOf than some event applied is the caller's
   * to avoid: recency would be negative (the live figures take it at a month end their
   * batches were split at).
   */
  async customers(mode: RankMode = 'sketch', asOf?: number): Promise<CustomerExport> {
    const read = await this.inPhases(mode, false, (plan) => this.shards.map((s) => s.exportRows(plan)), asOf);
    return {
      parts: read.results,
      asOf: read.options.asOf,
      model: this.model,
      thresholds: read.planned.thresholds,
      unsignedIds: this.unsignedIds,
    };
  }

  /**
   * Each shard's fit histograms of the state now (what the prediction models are fitted on,
   * src/predict/kernel-histograms.ts), with the engine's as-of then: no export, and a WASM
   * shard brings them up to date from the customers changed since the last time.
   */
  async fitHistograms(): Promise<{ shards: FitHistograms[]; asOf: number; rows: number; watermark: number }> {
    await this.flush();
    const asOf = this.snapshotAsOf();
    // the rows and watermark of the state the shards' tasks see: queued in this same turn
    const { rows } = this.counts;
    const watermark = this.watermarkMs;
    return { shards: await Promise.all(this.shards.map((s) => s.fitHistograms())), asOf, rows, watermark };
  }

  /** Each shard's state, as bytes either kernel can restore. */
  async serialize(): Promise<Uint8Array[]> {
    await this.flush();
    return Promise.all(this.shards.map((s) => s.serialize()));
  }

  /** Everything a checkpoint needs to bring this engine back: every shard's state and the engine's own counts. */
  async checkpoint(): Promise<EngineCheckpoint> {
    const shards = await this.serialize();
    return {
      shards,
      counts: { ...this.counts },
      watermark: this.watermarkMs,
      idMode: this.idMode,
      unsignedIds: this.unsignedIds,
    };
  }

  /** Brings back a checkpoint's state, into an engine of as many shards that has applied nothing. */
  async restore(c: EngineCheckpoint): Promise<void> {
    if (c.shards.length !== this.shards.length) {
      throw new RfmError(
        'RFM_ERR_OPTION',
        `the checkpoint holds ${c.shards.length} shards and this engine has ${this.shards.length}: give --workers ` +
          `${c.shards.length}`,
      );
    }
    await this.flush();
    await Promise.all(this.shards.map((s, i) => s.restore(c.shards[i])));
    Object.assign(this.counts, c.counts);
    this.watermarkMs = c.watermark;
    this.idMode = c.idMode;
    this.unsignedIds = c.unsignedIds;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    await Promise.all(this.shards.map((s) => s.close()));
  }
}
