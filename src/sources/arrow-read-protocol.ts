/** Messages between arrow-source.ts and its reading thread, arrow-read-worker.ts. */
import type { ColumnBatchShape } from '../engine/column-batch.js';
import type { Reject } from '../engine/arrow-columns.js';
import type { RfmErrorCode } from '../core/errors.js';

export type ParentToReader = { type: 'credit'; n: number };

export type ReaderToParent =
  | {
      type: 'batch';
      shape: ColumnBatchShape;
      buffer: ArrayBuffer | SharedArrayBuffer;
      orders: number;
      refunds: number;
      engagements: number;
      rejected: number;
      afterAsOf: number;
      maxTs: number;
      rejects: Reject[];
    }
  /** numBatches: known for the IPC file format (its footer lists them), null for a stream. */
  | { type: 'start'; numBatches: number | null }
  | { type: 'end'; batches: number; rows: number }
  /** translated: the message is already ours; else it is apache-arrow's raw error. */
  | { type: 'error'; code: RfmErrorCode; message: string; translated: boolean };
