/**
 * Parquet files as Arrow RecordBatches, a row group at a time: parquet-wasm (arrow-rs's
 * reader compiled to WebAssembly) decodes a row group to an Arrow IPC stream, and
 * apache-arrow reads that. The file is a Blob backed by the file (fs.openAsBlob): the
 * reader fetches the footer and then the byte ranges of each row group, never the whole
 * file. Runs on the Arrow reading thread (arrow-read-worker.ts), which bounds its time.
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
  batches: AsyncGenerator<RecordBatch>;
}

/**
 * Opens path as Parquet; tableFromIPC is the caller's apache-arrow (the reading thread
 * loads the single-file bundle), so the batches are of the caller's classes.
 */
export async function readParquetBatches(path: string, tableFromIPC: (bytes: Uint8Array) => Table): Promise<ParquetBatches> {
  if (path === '-') throw new RfmError('RFM_ERR_INPUT', 'Parquet cannot be read from stdin (its footer, at the end, says where everything is): save it to a file first');
  if (!statSync(path).isFile()) throw new RfmError('RFM_ERR_INPUT', `${path} is not a regular file; Parquet is read by byte ranges`);
  const { ParquetFile } = await import('parquet-wasm');
  const file = await ParquetFile.fromFile(await openAsBlob(path));
  const rowGroups = file.metadata().numRowGroups();
  async function* batches(): AsyncGenerator<RecordBatch> {
    try {
      for (let g = 0; g < rowGroups; g++) {
        const group = await file.read({ rowGroups: [g], batchSize: BATCH_ROWS });
        const table = tableFromIPC(group.intoIPCStream());
        yield* table.batches;
      }
    } finally {
      file.free();
    }
  }
  return { rowGroups, batches: batches() };
}
