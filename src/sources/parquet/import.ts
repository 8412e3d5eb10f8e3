/**
 * `rfm import parquet`: a Parquet file's order columns, checked by the Arrow type rules
 * (schema.ts) and renamed to the engine's names, as RecordBatches for an Arrow IPC file.
 * Values are not converted: a replay of the output reads them as it would the Parquet.
 * The decoding runs on a thread of its own (parquet/read-worker.ts).
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { RecordBatch, tableFromIPC } from 'apache-arrow';
import type { Data } from 'apache-arrow';
import { checkSchema, DEFAULT_COLUMNS } from '../../batch/schema.js';
import type { ColumnNames } from '../../batch/schema.js';
import { RfmError } from '../../domain/errors.js';
import { compiledModule } from '../../package-root.js';
import { parquetTrouble } from './batches.js';
import type { ParquetToParent, ParquetWorkerSetup } from './read-worker.js';

/** Batches decoded ahead of the writer. */
const READ_AHEAD = 2;

/** The batches of a Parquet file as Arrow IPC streams, decoded on a watched thread. */
async function* rowGroupStreams(path: string, stallMs: number): AsyncGenerator<Uint8Array> {
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
  } catch {
    throw new RfmError('RFM_ERR_INPUT', `${path}: no such file, or not a regular one (Parquet is read by byte ranges)`);
  }
  const worker = new Worker(compiledModule(import.meta.url, 'sources/parquet/read-worker.js'), {
    workerData: { path } satisfies ParquetWorkerSetup,
    resourceLimits: { maxOldGenerationSizeMb: 2048 },
  });
  const queue: ParquetToParent[] = [];
  let failure: RfmError | null = null;
  let notify: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  const fail = (message: string): void => {
    failure ??= new RfmError('RFM_ERR_INPUT', parquetTrouble(path, message));
    notify?.();
  };
  const arm = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      fail(`reading stalled for ${stallMs} ms`);
      void worker.terminate();
    }, stallMs);
  };
  worker.on('message', (m: ParquetToParent) => {
    if (m.type === 'error') return fail(m.message);
    queue.push(m);
    arm();
    notify?.();
  });
  worker.on('error', (e: Error) => fail(e.message));
  worker.on('exit', () => {
    if (queue.length === 0 || queue[queue.length - 1].type !== 'end') fail('the reader stopped early');
  });
  worker.postMessage(READ_AHEAD);
  arm();
  try {
    for (;;) {
      while (queue.length === 0 && failure === null) await new Promise<void>((r) => (notify = r));
      const m = queue.shift();
      if (m === undefined) throw failure!;
      if (m.type === 'end') return;
      if (m.type === 'group') {
        worker.postMessage(1);
        yield m.bytes;
      }
    }
  } finally {
    if (timer) clearTimeout(timer);
    await worker.terminate();
  }
}

/** The orders of a Parquet file, a batch at a time; progress hears the rows read. */
export async function* readParquetOrders(
  path: string,
  names: ColumnNames,
  progress?: (rows: number) => void,
  stallMs = 30_000,
): AsyncGenerator<RecordBatch> {
  let rows = 0;
  for await (const bytes of rowGroupStreams(path, stallMs)) {
    for (const b of tableFromIPC(bytes).batches) {
      checkSchema(b, names, path);
      const children: Record<string, Data> = {
        [DEFAULT_COLUMNS.customer]: b.getChild(names.customer)!.data[0],
        [DEFAULT_COLUMNS.ts]: b.getChild(names.ts)!.data[0],
        [DEFAULT_COLUMNS.amount]: b.getChild(names.amount)!.data[0],
      };
      const kind = b.getChild(names.kind);
      if (kind !== null) children[DEFAULT_COLUMNS.kind] = kind.data[0];
      rows += b.numRows;
      progress?.(rows);
      yield new RecordBatch(children);
    }
  }
}
