/**
 * Entry of a shard's worker thread. The pool around it has exactly one thread, so this
 * module's kernel is the only copy of the shard's state and every task of the shard
 * reaches it, in submission order. Every shard is given every row; the kernel applies
 * those of its own customers.
 */
import { workerData } from 'node:worker_threads';
import { move } from 'piscina';
import { handBack } from '../batch/buffer-pool.js';
import { columnBatchOver } from '../batch/column-batch.js';
import { createKernel } from './shard-host.js';
import type { ShardTask, WorkerSetup } from './worker-task.js';

const setup = workerData as WorkerSetup;
const kernel = createKernel(setup.core, setup.subBits);

export default function run(task: ShardTask): unknown {
  switch (task.op) {
    case 'ingest': {
      kernel.ingest(columnBatchOver(task.buffer, task.shape), setup.shard, setup.numShards);
      const own = handBack(task.buffer);
      return own === null ? null : move(own);
    }
    case 'sketches':
      return kernel.sketches();
    case 'exactValues':
      return kernel.exactValues();
    case 'fitHistograms':
      return kernel.fitHistograms();
    case 'classify':
      return kernel.classify(task.plan, task.commit);
    case 'exportRows':
      return kernel.exportRows(task.plan);
    // moved, not copied: a state is as large as the shard (half a GB at 5 * 10^6 customers),
    // and a structured clone doubled it in this thread and the coordinator's until GC
    case 'serialize':
      return move(kernel.serialize());
    case 'restore':
      kernel.restore(task.bytes);
      return null;
    case 'numCustomers':
      return kernel.numCustomers;
  }
}
