/**
 * What the engine returns and the report module names: the types between them, so neither
 * imports the other (the CLI, the server and the API call the engine, then the report).
 */
import type { Concentration } from './domain/concentration.js';
import type { TotalsLayout } from './core/totals.js';
import type { CustomerRows } from './domain/types.js';
import type { Model } from './model/model.js';

export type RankMode = 'exact' | 'sketch';

/** Score cut points in value terms: a value at or above cut k scores at least k + 1. */
/** The fit a read's p_alive came from (src/engine/alive-fit.ts), as the report gives it. */
export interface AliveFit {
  model: 'mbgnbd';
  /** The UTC day T was counted to when fitted. */
  calibrationEnd: string;
  r: number;
  alpha: number;
  a: number;
  b: number;
  logLikelihood: number;
  converged: boolean;
  message: string;
}

export interface Thresholds {
  /** Last-order time cuts, ms (null: no customer reaches that score). */
  r: (number | null)[];
  f: (number | null)[];
  m: (number | null)[];
  aov: (number | null)[];
  medianSpend: number;
  storeGapDays: number;
  /** The MBG/NBD fit the p_alive field was computed under, when a rule of the model tests it. */
  aliveFit?: AliveFit;
}

export interface SnapshotResult {
  mode: RankMode;
  asOf: number;
  plan: Float64Array;
  layout: TotalsLayout;
  totals: Float64Array;
  thresholds: Thresholds;
  concentration: Concentration;
  /** Revenue share of the lowest-spending 0, 5, ..., 100 % of customers. */
  lorenz: number[];
}

/** Counters of what went in, kept by the coordinator. */
export interface IngestCounts {
  orders: number;
  refunds: number;
  engagements: number;
  rejected: number;
  afterAsOf: number;
  batches: number;
  rows: number;
}

/** A snapshot and what it was taken of. */
export interface EngineSnapshot {
  result: SnapshotResult;
  /** Rows and kinds of the batches the snapshot covers. */
  counts: IngestCounts;
  /** Largest event time among them (ms), or -Infinity. */
  watermark: number;
}

/** Every customer with its classification, shard by shard, and the names to read it with. */
export interface CustomerExport {
  parts: CustomerRows[];
  asOf: number;
  model: Model;
  thresholds: Thresholds;
  /** The ids came as Uint64: print them unsigned. */
  unsignedIds: boolean;
}
