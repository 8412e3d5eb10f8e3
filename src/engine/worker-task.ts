/** Messages between the coordinator and a shard's worker thread. */
import type { BatchBuffer } from '../batch/buffer-pool.js';
import type { ColumnBatchShape } from '../batch/column-batch.js';
import type { CoreName } from './shard-host.js';

export interface WorkerSetup {
  core: CoreName;
  subBits: number;
  /** This worker's shard, of numShards: its kernel applies only the rows of its customers. */
  shard: number;
  numShards: number;
}

export type ShardTask =
  | { op: 'ingest'; buffer: BatchBuffer; shape: ColumnBatchShape }
  | { op: 'sketches' }
  | { op: 'exactValues' }
  | { op: 'fitHistograms' }
  | { op: 'classify'; plan: Float64Array; commit: boolean }
  | { op: 'exportRows'; plan: Float64Array }
  | { op: 'serialize' }
  | { op: 'restore'; bytes: Uint8Array }
  | { op: 'numCustomers' };
