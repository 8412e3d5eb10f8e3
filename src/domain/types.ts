/**
 * Types shared by the plain core, the WASM kernel wrapper and the engine: what a kernel
 * takes and gives. Everything here is columns of typed arrays; nothing per row is an object.
 */

// Event kinds, rule fields and ops: the numbers of the kernel ABI (src/abi/table.mjs).
export { Field, Kind, Op } from '../abi/abi.js';
export type { FieldCode, KindCode, OpCode } from '../abi/abi.js';

/** How customer ids arrive: 64-bit integers as (lo, hi) words, or UTF-8 strings hashed to 64 bits. */
export type IdMode = 'int' | 'utf8';

/**
 * One batch of events in kernel form. The conversion stage (src/batch/) builds it from an
 * Arrow RecordBatch once; kernels only read it.
 */
export interface ColumnBatch {
  numRows: number;
  idMode: IdMode;
  /** int ids: 2 words per row, lo then hi (little-endian Int64 as it lies in Arrow). */
  idWords: Int32Array | null;
  /** utf8 ids: numRows + 1 offsets into idBytes. */
  idOffsets: Int32Array | null;
  idBytes: Uint8Array | null;
  /** Event time, ms since the Unix epoch (UTC). */
  ts: Float64Array;
  /** Order value in store currency; refunds may be negative. */
  amount: Float64Array;
  /** One of Kind (KIND_* in src/abi/table.mjs). */
  kind: Uint8Array;
}

/**
 * A shard's sketches: histograms of the current per-customer values of every customer
 * with an order (mean gap: of those with two or more purchase days). Shards merge by adding.
 */
export interface Sketches {
  /** Bucket = UTC day of last_ts. */
  lastDay: Uint32Array;
  orders: Uint32Array;
  spend: Uint32Array;
  aov: Uint32Array;
  meanGap: Uint32Array;
}

/** A shard's raw values for exact ranks, customers with an order only. */
export interface ExactValues {
  lastTs: Float64Array;
  orders: Float64Array;
  spend: Float64Array;
  aov: Float64Array;
  /** Mean gap in days of customers with >= 2 purchase days (shorter than the others). */
  meanGap: Float64Array;
}

/**
 * Per-customer rows as a kernel exports them (one entry per customer of the shard,
 * prospects included). Scores are 0 for customers without an order.
 */
export interface CustomerRows {
  numRows: number;
  idMode: IdMode;
  idWords: Int32Array | null;
  idOffsets: Int32Array | null;
  idBytes: Uint8Array | null;
  orders: Uint32Array;
  purchaseDays: Uint32Array;
  spend: Float64Array;
  firstTs: Float64Array;
  lastTs: Float64Array;
  engagements: Uint32Array;
  /** r, f, m, aov scores; retention index; segment index (255: none). Packed per row. */
  r: Uint8Array;
  f: Uint8Array;
  m: Uint8Array;
  aovScore: Uint8Array;
  retention: Uint8Array;
  segment: Uint8Array;
  /** Bit a: in audience a (prospects included). */
  audiences: Uint32Array;
  /** The segment committed by the last committing snapshot (NO_SEGMENT: none then). */
  previousSegment: Uint8Array;
  /** The orders of the first purchase day (refunds not counted): the spend model's repeat days are the rest. */
  firstDaySpend: Float64Array;
}

/**
 * A shard's fit histograms, the entries with a count in no order: customers by (x, t_x, first
 * purchase day) and repeat customers by (x, ln m bin), keys as src/abi/table.mjs lays them
 * out (FIT_*); src/predict/kernel-histograms.ts decodes them. Shards merge by adding.
 */
export interface FitHistograms {
  tripleKeys: Float64Array;
  tripleCounts: Float64Array;
  spendKeys: Float64Array;
  spendCounts: Float64Array;
}

/** What every kernel implements: the plain core (src/core) and the WASM kernel (src/kernel). */
export interface Kernel {
  readonly numCustomers: number;
  /** Applies the rows of this batch whose customer falls in `shard` of `numShards`. Per batch. */
  ingest(batch: ColumnBatch, shard: number, numShards: number): void;
  /** Copies of the sketches, brought up to date first. Per snapshot. */
  sketches(): Sketches;
  /** The fit histograms, brought up to date first. Per prediction. */
  fitHistograms(): FitHistograms;
  /** Values for exact ranks. Per exact snapshot. */
  exactValues(): ExactValues;
  /** Classifies every customer under a plan (see plan.ts); returns totals (layout: totals.ts). */
  classify(plan: Float64Array, commit: boolean): Float64Array;
  /** Every customer with its classification under the plan. */
  exportRows(plan: Float64Array): CustomerRows;
  /** Whole state as bytes, restorable by either implementation. */
  serialize(): Uint8Array;
  restore(bytes: Uint8Array): void;
}
