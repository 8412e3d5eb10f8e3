/**
 * Order CSV straight to converted batches: the file is read into the WebAssembly scanner's
 * input area (csv/scanner.ts), each scan's rows become one ColumnBatch, and the conversion's
 * last pass (src/batch/convert.ts, finishConversion) rejects and counts them. Values the
 * scanner leaves to the plain reader (CSV_*_TEXT) are read by parse-values.ts, the rules of
 * `rfm import csv` (csv/plain-reader.ts), which stays the reference this reader is tested against.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { gunzipStream, isGzip } from '../gzip.js';
import * as abi from '../../abi/abi.js';
import type { Bounds } from '../../batch/convert.js';
import type { ConvertedInput } from '../../batch/converted.js';
import { notAfter } from '../../batch/limits.js';
import type { ConversionTarget } from '../../batch/record-batches.js';
import { RfmError } from '../../domain/errors.js';
import { CsvBatcher } from './batches.js';
import type { CsvBatchTarget, CsvLayout } from './batches.js';
import { columnIndex, orderColumnIn } from './csv-options.js';
import { checkNotUtf16, linesIn, notText } from './lines.js';
import type { CsvImportOptions } from './csv-options.js';
import { CsvScanner } from './scanner.js';
import type { ScannedRows } from './scanner.js';
import type { ImportStats } from '../import-stats.js';
import type { DateFormat } from '../parse-values.js';
import type { TextEncoding } from './lines.js';

const { DATE_DMY, DATE_DMY_DOTS, DATE_EPOCH_MS, DATE_EPOCH_S, DATE_ISO, DATE_MDY, DATE_YYYYMMDD } = abi;

export const DATE_CODES: Record<DateFormat, number> = {
  iso: DATE_ISO,
  'epoch-ms': DATE_EPOCH_MS,
  'epoch-s': DATE_EPOCH_S,
  yyyymmdd: DATE_YYYYMMDD,
  'mm/dd/yyyy': DATE_MDY,
  'dd/mm/yyyy': DATE_DMY,
  'dd.mm.yyyy': DATE_DMY_DOTS,
};

const DEFAULT_KIND_COLUMN = 'kind';
/** Bytes read from the file at a time. */
const READ_BYTES = 4 << 20;

const utf8 = new TextDecoder();

/** A header field as written: quoted ones unquoted. */
export function headerText(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  const close = raw.indexOf('"', 1);
  let out = '';
  let i = 1;
  for (; i < raw.length; i++) {
    if (raw[i] === '"') {
      if (raw[i + 1] === '"') {
        out += '"';
        i++;
        continue;
      }
      break;
    }
    out += raw[i];
  }
  return close < 0 ? out : out + raw.slice(i + 1);
}

/** The bytes of a file or stream as UTF-8, a chunk at a time (latin-1 text made UTF-8: one byte is one character). */
async function* chunksOf(
  source: string | NodeJS.ReadableStream,
  encoding: TextEncoding = 'utf8',
): AsyncGenerator<Uint8Array> {
  if (encoding === 'latin1') {
    for await (const c of chunksOf(source))
      yield Buffer.from(Buffer.from(c.buffer, c.byteOffset, c.length).toString('latin1'), 'utf8');
    return;
  }
  const gzipped = typeof source === 'string' && source !== '-' && isGzip(source);
  if (typeof source !== 'string' || source === '-' || gzipped) {
    const stream = typeof source !== 'string' ? source : gzipped ? gunzipStream(source) : process.stdin;
    for await (const c of stream as AsyncIterable<Buffer | string>) {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      for (let at = 0; at < b.length; at += READ_BYTES) yield b.subarray(at, at + READ_BYTES);
    }
    return;
  }
  // read in turn, not awaited: the work on the bytes is this thread's anyway, and an await a
  // read left it idle a tenth of the time (profile, bench/NOTES.md 45)
  let fd: number;
  try {
    fd = openSync(source, 'r');
  } catch (e) {
    throw new RfmError('RFM_ERR_INPUT', `cannot open ${source}: ${(e as Error).message}`);
  }
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    while (true) {
      const n = readSync(fd, buf, 0, READ_BYTES, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** Whether the scanner reads text of these options: UTF-8 with a one-byte delimiter other than ' ' (runs of spaces). */
export function scannerReads(o: CsvImportOptions): boolean {
  return (
    o.encoding !== 'latin1' &&
    o.delimiter.length === 1 &&
    o.delimiter !== ' ' &&
    o.delimiter.charCodeAt(0) < 0x80 &&
    o.delimiter !== '"'
  );
}

/** The columns of these options under this header (null: none), the kind of id still open under auto. */
export function csvLayout(o: CsvImportOptions, header: string[] | null, path: string): CsvLayout {
  const spec = (name: string, role: string): number =>
    columnIndex(name, header, path, role + (o.columnOptionSuffix ?? ''));
  return {
    id: spec(o.customer, 'customer'),
    ts: spec(o.ts, 'ts'),
    amount: spec(o.amount, 'amount'),
    kind: o.kind
      ? spec(o.kind, 'kind')
      : (header?.findIndex((h) => h.trim().toLowerCase() === DEFAULT_KIND_COLUMN) ?? -1),
    isInt: o.idType === 'auto' ? null : o.idType === 'int',
    fields: header?.length ?? 0,
    order: orderColumnIn(o, header, path),
  };
}

/** The scanner set for a layout, its first record on `line`. */
export function configureScanner(scanner: CsvScanner, o: CsvImportOptions, layout: CsvLayout, line: number): void {
  scanner.configure({
    delimiter: o.delimiter.charCodeAt(0),
    fields: layout.fields,
    id: layout.id,
    ts: layout.ts,
    amount: layout.amount,
    kind: layout.kind,
    format: DATE_CODES[o.dateFormat],
    decimalComma: o.decimalComma,
    line,
    order: layout.order,
  });
}

/** The bounds of the target's rows, now (the clock's limit is taken once per input). */
export function boundsOf(target: ConversionTarget): Bounds {
  return {
    asOf: target.asOf,
    keepRejects: target.keepRejects,
    maxAmount: target.limits?.maxAmount,
    notAfter: target.limits ? notAfter(target.limits) : undefined,
    notBefore: target.limits?.notBefore,
    after: target.after,
    quietRejects: target.quietRejects,
  };
}

/** The scanner's status after a scan as the error it is (status 1, 2), if any. */
export function scanError(status: number, path: string, line: number): RfmError | null {
  if (status === 1) return new RfmError('RFM_ERR_INPUT', `${path}: a quoted field opened on line ${line} never closes`);
  if (status === 2) return tooLong(path, line);
  return null;
}

export function tooLong(path: string, line: number): RfmError {
  return new RfmError(
    'RFM_ERR_INPUT',
    `${path}: the record on line ${line} is longer than 1,048,576 bytes (a quote never closed, or not a CSV file?)`,
  );
}

/**
 * The orders of a CSV file (or '-' for stdin, or an open stream) as converted batches for
 * the target engine, one thread: one a scan of up to 65,536 rows. Stats count as
 * `rfm import csv` counts.
 */
export function readCsv(
  source: string | NodeJS.ReadableStream,
  o: CsvImportOptions,
  target: ConversionTarget,
  stats: ImportStats,
): AsyncGenerator<ConvertedInput> {
  return scanCsv(
    source,
    o,
    stats,
    { numShards: target.numShards, pool: target.recycleFrom, bounds: boundsOf(target) },
    (b, r, input) => b.batch(r, input),
    true,
  );
}

/**
 * The CSV scanned on this thread, each scan's rows made into what `make` makes of them with
 * the batcher (null: nothing to yield). mixedIds: batches may be of either kind of id (for an
 * engine; see CsvBatcher).
 */
export async function* scanCsv<T>(
  source: string | NodeJS.ReadableStream,
  o: CsvImportOptions,
  stats: ImportStats,
  batchTarget: CsvBatchTarget,
  make: (batcher: CsvBatcher, rows: ScannedRows, input: Uint8Array) => T | null,
  mixedIds = false,
): AsyncGenerator<T> {
  const path = o.label ?? sourceName(source);
  const scanner = new CsvScanner();
  let batcher: CsvBatcher | null = null;

  /** Scans what is read; yields a batch a scan. */
  function* scanAll(w: ScanWindow, final: boolean): Generator<T> {
    const input = scanner.input();
    if (batcher === null) {
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
          line: w.line,
        });
        header = readHeader(scanner, w, final);
        if (header === null) {
          checkScan(scanner, w, final, path, false);
          return;
        }
      }
      const layout = csvLayout(o, header, path);
      configureScanner(scanner, o, layout, w.line);
      batcher = new CsvBatcher(o, layout, batchTarget, stats, path, mixedIds);
    }
    while (true) {
      const rows = scanner.scan(w.start, w.filled, final);
      w.start = scanner.end;
      w.line = scanner.line;
      if (rows.rows > 0) {
        const c = make(batcher, rows, input);
        if (c !== null) yield c;
      }
      if (rows.rows < scanner.rowCapacity) break;
    }
    checkScan(scanner, w, final, path, true);
  }

  yield* scanWindows(source, scanner, scanAll, undefined, 'utf8', path);
  if (batcher === null && o.header) throw new RfmError('RFM_ERR_INPUT', `${path}: no header line (the file is empty)`);
}

/** What a source is called in messages. */
export function sourceName(source: string | NodeJS.ReadableStream): string {
  return typeof source === 'string' ? (source === '-' ? 'stdin' : source) : 'the request body';
}

/** The part of the scanner's input read and not yet scanned, and the line it starts on. */
export interface ScanWindow {
  start: number;
  filled: number;
  line: number;
}

/** The header record at the window's start as text (the window moves past it), or null if it is not whole yet. */
export function readHeader(scanner: CsvScanner, w: ScanWindow, final: boolean): string[] | null {
  const h = scanner.header(w.start, w.filled, final);
  if (h === null) return null;
  const input = scanner.input();
  w.start = h.next;
  w.line = scanner.line;
  return h.fields.map(([s, e]) => headerText(utf8.decode(input.subarray(s, e))));
}

/** The scanner's status after the scans of a window as an error; begun: the header is read. */
export function checkScan(scanner: CsvScanner, w: ScanWindow, final: boolean, path: string, begun: boolean): void {
  const e = scanError(scanner.status, path, scanner.line);
  if (e) throw e;
  if (final && w.start < w.filled && begun)
    throw new RfmError('RFM_ERR_INPUT', `${path}: line ${scanner.line} could not be read`);
}

/**
 * The source's bytes into the scanner's input, a read at a time (a BOM dropped; UTF-16, NUL
 * and bytes that are not UTF-8 refused), each followed by scanAll of what is read and not yet
 * scanned; scanAll moves the window's start past what it took. A record longer than the input
 * area is refused. onBytes hears of each read (for progress).
 */
export async function* scanWindows<T>(
  source: string | NodeJS.ReadableStream,
  scanner: CsvScanner,
  scanAll: (w: ScanWindow, final: boolean) => Generator<T>,
  onBytes?: (bytes: number) => void,
  encoding: TextEncoding = 'utf8',
  label = sourceName(source),
): AsyncGenerator<T> {
  const path = label;
  const cap = scanner.inCapacity;
  const w: ScanWindow = { start: 0, filled: 0, line: 1 };
  let owed = 0;
  let first = true;
  for await (const chunk of chunksOf(source, encoding)) {
    let bytes = chunk;
    if (first) {
      first = false;
      checkNotUtf16(path, bytes);
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    if (w.filled + bytes.length > cap) {
      // what is not scanned yet moves to the front
      scanner.input().copyWithin(0, w.start, w.filled);
      w.filled -= w.start;
      w.start = 0;
      if (w.filled + bytes.length > cap) throw tooLong(path, w.line);
    }
    scanner.input().set(bytes, w.filled);
    const bad = scanner.checkUtf8(w.filled, w.filled + bytes.length, owed);
    if (bad >= 0) throw notText(path, w.line + linesIn(scanner.input(), w.start, bad), scanner.input()[bad]);
    owed = -1 - bad;
    w.filled += bytes.length;
    onBytes?.(chunk.length);
    yield* scanAll(w, false);
  }
  yield* scanAll(w, true);
}
