/**
 * Question: how fast is a CSV export to a finished report (against the peers: peer-rows.ts),
 * and how fast is the WebAssembly reader alone (one thread, and two) against the plain one it
 * replaces?
 * The CSV is the Arrow bench file written as customer_id,ts,amount with ISO times, made
 * once per size beside it.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordBatchReader } from 'apache-arrow';
import type { RecordBatch } from 'apache-arrow';
import { BufferPool } from '../src/batch/buffer-pool.js';
import { DEFAULT_COLUMNS } from '../src/batch/schema.js';
import { packageRoot } from '../src/package-root.js';
import { readCsvOrders } from '../src/sources/csv/plain-reader.js';
import type { CsvImportOptions } from '../src/sources/csv/csv-options.js';
import { readCsvParallel } from '../src/sources/csv/parallel.js';
import { readCsv } from '../src/sources/csv/source.js';
import { newImportStats } from '../src/sources/import-stats.js';

export const CSV_OPTIONS: CsvImportOptions = {
  customer: 'customer_id',
  ts: 'ts',
  amount: 'amount',
  delimiter: ',',
  header: true,
  dateFormat: 'iso',
  decimalComma: false,
  idType: 'auto',
};

/** The Arrow orders file as CSV (made once). */
export async function csvFile(arrowFile: string): Promise<string> {
  const path = arrowFile.replace(/\.arrow$/, '.csv');
  if (existsSync(path)) return path;
  process.stderr.write(`writing ${path} ...\n`);
  const out = createWriteStream(path + '.tmp');
  out.write('customer_id,ts,amount\n');
  const handle = await open(arrowFile, 'r');
  const reader = (await RecordBatchReader.from(handle as never)) as unknown as AsyncIterable<RecordBatch>;
  for await (const b of reader) {
    const ids = b.getChild('customer_id')!.data[0].values as BigInt64Array;
    const ts = b.getChild('ts')!.data[0].values as BigInt64Array;
    const amounts = b.getChild('amount')!.data[0].values as Float64Array;
    const lines: string[] = new Array(b.numRows);
    for (let i = 0; i < b.numRows; i++) lines[i] = `${ids[i]},${new Date(Number(ts[i])).toISOString()},${amounts[i]}`;
    if (!out.write(lines.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await handle.close();
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  renameSync(path + '.tmp', path);
  return path;
}

export interface CsvReplayRun {
  ms: number;
  maxRssBytes: number;
  orders: number;
}

/** `rfm replay FILE.csv` end to end in its own process (the replay child). */
export function csvReplay(file: string, workers: number): CsvReplayRun {
  const child = join(packageRoot(), 'build', 'bench-dist', 'bench', 'replay-child.js');
  const out = execFileSync(process.execPath, [child, file, String(workers)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as CsvReplayRun;
}

/** The readers alone on this thread, to converted batches (nothing applied): MB/s and rows/s of each. */
export async function readersAlone(file: string): Promise<{
  bytes: number;
  wasm: { ms: number; rows: number };
  wasm2: { ms: number; rows: number };
  plain: { ms: number; rows: number };
}> {
  const bytes = statSync(file).size;
  const target = {
    names: DEFAULT_COLUMNS,
    asOf: undefined,
    numShards: 1,
    recycleFrom: new BufferPool(false),
    keepRejects: false,
  };
  let started = performance.now();
  let rows = 0;
  for await (const c of readCsv(file, CSV_OPTIONS, target, newImportStats())) {
    rows += c.orders + c.refunds + c.engagements + c.rejected;
    for (const p of c.parts) target.recycleFrom.give(p.buffer);
  }
  const wasm = { ms: performance.now() - started, rows };
  // the parallel reader on two threads (this one gives the batches out in order)
  started = performance.now();
  rows = 0;
  for await (const c of readCsvParallel(file, CSV_OPTIONS, target, newImportStats(), { readers: 2 })) {
    rows += c.orders + c.refunds + c.engagements + c.rejected;
    for (const p of c.parts) target.recycleFrom.give(p.buffer);
  }
  const wasm2 = { ms: performance.now() - started, rows };
  // the plain reader's first million rows are enough to measure its rate
  started = performance.now();
  rows = 0;
  const limit = Math.min(wasm.rows, 1_000_000);
  for await (const b of readCsvOrders(file, CSV_OPTIONS, newImportStats())) {
    rows += b.numRows;
    if (rows >= limit) break;
  }
  const plain = { ms: performance.now() - started, rows };
  return { bytes, wasm, wasm2, plain };
}
