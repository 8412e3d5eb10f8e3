/**
 * The parallel CSV reader: the file cut into chunks of CHUNK bytes, each scanned on one of
 * a few threads (csv/read-worker.ts), the batches given in file order. A thread does not
 * know whether its chunk begins inside a quoted field, so it takes the first line end as a
 * record's end and starts after it; the coordinator checks that start against where the
 * chunk before really stopped (DuckDB's parallel CSV reader checks the same way) and scans
 * the chunk again from there when they differ (a quoted line end at the chunk's start).
 * So the batches, counts, rejects and lines are those of one scan from the start, for any
 * number of threads.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BufferPool, transferable } from '../../batch/buffer-pool.js';
import type { ConvertedInput } from '../../batch/converted.js';
import type { ConversionTarget } from '../../batch/record-batches.js';
import { RfmError } from '../../domain/errors.js';
import { compiledModule } from '../../package-root.js';
import { CsvBatcher } from './batches.js';
import type { CsvLayout } from './batches.js';
import type { CsvImportOptions } from './csv-options.js';
import type { ChunkResult, ChunkTask, CsvReadSetup } from './parallel-protocol.js';
import { CsvScanner } from './scanner.js';
import { checkNotUtf16 } from './lines.js';
import { boundsOf, configureScanner, csvLayout, headerText, readCsv, scanError } from './source.js';
import { newImportStats } from '../import-stats.js';
import type { ImportStats } from '../import-stats.js';

/** Bytes a chunk: a few batches of rows a task. */
const CHUNK = 4 << 20;
/** Bytes read past a chunk for the record that starts in it and ends after it (records stop at 1 MiB). */
const SLACK = (1 << 20) + (64 << 10);
/** Bytes read at the start for the header and the first ids (the kind of id). */
const HEAD = 2 << 20;

const utf8 = new TextDecoder();

/**
 * The header, where the data starts and its first line, and the layout with the kind of id decided
 * (null: no id in the head).
 */
function headOf(
  path: string,
  o: CsvImportOptions,
  size: number,
): { layout: CsvLayout; dataStart: number; line: number } | null {
  const scanner = new CsvScanner();
  const input = scanner.input();
  const fd = openSync(path, 'r');
  let len: number;
  try {
    len = readSync(fd, input, 0, Math.min(HEAD, size), 0);
  } finally {
    closeSync(fd);
  }
  checkNotUtf16(path, input.subarray(0, len));
  let start = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  const final = len >= size;
  let line = 1;
  let header: string[] | null = null;
  if (o.header) {
    scanner.configure({
      delimiter: o.delimiter.charCodeAt(0),
      fields: 0,
      id: 0,
      ts: 1,
      amount: 2,
      kind: -1,
      format: 0,
      decimalComma: false,
      line,
    });
    const h = scanner.header(start, len, final);
    const e = scanError(scanner.status, path, scanner.line);
    if (e) throw e;
    if (h === null) return null;
    header = h.fields.map(([s, e2]) => headerText(utf8.decode(input.subarray(s, e2))));
    start = h.next;
    line = scanner.line;
  }
  const layout = csvLayout(o, header, path);
  if (layout.isInt === null) {
    // the first id decides, as the batcher decides it: let it look at the head's first rows
    configureScanner(scanner, o, layout, line);
    const rows = scanner.scan(start, len, final);
    const probe = new CsvBatcher(
      o,
      layout,
      { numShards: 1, pool: new BufferPool(false), bounds: { keepRejects: false } },
      newImportStats(),
      path,
    );
    try {
      probe.batch(rows, input);
    } catch {
      // an error there is the scan's to report, in its place
    }
    if (layout.isInt === null) return null;
  }
  return { layout, dataStart: start, line };
}

export interface ParallelCsvOptions {
  /** Threads that scan chunks. Default: the machine's cores, at most 4. */
  readers?: number;
  /** Bytes a chunk (tests cut small files into many). Default 4 MiB; files under two chunks are read on this thread. */
  chunkBytes?: number;
  /** Filled in as it reads: chunks, and those scanned again because the guess of their first record was wrong. */
  tally?: { chunks: number; rescanned: number };
}

/**
 * A CSV file's orders as converted batches, scanned on `readers` threads; the same batches,
 * counts and rejects as readCsv's. Small files, stdin and files whose first ids do not tell
 * the kind of id go to readCsv.
 */
export async function* readCsvParallel(
  path: string,
  o: CsvImportOptions,
  target: ConversionTarget,
  stats: ImportStats,
  p: ParallelCsvOptions = {},
): AsyncGenerator<ConvertedInput> {
  let size = 0;
  try {
    const st = statSync(path);
    size = st.isFile() ? st.size : 0;
  } catch {
    size = 0;
  }
  const readers = Math.max(1, Math.min(p.readers ?? Math.min(availableParallelism(), 4), 16));
  const chunk = p.chunkBytes ?? CHUNK;
  const head = size >= 2 * chunk && readers > 1 ? headOf(path, o, size) : null;
  if (head === null) {
    yield* readCsv(path, o, target, stats);
    return;
  }
  const setup: CsvReadSetup = {
    path,
    label: path,
    options: o,
    layout: head.layout,
    numShards: target.numShards,
    bounds: boundsOf(target),
    dataStart: head.dataStart,
    size,
    slack: SLACK,
  };
  const workers = Array.from(
    { length: readers },
    () => new Worker(compiledModule(import.meta.url, 'sources/csv/read-worker.js'), { workerData: setup }),
  );
  const results = new Map<number, ChunkResult>();
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  for (const w of workers) {
    w.on('message', (r: ChunkResult) => {
      results.set(r.index, r);
      wake?.();
    });
    w.on('error', (e) => {
      failure ??= e;
      wake?.();
    });
  }
  const numChunks = Math.ceil((size - head.dataStart) / chunk);
  const chunkEnd = (k: number): number => Math.min(size, head.dataStart + (k + 1) * chunk);
  let sent = 0;
  const send = (k: number, from: number, exact: boolean): void => {
    const buffers = target.recycleFrom.drain();
    const task: ChunkTask = { index: k, from, end: chunkEnd(k), exact, buffers };
    workers[k % readers].postMessage(task, transferable(buffers));
  };
  const next = async (k: number): Promise<ChunkResult> => {
    while (!results.has(k)) {
      if (failure)
        throw new RfmError('RFM_ERR_INPUT', `${path}: a CSV reading thread failed: ${(failure as Error).message}`);
      await new Promise<void>((r) => (wake = r));
    }
    const r = results.get(k)!;
    results.delete(k);
    return r;
  };
  // each reader keeps two chunks ahead: one scanning, one waiting
  const ahead = 2 * readers;
  try {
    for (; sent < Math.min(numChunks, ahead); sent++) send(sent, head.dataStart + sent * chunk, sent === 0);
    let expected = head.dataStart;
    let lineAt = head.line;
    let rowsBefore = 0;
    for (let k = 0; k < numChunks; k++) {
      let r = await next(k);
      if (sent < numChunks) {
        send(sent, head.dataStart + sent * chunk, false);
        sent++;
      }
      if (expected >= chunkEnd(k)) continue; // the chunk before ran through this one
      if (p.tally) p.tally.chunks++;
      if (r.start !== expected) {
        if (p.tally) p.tally.rescanned++;
        // the guess started inside a quoted field (or in a record the chunk before ran into): scan
        // it again from where that one stopped
        send(k, expected, true);
        r = await next(k);
      }
      if (r.error) {
        const line = lineAt + r.error.line - 1;
        throw new RfmError(r.error.code, r.error.message.replace(/line \d+/, `line ${line}`));
      }
      for (const c of r.batches) {
        const firsts = Object.values(c.rejectedBy ?? {}).map((t) => t.first);
        for (const j of [...c.rejects, ...firsts]) {
          j.row += rowsBefore;
          if (j.line !== undefined) j.line += lineAt - 1;
        }
        yield c;
      }
      addStats(stats, r.stats, lineAt);
      rowsBefore += r.rows;
      lineAt += r.lines;
      expected = r.next;
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The counts of ImportStats that add up from chunk to chunk. */
const SUMMED = ['records', 'rows', 'badIds', 'badTimes', 'badAmounts', 'badKinds', 'badFieldCounts'] as const;

/** A chunk's counts into the input's; its first bad line moved to the file's numbering. */
function addStats(to: ImportStats, from: ImportStats, lineAt: number): void {
  if (to.badFieldCounts === 0 && from.badFieldCounts > 0)
    to.firstBadFieldCountLine = from.firstBadFieldCountLine + lineAt - 1;
  for (const k of SUMMED) to[k] += from[k];
}
