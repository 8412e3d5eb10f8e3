/**
 * Where a shard's state lives. Every task of a shard goes to the same place, in order:
 * LocalShard holds the kernel in this thread; WorkerShard (worker-shard.ts) in its own
 * single-thread Piscina pool.
 */
import { CoreKernel } from '../core/core-kernel.js';
import type { CustomerRows, ExactValues, FitHistograms, Kernel, Sketches } from '../domain/types.js';
import { WasmKernel } from '../kernel/wasm-kernel.js';
import { handBack } from '../batch/buffer-pool.js';
import { columnBatchOver } from '../batch/column-batch.js';
import type { BatchBuffer } from '../batch/buffer-pool.js';
import type { ColumnBatchShape } from '../batch/column-batch.js';

/** Which kernel runs the shards: the WASM kernel or the plain TypeScript core. */
export type CoreName = 'wasm' | 'js';

export interface ShardHost {
  /**
   * Applies the rows of a batch that fall in this shard (every shard is given every row).
   * Resolves to the buffer when it is this shard's own (transferred, free for the next
   * batch), or null when it is shared (the coordinator takes it back once all shards are done).
   */
  ingest(buffer: BatchBuffer, shape: ColumnBatchShape): Promise<BatchBuffer | null>;
  sketches(): Promise<Sketches>;
  exactValues(): Promise<ExactValues>;
  fitHistograms(): Promise<FitHistograms>;
  classify(plan: Float64Array, commit: boolean): Promise<Float64Array>;
  exportRows(plan: Float64Array): Promise<CustomerRows>;
  serialize(): Promise<Uint8Array>;
  restore(bytes: Uint8Array): Promise<void>;
  numCustomers(): Promise<number>;
  close(): Promise<void>;
}

export function createKernel(core: CoreName, subBits: number): Kernel {
  return core === 'js' ? new CoreKernel(subBits) : new WasmKernel(subBits);
}

/** A shard in this thread. */
export class LocalShard implements ShardHost {
  readonly kernel: Kernel;

  constructor(core: CoreName, subBits: number) {
    this.kernel = createKernel(core, subBits);
  }

  async ingest(buffer: BatchBuffer, shape: ColumnBatchShape): Promise<BatchBuffer | null> {
    this.kernel.ingest(columnBatchOver(buffer, shape), 0, 1);
    return handBack(buffer);
  }
  async sketches(): Promise<Sketches> {
    return this.kernel.sketches();
  }
  async exactValues(): Promise<ExactValues> {
    return this.kernel.exactValues();
  }
  async fitHistograms(): Promise<FitHistograms> {
    return this.kernel.fitHistograms();
  }
  async classify(plan: Float64Array, commit: boolean): Promise<Float64Array> {
    return this.kernel.classify(plan, commit);
  }
  async exportRows(plan: Float64Array): Promise<CustomerRows> {
    return this.kernel.exportRows(plan);
  }
  async serialize(): Promise<Uint8Array> {
    return this.kernel.serialize();
  }
  async restore(bytes: Uint8Array): Promise<void> {
    this.kernel.restore(bytes);
  }
  async numCustomers(): Promise<number> {
    return this.kernel.numCustomers;
  }
  async close(): Promise<void> {}
}
