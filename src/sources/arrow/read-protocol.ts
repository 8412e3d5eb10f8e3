/** Messages between arrow/source.ts and its reading thread, arrow/read-worker.ts. */
import type { BatchBuffer } from '../../batch/buffer-pool.js';
import type { ConvertedInput } from '../../batch/converted.js';
import type { RfmErrorCode } from '../../domain/errors.js';
import type { RowLimits } from '../../batch/limits.js';
import type { ColumnNames } from '../../batch/schema.js';

/**
 * credit: batches the reader may send; buffers: ones the engine is done with, to fill again.
 * read: the next input of a thread kept by a ReaderPool (a thread of one input gets it as workerData).
 */
export type ParentToReader =
  | { type: 'credit'; n: number; buffers: BatchBuffer[] }
  | { type: 'read'; setup: ReadWorkerSetup };

export interface ReadWorkerSetup {
  /** File path, or '-' for the stdin the parent pipes in. */
  path: string;
  /** Arrow IPC (file or stream), or a Parquet file. */
  format: 'arrow' | 'parquet';
  /** What messages call the input. */
  label: string;
  names: ColumnNames;
  asOf?: number;
  /** A window's read: rows at or before this were applied by an earlier read (convert.ts). */
  after?: number;
  quietRejects?: boolean;
  /** Shards of the engine; with more than one, batches are made in shared memory every shard reads. */
  numShards: number;
  keepRejects: boolean;
  /** Cut larger batches into slices of this many rows (a paced replay wants small steps). */
  maxBatchRows?: number;
  limits: RowLimits;
}

export type ReaderToParent =
  | ({ type: 'batch' } & ConvertedInput)
  /**
   * numBatches: known for the IPC file format (its footer lists them), null for a stream.
   * firstBatchMs: the least time the first batch may take (a Parquet row group is decoded
   * whole before its first batch: the watchdog allows for its size).
   */
  | { type: 'start'; numBatches: number | null; firstBatchMs?: number }
  | { type: 'end'; batches: number; rows: number }
  /** translated: the message is already ours; else it is apache-arrow's raw error. */
  | { type: 'error'; code: RfmErrorCode; message: string; translated: boolean };
