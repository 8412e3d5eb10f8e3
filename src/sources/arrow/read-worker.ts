/**
 * Thread that reads an untrusted Arrow IPC file or stream, or a Parquet file, and converts
 * each batch to kernel columns. apache-arrow throws raw internal errors on corrupt input and can spin forever on
 * some (apache/arrow-js#315), so it runs here, where the parent can watch its progress and
 * terminate it; see arrow/source.ts.
 */
import { constants, openSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type * as Arrow from 'apache-arrow';
import type { RecordBatch, RecordBatchReader } from 'apache-arrow';
import { convertBatch } from '../../batch/convert.js';
import { toInput } from '../../batch/converted.js';
import { joinConverted } from '../../batch/coalesce.js';
import { notAfter } from '../../batch/limits.js';
import { BufferPool, transferable } from '../../batch/buffer-pool.js';
import type { BatchBuffer } from '../../batch/buffer-pool.js';
import type { ConvertedBatch } from '../../batch/converted.js';
import type { OrderKeys } from '../../batch/order-keys.js';
import { RfmError } from '../../domain/errors.js';
import type { ParentToReader, ReadWorkerSetup, ReaderToParent } from './read-protocol.js';
import { PreadFile, reuseBodyBuffers } from './pread-file.js';
import { readParquetBatches } from '../parquet/batches.js';

// apache-arrow's single-file bundle: it loads in ~12 ms where the package's entry (some 200
// modules) takes ~80, and this thread loads it on the way to the first batch
const arrow = createRequire(import.meta.url)('apache-arrow/Arrow.esnext.min') as typeof Arrow;

// A thread reads one input given as workerData, or, kept by a ReaderPool, one input a 'read'
// message, each to its end or its error, one at a time.
const port = parentPort!;
let credit = 0;
let wake: (() => void) | null = null;

// with more than one shard, batches are made in shared memory that every shard reads
const plainPool = new BufferPool(false);
const sharedPool = new BufferPool(true);
let pool = plainPool;

port.on('message', (m: ParentToReader) => {
  if (m.type === 'credit') {
    for (const b of m.buffers) pool.give(b);
    credit += m.n;
    wake?.();
  }
  if (m.type === 'read') read(m.setup);
});

async function waitForCredit(): Promise<void> {
  while (credit <= 0) await new Promise<void>((r) => (wake = r));
  credit--;
}

function post(m: ReaderToParent, transfer: BatchBuffer[] = [], keys?: OrderKeys): void {
  // the order ids' arrays go too (made here, of no use here after)
  const own =
    keys === undefined
      ? []
      : ([...new Set([keys.ids.buffer, keys.offsets.buffer, keys.bytes.buffer])] as ArrayBuffer[]);
  port.postMessage(m, [...transferable(transfer), ...own]);
}

/** The least decoding pace the watchdog allows a Parquet row group (bytes a ms): 10 MB/s. */
const PARQUET_BYTES_PER_MS = 10_000;

/** Rows a handed-over batch of a regular file holds at least (but the last), when the file's batches are smaller. */
const JOIN_ROWS = 262_144;

/**
 * A regular file opens for random access (the IPC file format reads its footer first);
 * a pipe (named pipe, /dev/fd/N) is read as a stream, opened without blocking: a blocking
 * open of a pipe nobody writes to would hold a thread that even process.exit waits for.
 */
function openSource(path: string): PreadFile | NodeJS.ReadableStream {
  if (path === '-') return process.stdin;
  if (statSync(path).isFile()) return new PreadFile(path);
  return new Socket({ fd: openSync(path, constants.O_RDONLY | constants.O_NONBLOCK), readable: true, writable: false });
}

/** The input's batches, and how many there are when its format says (an IPC file's footer, Parquet's row groups). */
async function openBatches(setup: ReadWorkerSetup): Promise<{
  batches: AsyncIterable<RecordBatch>;
  count: number | null;
  handle: PreadFile | null;
  close: () => Promise<void>;
  noSchema: () => boolean;
  firstBatchMs?: number;
}> {
  if (setup.format === 'parquet') {
    const n = setup.names;
    const p = await readParquetBatches(setup.path, arrow, {
      required: [n.customer, n.ts, n.amount],
      optional: [n.kind, ...(n.order === undefined ? [] : [n.order.name])],
    });
    // a row group is decoded whole first: time for it by its size, at a pace far below this machine's (~100 MB/s)
    return {
      batches: p.batches,
      count: p.rowGroups,
      handle: null,
      close: async () => undefined,
      noSchema: () => false,
      firstBatchMs: p.largestGroupBytes / PARQUET_BYTES_PER_MS,
    };
  }
  const source = openSource(setup.path);
  const handle = source instanceof PreadFile ? source : null;
  const close = async (): Promise<void> => {
    if (handle) await handle.close();
    else if (source instanceof Socket) source.destroy();
  };
  try {
    const reader = (await arrow.RecordBatchReader.from(source as never)) as unknown as RecordBatchReader;
    await reader.open();
    if (handle) reuseBodyBuffers(reader, handle);
    return {
      batches: reader as AsyncIterable<RecordBatch>,
      count: reader.isFile() ? reader.numRecordBatches : null,
      handle,
      close,
      noSchema: () => reader.schema === undefined,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

async function main(setup: ReadWorkerSetup): Promise<void> {
  const name = setup.label;
  const input = await openBatches(setup);
  let row = 0;
  let batches = 0;
  try {
    post({ type: 'start', numBatches: input.count, firstBatchMs: input.firstBatchMs });
    const step = setup.maxBatchRows ?? Infinity;
    // small batches of a regular file are joined up to JOIN_ROWS rows, unless the caller
    // asked for small steps; a pipe or stdin may be live, and its batches go on as they come
    const joinRows =
      (input.handle !== null || setup.format === 'parquet') && setup.maxBatchRows === undefined ? JOIN_ROWS : 0;
    let pending: ConvertedBatch[] = [];
    let pendingRows = 0;
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      await waitForCredit();
      const converted = toInput(joinConverted(pending, pool), setup.numShards, pool);
      pending = [];
      pendingRows = 0;
      post(
        { type: 'batch', ...converted },
        converted.parts.map((p) => p.buffer),
        converted.orderKeys,
      );
    };
    for await (const whole of input.batches) {
      for (let begin = 0; begin < whole.numRows || begin === 0; begin += step) {
        const batch = whole.numRows > step ? whole.slice(begin, Math.min(whole.numRows, begin + step)) : whole;
        const c = convertBatch(batch, {
          names: setup.names,
          asOf: setup.asOf,
          keepRejects: setup.keepRejects,
          firstRow: row,
          source: name,
          pool,
          maxAmount: setup.limits.maxAmount,
          notAfter: notAfter(setup.limits),
          notBefore: setup.limits.notBefore,
          after: setup.after,
          quietRejects: setup.quietRejects,
        });
        row += batch.numRows;
        batches++;
        if (pending.length > 0 && pending[0].columns.idMode !== c.columns.idMode) await flush();
        pending.push(c);
        pendingRows += c.columns.numRows;
        if (pendingRows >= joinRows) await flush();
        if (batch === whole) break;
      }
    }
    await flush();
    if (batches === 0 && input.noSchema()) throw new Error('no schema');
    post({ type: 'end', batches, rows: row });
  } finally {
    await input.close();
  }
}

/** Reads one input to its 'end' or 'error' message. */
function read(s: ReadWorkerSetup): void {
  credit = 0;
  pool = s.numShards > 1 ? sharedPool : plainPool;
  main(s).catch((e: unknown) => {
    const err = e as Error;
    post({
      type: 'error',
      code: e instanceof RfmError ? e.code : 'RFM_ERR_INPUT',
      message: e instanceof RfmError ? err.message : String(err?.message ?? e),
      translated: e instanceof RfmError,
    });
  });
}

const first = workerData as ReadWorkerSetup | null;
if (first !== null) read(first);
