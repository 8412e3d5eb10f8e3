/**
 * A shard in a worker thread: a Piscina pool of exactly one thread. Piscina runs a task on
 * whichever worker is idle, so state kept in a worker is only correct when the pool has one
 * worker; with one, piscina still gives us the queue, transfers and clean shutdown.
 * A worker that dies loses its shard's state. Piscina would quietly start a fresh worker
 * (an empty shard) and run the next task on it: a hole in the state. So the thread's exit is
 * watched: from then on every task of this shard fails, and onDeath tells the engine at
 * once, even with no task in flight (the engine stops, or restarts from a checkpoint).
 */
import { Piscina } from 'piscina';
import type { CustomerRows, ExactValues, FitHistograms, Sketches } from '../domain/types.js';
import { RfmError } from '../domain/errors.js';
import { compiledModule } from '../package-root.js';
import { transferable } from '../batch/buffer-pool.js';
import type { BatchBuffer } from '../batch/buffer-pool.js';
import type { ColumnBatchShape } from '../batch/column-batch.js';
import type { ShardHost } from './shard-host.js';
import type { ShardTask, WorkerSetup } from './worker-task.js';
import { killAfterIngest } from './fault-injection.js';

export class WorkerShard implements ShardHost {
  private readonly pool: Piscina;
  /** Settles once the worker has loaded its modules and answered (see close). */
  private readonly loaded: Promise<unknown>;
  private closing = false;
  /** Set once the worker thread is gone: every task fails with it. */
  private death: RfmError | null = null;

  constructor(
    private readonly setup: WorkerSetup,
    private readonly onDeath: (e: RfmError) => void = () => undefined,
  ) {
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
    // the pool's one thread exists once the pool does; a replacement piscina starts after
    // it dies is never used (run refuses every task once death is set)
    this.pool.threads[0].once('exit', (code) => this.died(`its worker thread stopped (exit code ${code})`));
    // an error thrown in the thread outside a task: piscina emits it on the pool (unhandled,
    // it would end the process) and then the thread exits
    this.pool.on('error', (e: Error) => this.died(`its worker thread failed: ${e.message}`));
    this.loaded = this.numCustomers().catch(() => undefined);
  }

  private get name(): string {
    return `shard ${this.setup.shard + 1} of ${this.setup.numShards}`;
  }

  private died(why: string): void {
    if (this.closing || this.death !== null) return;
    this.death = new RfmError('RFM_ERR_WORKER', `${this.name} is lost: ${why}`);
    this.onDeath(this.death);
  }

  private async run<T>(task: ShardTask, transfer?: Transferable[]): Promise<T> {
    if (this.death !== null) throw this.death;
    try {
      return (await this.pool.run(task, transfer ? { transferList: transfer as never } : undefined)) as T;
    } catch (e) {
      // the thread's exit is seen before its unfinished task's rejection
      if (this.death !== null) throw this.death;
      if (
        e instanceof Error &&
        'code' in e &&
        typeof (e as RfmError).code === 'string' &&
        (e as RfmError).code.startsWith('RFM_')
      )
        throw e;
      throw new RfmError('RFM_ERR_WORKER', `${this.name} failed on ${task.op}: ${(e as Error).message}`, { cause: e });
    }
  }

  ingest(buffer: BatchBuffer, shape: ColumnBatchShape): Promise<BatchBuffer | null> {
    const done = this.run<BatchBuffer | null>({ op: 'ingest', buffer, shape }, transferable([buffer]));
    if (killAfterIngest(this.setup.shard)) void this.pool.threads[0]?.terminate();
    return done;
  }
  sketches(): Promise<Sketches> {
    return this.run({ op: 'sketches' });
  }
  exactValues(): Promise<ExactValues> {
    return this.run({ op: 'exactValues' });
  }
  fitHistograms(): Promise<FitHistograms> {
    return this.run({ op: 'fitHistograms' });
  }
  classify(plan: Float64Array, commit: boolean): Promise<Float64Array> {
    return this.run({ op: 'classify', plan, commit });
  }
  exportRows(plan: Float64Array): Promise<CustomerRows> {
    return this.run({ op: 'exportRows', plan });
  }
  serialize(): Promise<Uint8Array> {
    return this.run({ op: 'serialize' });
  }
  restore(bytes: Uint8Array): Promise<void> {
    return this.run({ op: 'restore', bytes });
  }
  numCustomers(): Promise<number> {
    return this.run({ op: 'numCustomers' });
  }

  async close(): Promise<void> {
    // a worker terminated while Node still loads its modules can abort the whole process
    // (V8: "IsGraphAsync must be used on an instantiated module"): an input that fails at
    // once, before the workers are up, would end the CLI that way instead of with its error
    this.closing = true;
    await this.loaded;
    await this.pool.destroy();
  }
}
