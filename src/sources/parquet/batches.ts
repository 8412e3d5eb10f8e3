/**
 * Parquet files as Arrow RecordBatches, streamed, BATCH_ROWS rows at a time, only the
 * columns asked for. A row group of the flat columns, encodings and codecs writers use by
 * default is read page by page (parquet/page-batches.ts): DuckDB writes 2*10^7 rows in one
 * group, which parquet-wasm (arrow-rs's reader compiled to WebAssembly) decodes whole before
 * its first batch, at 11x the largest column chunk. Other row groups (nested columns,
 * delta encodings) go to parquet-wasm, through an Arrow IPC stream apache-arrow
 * reads. Runs on the Arrow reading thread (arrow/read-worker.ts), which bounds its time.
 */
import { openAsBlob, statSync } from 'node:fs';
import type * as Arrow from 'apache-arrow';
import type { RecordBatch } from 'apache-arrow';
import { RfmError } from '../../domain/errors.js';
import { headAndTail } from '../file-ends.js';
import { Codec, footerOfPath } from './footer.js';
import type { ParquetFooter } from './footer.js';
import { rowGroupBatches, rowGroupUnreadable } from './page-batches.js';
import type { ArrowKit } from './page-batches.js';

/** Rows of a RecordBatch decoded from a row group (a row group may hold millions). */
const BATCH_ROWS = 262_144;

export const PARQUET_MAGIC = 'PAR1';

/** What went wrong reading a Parquet file, in words, from the reader's raw message. */
export function parquetTrouble(path: string, message: string): string {
  if (truncatedParquet(path))
    return `${path}: the Parquet file is truncated (it ends before its footer); copy or export it again`;
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
  /** Bytes of the largest row group parquet-wasm reads, uncompressed: decoded whole before its first batch. */
  largestGroupBytes: number;
  /** Row groups read page by page (the others by parquet-wasm). */
  pageGroups: number;
  batches: AsyncGenerator<RecordBatch>;
}

/** The caller's apache-arrow (the reading thread loads the single-file bundle), so the batches are of its classes. */
export type ParquetArrow = ArrowKit & Pick<typeof Arrow, 'tableFromIPC'>;

/** Our footer, or null when it cannot be read (parquet-wasm then says what is wrong). */
function footerOrNull(path: string): ParquetFooter | null {
  try {
    return footerOfPath(path);
  } catch {
    return null;
  }
}

/** A row group with a Zstandard column among these whose columns hold ZSTD_PAGES_ABOVE bytes or fewer. */
function smallZstd(footer: ParquetFooter, g: number, names: string[]): boolean {
  const chunks = names.map((n) => footer.rowGroups[g].columns.get(n)!);
  return (
    chunks.some((c) => c.codec === Codec.zstd) && chunks.reduce((n, c) => n + c.uncompressedSize, 0) <= ZSTD_PAGES_ABOVE
  );
}

/**
 * Which row groups the page reader takes: 'auto' (below), every one it can, or none (the
 * tests and the bench compare).
 */
export type PageReading = 'auto' | 'always' | 'never';

/**
 * Read columns' bytes (uncompressed) above which a Zstandard row group is read page by page:
 * fzstd takes about twice parquet-wasm's time (10.3-11.3 s against 5.6-6.4 s for 2*10^7
 * rows), parquet-wasm 2.5 times the memory (1.10 against 0.44 GiB). Below this the memory is
 * small either way and the time is parquet-wasm's; every other codec is faster page by page.
 */
const ZSTD_PAGES_ABOVE = 64 * 2 ** 20;

/**
 * Opens path as Parquet. A row group whose columns the page reader takes (page-batches.ts)
 * is read page by page (a small Zstandard one only with 'always'); any other by
 * parquet-wasm, whole.
 */
export async function readParquetBatches(
  path: string,
  arrow: ParquetArrow,
  wanted?: { required: string[]; optional: string[] },
  pages: PageReading = 'auto',
): Promise<ParquetBatches> {
  if (path === '-')
    throw new RfmError(
      'RFM_ERR_INPUT',
      'Parquet cannot be read from stdin (its footer, at the end, says where everything is): save it to a file first',
    );
  if (!statSync(path).isFile())
    throw new RfmError('RFM_ERR_INPUT', `${path} is not a regular file; Parquet is read by byte ranges`);
  const { ParquetFile } = await import('parquet-wasm');
  const file = await ParquetFile.fromFile(await openAsBlob(path));
  const meta = file.metadata();
  const rowGroups = meta.numRowGroups();
  const schema = arrow.tableFromIPC(file.schema().intoIPCStream()).schema;
  // only the columns the engine reads (all of them when one it needs is missing: the
  // conversion then names the file's columns)
  let columns: string[] | undefined;
  if (wanted !== undefined) {
    const names = new Set(schema.fields.map((f) => f.name));
    if (wanted.required.every((c) => names.has(c)))
      columns = [...wanted.required, ...wanted.optional.filter((c) => names.has(c))];
  }
  const read = columns === undefined ? schema : schema.select(columns);
  const footer = footerOrNull(path);
  const byPages = Array.from(
    { length: rowGroups },
    (_, g) =>
      pages !== 'never' &&
      footer !== null &&
      footer.rowGroups.length === rowGroups &&
      rowGroupUnreadable(footer, g, read.fields) === null &&
      (pages === 'always' ||
        !smallZstd(
          footer,
          g,
          read.fields.map((f) => f.name),
        )),
  );
  let largestGroupBytes = 0;
  for (let g = 0; g < rowGroups; g++)
    if (!byPages[g]) largestGroupBytes = Math.max(largestGroupBytes, meta.rowGroup(g).totalByteSize());
  async function* batches(): AsyncGenerator<RecordBatch> {
    try {
      for (let g = 0; g < rowGroups; g++) {
        if (byPages[g]) {
          try {
            yield* rowGroupBatches(path, footer!, g, read, BATCH_ROWS, arrow);
          } catch (e) {
            throw new Error(`its pages are corrupt: row group ${g}, ${(e as Error).message}`);
          }
          continue;
        }
        // parquet-wasm 0.8 decodes a row group whole before its first batch (the stream's too):
        // the memory is the columns read, not the file's every column
        const stream = await file.stream({ batchSize: BATCH_ROWS, columns, rowGroups: [g] });
        for await (const b of stream as unknown as AsyncIterable<{ intoIPCStream(): Uint8Array }>) {
          yield* arrow.tableFromIPC(b.intoIPCStream()).batches;
        }
      }
    } finally {
      file.free();
    }
  }
  return { rowGroups, largestGroupBytes, pageGroups: byPages.filter(Boolean).length, batches: batches() };
}
