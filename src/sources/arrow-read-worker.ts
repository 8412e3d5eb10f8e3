/**
 * Thread that reads an untrusted Arrow IPC file or stream and converts each batch to kernel
 * columns. apache-arrow throws raw internal errors on corrupt input and can spin forever on
 * some (apache/arrow-js#315), so it runs here, where the parent can watch its progress and
 * terminate it; see arrow-source.ts.
 */
import { constants, openSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { RecordBatchReader } from 'apache-arrow';
import type { RecordBatch } from 'apache-arrow';
import { convertBatch, toInput } from '../engine/arrow-columns.js';
import { BufferPool } from '../engine/column-batch.js';
import type { ColumnNames } from '../engine/arrow-columns.js';
import { RfmError } from '../core/errors.js';
import type { ReaderToParent, ParentToReader } from './arrow-read-protocol.js';

export interface ReadWorkerSetup {
  /** File path, or '-' for the stdin the parent pipes in. */
  path: string;
  names: ColumnNames;
  asOf?: number;
  /** Shards of the engine: each batch is split into one part per shard. */
  numShards: number;
  keepRejects: boolean;
}

const setup = workerData as ReadWorkerSetup;
const port = parentPort!;
let credit = 0;
let wake: (() => void) | null = null;

const pool = new BufferPool();

port.on('message', (m: ParentToReader) => {
  if (m.type === 'credit') {
    for (const b of m.buffers) pool.give(b);
    credit += m.n;
    wake?.();
  }
});

async function waitForCredit(): Promise<void> {
  while (credit <= 0) await new Promise<void>((r) => (wake = r));
  credit--;
}

function post(m: ReaderToParent, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

/**
 * A regular file opens for random access (the IPC file format reads its footer first);
 * a pipe (named pipe, /dev/fd/N) is read as a stream, opened without blocking: a blocking
 * open of a pipe nobody writes to would hold a thread that even process.exit waits for.
 */
function openSource(path: string): Promise<FileHandle> | NodeJS.ReadableStream {
  if (path === '-') return process.stdin;
  if (statSync(path).isFile()) return open(path, 'r');
  return new Socket({ fd: openSync(path, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
}

async function main(): Promise<void> {
  const name = setup.path === '-' ? 'stdin' : setup.path;
  const opened = openSource(setup.path);
  const source = opened instanceof Promise ? await opened : opened;
  const handle = opened instanceof Promise ? (source as FileHandle) : null;
  let row = 0;
  let batches = 0;
  try {
    const reader = (await RecordBatchReader.from(source as never)) as unknown as RecordBatchReader;
    await reader.open();
    post({ type: 'start', numBatches: reader.isFile() ? reader.numRecordBatches : null });
    // ask for the next batch before converting this one, so reading overlaps converting
    const batchesOf = (reader as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]();
    let next = batchesOf.next();
    for (;;) {
      const step = await next;
      if (step.done) break;
      next = batchesOf.next();
      const batch = step.value;
      await waitForCredit();
      const c = convertBatch(batch, {
        names: setup.names, asOf: setup.asOf, keepRejects: setup.keepRejects, firstRow: row, source: name, pool,
      });
      row += batch.numRows;
      batches++;
      const input = toInput(c, setup.numShards, pool);
      post({ type: 'batch', ...input }, input.parts.map((p) => p.buffer));
    }
    if (batches === 0 && reader.schema === undefined) throw new Error('no schema');
    post({ type: 'end', batches, rows: row });
  } finally {
    if (handle) await handle.close();
    else if (source instanceof Socket) source.destroy();
  }
}

main().catch((e: unknown) => {
  const err = e as Error;
  post({
    type: 'error',
    code: e instanceof RfmError ? e.code : 'RFM_ERR_INPUT',
    message: e instanceof RfmError ? err.message : String(err?.message ?? e),
    translated: e instanceof RfmError,
  });
});
