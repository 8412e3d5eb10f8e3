/**
 * A shard in a worker thread: a Piscina pool of exactly one thread. Piscina runs a task on
 * whichever worker is idle, so state kept in a worker is only correct when the pool has one
 * worker; with one, piscina still gives us the queue, transfers and clean shutdown.
 * A worker that dies loses its shard's state: the engine must stop, never continue on a
 * fresh worker (see Engine's fail-fast handling).
 */
import { Piscina } from 'piscina';
import type { CustomerRows, ExactValues, Sketches } from '../core/types.js';
import { RfmError } from '../core/errors.js';
import { compiledModule } from '../package-root.js';
import { transferable } from '../batch/buffer-pool.js';
import type { BatchBuffer } from '../batch/buffer-pool.js';
import type { ColumnBatchShape } from '../batch/column-batch.js';
import type { ShardHost } from './shard-host.js';
import type { ShardTask, WorkerSetup } from './worker-task.js';

export class WorkerShard implements ShardHost {
  private readonly pool: Piscina;
  /** Settles once the worker has loaded its modules and answered (see close). */
  private readonly loaded: Promise<unknown>;

  constructor(setup: WorkerSetup) {
    this.pool = new Piscina({
      filename: compiledModule(import.meta.url, 'engine/worker.js'),
      minThreads: 1,
      maxThreads: 1,
      concurrentTasksPerWorker: 1,
      // a shard's batches must be applied in the order given (cadence depends on it); by
      // default piscina puts a task it cannot hand out yet at the back of its queue, which
      // with one busy thread and three or more tasks waiting runs them out of order
      stricterFIFO: true,
      idleTimeout: Infinity,
      workerData: setup,
    });
    this.loaded = this.numCustomers().catch(() => undefined);
  }

  private async run<T>(task: ShardTask, transfer?: Transferable[]): Promise<T> {
    try {
      return (await this.pool.run(task, transfer ? { transferList: transfer as never } : undefined)) as T;
    } catch (e) {
      if (e instanceof Error && 'code' in e && typeof (e as RfmError).code === 'string' && (e as RfmError).code.startsWith('RFM_')) throw e;
      throw new RfmError('RFM_ERR_WORKER', `shard worker failed on ${task.op}: ${(e as Error).message}`, { cause: e });
    }
  }

  ingest(buffer: BatchBuffer, shape: ColumnBatchShape): Promise<BatchBuffer | null> {
    return this.run({ op: 'ingest', buffer, shape }, transferable([buffer]));
  }
  sketches(): Promise<Sketches> { return this.run({ op: 'sketches' }); }
  exactValues(): Promise<ExactValues> { return this.run({ op: 'exactValues' }); }
  classify(plan: Float64Array, commit: boolean): Promise<Float64Array> { return this.run({ op: 'classify', plan, commit }); }
  exportRows(plan: Float64Array): Promise<CustomerRows> { return this.run({ op: 'exportRows', plan }); }
  serialize(): Promise<Uint8Array> { return this.run({ op: 'serialize' }); }
  restore(bytes: Uint8Array): Promise<void> { return this.run({ op: 'restore', bytes }); }
  numCustomers(): Promise<number> { return this.run({ op: 'numCustomers' }); }

  async close(): Promise<void> {
    // a worker terminated while Node still loads its modules can abort the whole process
    // (V8: "IsGraphAsync must be used on an instantiated module"): an input that fails at
    // once, before the workers are up, would end the CLI that way instead of with its error
    await this.loaded;
    await this.pool.destroy();
  }
}
