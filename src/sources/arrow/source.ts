/**
 * Arrow IPC input (file or stream, '-' for stdin), read and converted in a separate thread
 * and handed over batch by batch. Arrow input is untrusted: the reading thread is bounded
 * in memory (resourceLimits) and in time (a stall watchdog: while a batch is owed, some
 * message must arrive within stallMs), and its raw errors become RFM_ERR_INPUT.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { RfmError } from '../../domain/errors.js';
import type { ConvertedInput } from '../../batch/converted.js';
import type { RowLimits } from '../../batch/limits.js';
import type { ColumnNames } from '../../batch/schema.js';
import { transferable } from '../../batch/buffer-pool.js';
import type { BufferPool } from '../../batch/buffer-pool.js';
import { compiledModule } from '../../package-root.js';
import type { ParentToReader, ReaderToParent } from './read-protocol.js';
import type { ReadWorkerSetup } from './read-protocol.js';
import type { ReaderPool } from './reader-pool.js';
import { parquetTrouble } from '../parquet/batches.js';
import { headAndTail } from '../file-ends.js';

const READ_AHEAD = 4;

export interface ArrowSourceOptions {
  names: ColumnNames;
  asOf?: number;
  /** A window's read: rows at or before this time were applied by an earlier read. */
  after?: number;
  /** Rejected rows were counted by an earlier read. */
  quietRejects?: boolean;
  /** A part of every batch per shard (one shared buffer when more than one): pass engine.numShards. Default 1. */
  numShards?: number;
  keepRejects: boolean;
  /** Give up when the reader owes a batch and says nothing for this long (ms). Default 5000. */
  stallMs?: number;
  /** Heap limit of the reading thread, MiB. Default 2048. */
  maxHeapMb?: number;
  /** Cut larger batches into slices of this many rows (a paced replay wants small steps). */
  maxBatchRows?: number;
  /**
   * Batches read ahead. Default 4: every batch in flight holds a buffer (6 MiB for a joined
   * batch of a file) the pool must make fresh before the first ones come back, and fresh
   * memory costs page faults; 4 keep a million rows ahead of the workers (bench/NOTES.md,
   * section 41: a small replay 1.13-1.49 -> 0.95-1.35 s against 16, six pairs).
   */
  readAhead?: number;
  /** Buffers to send back to the reading thread for reuse: pass engine.pool. */
  recycleFrom?: BufferPool;
  /** What messages call the input (default: its path; the server says "the request body"). */
  label?: string;
  /** The bounds a row must be within (src/batch/limits.ts). */
  limits?: RowLimits;
  /** Arrow IPC (default) or a Parquet file. */
  format?: 'arrow' | 'parquet';
  /** Threads kept to read inputs one after another (not stdin); default: a thread of its own. */
  readers?: ReaderPool;
  /** Called once the input is open, with its batch count when the format tells it (Parquet: its row groups). */
  onStart?: (numBatches: number | null) => void;
}

const ARROW_MAGIC = 'ARROW1';

/** An Arrow IPC file (its magic at the start) whose end is not the magic of its footer. */
function truncatedFile(path: string): boolean {
  const ends = headAndTail(path, ARROW_MAGIC.length);
  return ends !== null && ends.head === ARROW_MAGIC && ends.tail !== ARROW_MAGIC;
}

/** Why the reading thread failed, in words, from its raw error. */
function unreadable(format: 'arrow' | 'parquet', path: string, name: string, message: string): string {
  if (format === 'parquet') return parquetTrouble(path, message).replace(path, name);
  return path !== '-' && truncatedFile(path)
    ? `${name}: the Arrow IPC file is truncated (it starts as one but ends before its footer); copy or export it again`
    : `${name}: not a readable Arrow IPC file or stream (${message})`;
}

/** Reads `path` ('-': stdin) as Arrow IPC (or a Parquet file, with format) and yields converted batches. */
export async function* readArrow(path: string, o: ArrowSourceOptions): AsyncGenerator<ConvertedInput> {
  const name = o.label ?? (path === '-' ? 'stdin' : path);
  const format = o.format ?? 'arrow';
  const what = format === 'parquet' ? 'Parquet' : 'Arrow IPC';
  if (path !== '-') {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      throw new RfmError('RFM_ERR_INPUT', `${name}: no such file`);
    }
    if (stat.isDirectory())
      throw new RfmError(
        'RFM_ERR_INPUT',
        `${name} is a folder; expected ${format === 'parquet' ? 'a Parquet file' : 'an Arrow IPC file or stream'}`,
      );
    if (stat.isFile() && stat.size === 0)
      throw new RfmError('RFM_ERR_INPUT', `${name}: the file is empty; expected orders (Arrow IPC, Parquet or CSV)`);
  }
  const setup: ReadWorkerSetup = {
    path,
    format,
    label: name,
    names: o.names,
    asOf: o.asOf,
    after: o.after,
    quietRejects: o.quietRejects,
    numShards: o.numShards ?? 1,
    keepRejects: o.keepRejects,
    maxBatchRows: o.maxBatchRows,
    limits: o.limits ?? {},
  };
  const readers = path === '-' ? undefined : o.readers;
  const worker =
    readers === undefined
      ? new Worker(compiledModule(import.meta.url, 'sources/arrow/read-worker.js'), {
          workerData: setup,
          stdin: path === '-',
          resourceLimits: { maxOldGenerationSizeMb: o.maxHeapMb ?? 2048 },
        })
      : await readers.acquire();
  if (readers !== undefined) worker.postMessage({ type: 'read', setup } satisfies ParentToReader);
  if (path === '-') process.stdin.pipe(worker.stdin!);
  /** The thread said it is done with this input (its end, or why not): it may read another. */
  let settled = false;
  // a live stdin may rightly pause; a file that stops yielding batches is corrupt
  let stallMs = o.stallMs ?? (path === '-' ? Infinity : 5000);
  const queue: ReaderToParent[] = [];
  let failure: RfmError | null = null;
  let notify: (() => void) | null = null;
  let owed = o.readAhead ?? READ_AHEAD;
  let timer: NodeJS.Timeout | null = null;
  let stalled = false;
  const fail = (e: RfmError): void => {
    failure ??= e;
    notify?.();
  };
  const arm = (): void => {
    if (timer) clearTimeout(timer);
    timer =
      owed > 0 && Number.isFinite(stallMs)
        ? setTimeout(() => {
            fail(
              new RfmError(
                'RFM_ERR_INPUT',
                `${name}: reading stalled for ${stallMs} ms; the ${what} data is probably corrupt`,
              ),
            );
            stalled = true;
            void worker.terminate();
          }, stallMs)
        : null;
  };
  const onMessage = (m: ReaderToParent): void => {
    if (m.type === 'batch') owed--;
    if (m.type === 'end' || m.type === 'error') settled = true;
    if (m.type === 'error') {
      fail(
        m.translated
          ? new RfmError(m.code, m.message)
          : new RfmError('RFM_ERR_INPUT', unreadable(format, path, name, m.message)),
      );
      return;
    }
    // a Parquet row group is decoded whole before its first batch: the watchdog allows for its size
    if (m.type === 'start' && m.firstBatchMs !== undefined && m.firstBatchMs > stallMs) stallMs = m.firstBatchMs;
    queue.push(m);
    arm();
    notify?.();
  };
  const onError = (e: Error & { code?: string }): void => {
    settled = false;
    fail(
      new RfmError(
        'RFM_ERR_INPUT',
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `${name}: reading it took more than ${o.maxHeapMb ?? 2048} MiB; the ${what} data is probably corrupt`
          : unreadable(format, path, name, e.message),
      ),
    );
  };
  const onExit = (): void => {
    settled = false;
    if (queue.length === 0 || queue[queue.length - 1].type !== 'end')
      fail(new RfmError('RFM_ERR_INPUT', `${name}: the reader stopped early`));
  };
  worker.on('message', onMessage);
  worker.on('error', onError);
  worker.on('exit', onExit);
  const credit = (n: number): void => {
    owed += n;
    const buffers = o.recycleFrom?.drain() ?? [];
    worker.postMessage({ type: 'credit', n, buffers } satisfies ParentToReader, transferable(buffers));
    arm();
  };
  owed = 0;
  credit(o.readAhead ?? READ_AHEAD);
  try {
    for (;;) {
      while (queue.length === 0 && failure === null) await new Promise<void>((r) => (notify = r));
      const m = queue.shift();
      if (m === undefined) throw failure!;
      if (m.type === 'end') return;
      if (m.type === 'start') o.onStart?.(m.numBatches);
      if (m.type === 'batch') {
        credit(1);
        const { type: _, ...batch } = m;
        yield batch;
      }
    }
  } finally {
    if (timer) clearTimeout(timer);
    worker.off('message', onMessage);
    worker.off('error', onError);
    worker.off('exit', onExit);
    if (path === '-') process.stdin.unpipe(worker.stdin!);
    // a kept thread that settled reads the next input; one that stalled, or whose reader
    // stopped midway, is ended
    if (readers !== undefined) {
      readers.release(worker, settled && !stalled);
    } else if (failure !== null) {
      // a reader stuck in a system call (a pipe nobody writes to) cannot finish terminating:
      // after a failure, let it go rather than wait for it
      worker.unref();
      void worker.terminate();
    } else {
      await worker.terminate();
    }
  }
}
