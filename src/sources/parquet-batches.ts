/**
 * Parquet files as Arrow RecordBatches, streamed: parquet-wasm (arrow-rs's reader compiled
 * to WebAssembly) decodes the columns asked for, BATCH_ROWS rows at a time, each batch to an
 * Arrow IPC stream that apache-arrow reads. A row group is not decoded whole: DuckDB writes
 * 2*10^7 rows in one, which took 2.48 GB (42x the file) and longer than the stall watchdog
 * allows before its first batch. The file is a Blob backed by the file (fs.openAsBlob): the
 * reader fetches the footer and then the byte ranges of the columns, never the whole file.
 * Runs on the Arrow reading thread (arrow-read-worker.ts), which bounds its time.
 */
import { openAsBlob, statSync } from 'node:fs';
import { headAndTail } from './file-ends.js';
import type { RecordBatch, Table } from 'apache-arrow';
import { RfmError } from '../core/errors.js';

/** Rows of a RecordBatch decoded from a row group (a row group may hold millions). */
const BATCH_ROWS = 262_144;

export const PARQUET_MAGIC = 'PAR1';

/** What went wrong reading a Parquet file, in words, from the reader's raw message. */
export function parquetTrouble(path: string, message: string): string {
  if (truncatedParquet(path)) return `${path}: the Parquet file is truncated (it ends before its footer); copy or export it again`;
  // a panic of the Rust decoder reaches JavaScript as a WebAssembly trap
  const why = message === 'unreachable' ? 'its decoder failed on corrupt data' : message;
  return `${path}: not a readable Parquet file (${why})`;
}

/** A file whose end is not Parquet's footer magic. */
function truncatedParquet(path: string): boolean {
  const ends = headAndTail(path, PARQUET_MAGIC.length);
  return ends !== null && ends.size >= PARQUET_MAGIC.length && ends.tail !== PARQUET_MAGIC;
}

export interface ParquetBatches {
  /** Row groups of the file (from its footer). */
  rowGroups: number;
  /** Bytes of the largest row group, uncompressed: decoded whole before its first batch. */
  largestGroupBytes: number;
  batches: AsyncGenerator<RecordBatch>;
}

/**
 * Opens path as Parquet; tableFromIPC is the caller's apache-arrow (the reading thread
 * loads the single-file bundle), so the batches are of the caller's classes.
 */
export async function readParquetBatches(path: string, tableFromIPC: (bytes: Uint8Array) => Table, wanted?: { required: string[]; optional: string[] }): Promise<ParquetBatches> {
  if (path === '-') throw new RfmError('RFM_ERR_INPUT', 'Parquet cannot be read from stdin (its footer, at the end, says where everything is): save it to a file first');
  if (!statSync(path).isFile()) throw new RfmError('RFM_ERR_INPUT', `${path} is not a regular file; Parquet is read by byte ranges`);
  const { ParquetFile } = await import('parquet-wasm');
  const file = await ParquetFile.fromFile(await openAsBlob(path));
  const meta = file.metadata();
  const rowGroups = meta.numRowGroups();
  let largestGroupBytes = 0;
  for (let g = 0; g < rowGroups; g++) largestGroupBytes = Math.max(largestGroupBytes, meta.rowGroup(g).totalByteSize());
  // only the columns the engine reads (all of them when one it needs is missing: the
  // conversion then names the file's columns)
  let columns: string[] | undefined;
  if (wanted !== undefined) {
    const names = new Set(tableFromIPC(file.schema().intoIPCStream()).schema.fields.map((f) => f.name));
    if (wanted.required.every((c) => names.has(c))) columns = [...wanted.required, ...wanted.optional.filter((c) => names.has(c))];
  }
  async function* batches(): AsyncGenerator<RecordBatch> {
    try {
      // parquet-wasm 0.8 decodes a row group whole before its first batch (the stream's too):
      // the memory is the columns read, not the file's every column
      const stream = await file.stream({ batchSize: BATCH_ROWS, columns });
      for await (const b of stream as unknown as AsyncIterable<{ intoIPCStream(): Uint8Array }>) {
        yield* tableFromIPC(b.intoIPCStream()).batches;
      }
    } finally {
      file.free();
    }
  }
  return { rowGroups, largestGroupBytes, batches: batches() };
}
