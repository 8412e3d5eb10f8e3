/**
 * `rfm import csv` on the WebAssembly scanner: each scan's columns as an Arrow RecordBatch of
 * the schema csv/plain-reader.ts writes (batch-builder.ts), unreadable values as nulls, so a replay
 * of the output rejects and counts them. The plain reader stays for latin-1 and runs of spaces.
 */
import type { RecordBatch } from 'apache-arrow';
import { BufferPool } from '../../batch/buffer-pool.js';
import { UNKNOWN_KIND } from '../../batch/decode.js';
import { KIND_UNKNOWN, buildOrderBatch } from '../batch-builder.js';
import type { ScannedColumns } from './batches.js';
import { readCsvOrders } from './plain-reader.js';
import type { CsvImportOptions } from './csv-options.js';
import { scanCsv, scannerReads } from './source.js';
import type { ImportStats } from '../import-stats.js';

const utf8 = new TextDecoder();

function recordBatchOf(c: ScannedColumns): RecordBatch {
  const b = c.batch;
  const n = b.numRows;
  const kind = new Int8Array(n);
  for (let i = 0; i < n; i++) kind[i] = b.kind[i] === UNKNOWN_KIND ? KIND_UNKNOWN : b.kind[i];
  const columns = { numRows: n, ts: b.ts.slice(), amount: b.amount.slice(), kind };
  if (b.idMode === 'int')
    return buildOrderBatch({ ...columns, idWords: b.idWords!.slice(), idNull: c.idNull ?? undefined });
  const ids: (string | null)[] = new Array<string | null>(n);
  for (let i = 0; i < n; i++)
    ids[i] = c.idNull?.[i] ? null : utf8.decode(b.idBytes!.subarray(b.idOffsets![i], b.idOffsets![i + 1]));
  return buildOrderBatch({ ...columns, idStrings: ids });
}

/** CSV orders as RecordBatches: by the scanner when it reads such text, else by csv/plain-reader.ts. */
export function readCsvRecordBatches(
  source: string | NodeJS.ReadableStream,
  o: CsvImportOptions,
  stats: ImportStats,
): AsyncGenerator<RecordBatch> {
  if (!scannerReads(o)) return readCsvOrders(source, o, stats);
  const target = { numShards: 1, pool: new BufferPool(false), bounds: { keepRejects: false } };
  return scanCsv(source, o, stats, target, (batcher, rows, input) => {
    const c = batcher.columns(rows, input);
    return c === null ? null : recordBatchOf(c);
  });
}
