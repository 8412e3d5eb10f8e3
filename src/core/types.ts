/**
 * Types shared by the plain core, the WASM kernel wrapper and the engine: the kernel ABI.
 * Everything here is columns of typed arrays; nothing per row is an object.
 */

/** Event kinds, as the kernels see them (one byte per row). */
export const Kind = {
  order: 0,
  refund: 1,
  visit: 2,
  emailOpen: 3,
  /** Not applied: rejected by the boundary, or after the as-of time. */
  skip: 255,
} as const;
export type KindCode = (typeof Kind)[keyof typeof Kind];

/** How customer ids arrive: 64-bit integers as (lo, hi) words, or UTF-8 strings hashed to 64 bits. */
export type IdMode = 'int' | 'utf8';

/**
 * One batch of events in kernel form. The boundary (src/sources/columns.ts) builds it
 * from an Arrow RecordBatch once; kernels only read it.
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
  /** One of Kind. */
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

/** Condition fields a model may test; the numbers are the plan's encoding. */
export const Field = {
  r: 0,
  f: 1,
  m: 2,
  aov: 3,
  orders: 4,
  purchaseDays: 5,
  gapCv: 6,
  retention: 7,
  /** spend minus the store's median spend (so ">= 0" means at or above the median). */
  spendOverMedian: 8,
  /** 1 when the customer engaged (visit, email open) after the last order, else 0. */
  engagedSinceOrder: 9,
  engagements: 10,
  recencyDays: 11,
  spend: 12,
} as const;
export type FieldCode = (typeof Field)[keyof typeof Field];

export const Op = { lt: 0, le: 1, eq: 2, ne: 3, ge: 4, gt: 5 } as const;
export type OpCode = (typeof Op)[keyof typeof Op];

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
}

/** What every kernel implements: the plain core (src/core) and the WASM kernel (src/kernel). */
export interface Kernel {
  readonly numCustomers: number;
  /** Applies the rows of this batch whose customer falls in `shard` of `numShards`. Per batch. */
  ingest(batch: ColumnBatch, shard: number, numShards: number): void;
  /** Copies of the sketches, brought up to date first. Per snapshot. */
  sketches(): Sketches;
  /** Values for exact ranks. Per exact snapshot. */
  exactValues(): ExactValues;
  /** Classifies every customer under a plan (see plan.ts); returns totals (see totals.ts). */
  classify(plan: Float64Array, commit: boolean): Float64Array;
  /** Every customer with its classification under the plan. */
  exportRows(plan: Float64Array): CustomerRows;
  /** Whole state as bytes, restorable by either implementation. */
  serialize(): Uint8Array;
  restore(bytes: Uint8Array): void;
}
