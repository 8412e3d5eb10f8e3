/** Messages between arrow/source.ts and its reading thread, arrow/read-worker.ts. */
import type { BatchBuffer } from '../../batch/buffer-pool.js';
import type { ConvertedInput } from '../../batch/converted.js';
import type { RfmErrorCode } from '../../domain/errors.js';

/** credit: batches the reader may send; buffers: ones the engine is done with, to fill again. */
export type ParentToReader = { type: 'credit'; n: number; buffers: BatchBuffer[] };

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
