/**
 * A thread of the parallel CSV reader (csv/parallel.ts): given a chunk of the file, it finds
 * the chunk's first record (after the first line end, unless told the exact start), scans
 * every record that starts in the chunk (the last one may run on into the next), and sends
 * back the batches with where it started and stopped. Rows and lines are counted from the
 * chunk's start: the coordinator puts them in file order and checks the starts.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { BufferPool, transferable } from '../../batch/buffer-pool.js';
import type { ConvertedInput } from '../../batch/converted.js';
import { RfmError } from '../../domain/errors.js';
import { CsvBatcher } from './batches.js';
import type { ChunkResult, ChunkTask, CsvReadSetup } from './parallel-protocol.js';
import { CsvScanner } from './scanner.js';
import { linesIn, notText } from './lines.js';
import { configureScanner, scanError, tooLong } from './source.js';
import { newImportStats } from '../import-stats.js';

const setup = workerData as CsvReadSetup;
const scanner = new CsvScanner();
const pool = new BufferPool(setup.numShards > 1);
const fd = openSync(setup.path, 'r');
const LF = 10;
const CR = 13;

/** Offset in `b` of the first record start after a line end at or after `from` (-1: none). */
function afterLineEnd(b: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    if (b[i] === LF) return i + 1;
    if (b[i] === CR) {
      if (i + 1 >= end) return -1;
      return b[i + 1] === LF ? i + 2 : i + 1;
    }
  }
  return -1;
}

function run(t: ChunkTask): ChunkResult {
  // from the byte before the chunk: a line end there makes the chunk's first byte a record start
  const readFrom = t.exact ? t.from : Math.max(t.from - 1, setup.dataStart);
  const want = Math.min(setup.size, t.end + setup.slack) - readFrom;
  const input = scanner.input();
  let len = 0;
  while (len < want) {
    const n = readSync(fd, input, len, want - len, readFrom + len);
    if (n === 0) break;
    len += n;
  }
  const final = readFrom + len >= setup.size;
  let start = 0;
  if (!t.exact) {
    start = afterLineEnd(input, 0, len);
    if (start < 0 || readFrom + start >= t.end)
      return {
        type: 'chunk',
        index: t.index,
        start: -1,
        next: -1,
        lines: 0,
        rows: 0,
        batches: [],
        stats: newImportStats(),
        error: null,
      };
  }
  const limit = t.end - readFrom;
  const stats = newImportStats();
  const batches: ConvertedInput[] = [];
  const batcher = new CsvBatcher(
    setup.options,
    { ...setup.layout },
    { numShards: setup.numShards, pool, bounds: setup.bounds },
    stats,
    setup.label,
    true,
  );
  configureScanner(scanner, setup.options, setup.layout, 1);
  let at = start;
  let error: ChunkResult['error'] = null;
  try {
    while (true) {
      const rows = scanner.scan(at, len, final, limit);
      at = scanner.end;
      if (rows.rows > 0) {
        const c = batcher.batch(rows, input);
        if (c !== null) batches.push(c);
      }
      if (rows.rows < scanner.rowCapacity) break;
    }
    const e = scanError(scanner.status, setup.label, scanner.line);
    if (e) throw e;
    // a record that starts in the chunk and does not end within the slack is too long
    if (at < limit && !final) throw tooLong(setup.label, scanner.line);
    const bad = scanner.checkUtf8(start, at, 0);
    if (bad >= 0) throw notText(setup.label, 1 + linesIn(input, start, bad), input[bad]);
  } catch (e) {
    if (!(e instanceof RfmError)) throw e;
    // the line as counted from the chunk's start: the coordinator makes it the file's
    const m = /line (\d+)/.exec(e.message);
    error = { code: e.code, message: e.message, line: m ? Number(m[1]) : 0 };
  }
  return {
    type: 'chunk',
    index: t.index,
    start: readFrom + start,
    next: readFrom + at,
    lines: scanner.line - 1,
    rows: batcher.rowsBefore,
    batches,
    stats,
    error,
  };
}

parentPort!.on('message', (t: ChunkTask) => {
  for (const b of t.buffers) pool.give(b);
  const r = run(t);
  const keys = r.batches.flatMap((c) =>
    c.orderKeys
      ? ([c.orderKeys.ids.buffer, c.orderKeys.offsets.buffer, c.orderKeys.bytes.buffer] as ArrayBuffer[])
      : [],
  );
  parentPort!.postMessage(r, [
    ...transferable(r.batches.flatMap((c) => c.parts.map((p) => p.buffer))),
    ...new Set(keys),
  ]);
});

process.on('exit', () => closeSync(fd));
