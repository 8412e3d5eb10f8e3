/**
 * The WebAssembly CSV scanner (assembly/csv/index.ts) as this thread's instance: the input
 * area to read a file into, scan, and views of the columns a scan wrote. One instance a
 * thread; its memory holds one input area and one scan's rows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { RfmError } from '../../domain/errors.js';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';

interface ScannerExports {
  memory: WebAssembly.Memory;
  reserve(inCapacity: number, rowCapacity: number): void;
  configure(
    delimiter: number,
    fields: number,
    id: number,
    ts: number,
    amount: number,
    kind: number,
    format: number,
    comma: number,
    firstLine: number,
  ): void;
  scan(from: number, end: number, final: number, header: number, limit: number): number;
  checkUtf8(from: number, end: number, owed: number): number;
  inputPtr(): number;
  tsColumn(): number;
  amountColumn(): number;
  idWordsColumn(): number;
  kindColumn(): number;
  flagsColumn(): number;
  lineColumn(): number;
  rangesColumn(): number;
  configureOrder(col: number): void;
  orderRangesColumn(): number;
  headerRanges(): number;
  headerCount(): number;
  endOfScan(): number;
  lineOfScan(): number;
  scanStatus(): number;
  clearSlots(): void;
  keepColumn(col: number): number;
  scanFields(from: number, end: number, final: number): number;
  placesColumn(): number;
}

/** Columns a fields scan keeps the places of (MAX_SLOTS in assembly/csv/index.ts). */
export const MAX_KEPT_COLUMNS = 16;

/** Views of one fields scan's rows (valid until the next scan or read). */
export interface FieldRows {
  rows: number;
  /** Start and end (input offsets) of each kept column's field, MAX_KEPT_COLUMNS pairs a row. */
  places: Uint32Array;
  /** The fields each row's record has. */
  fields: Uint32Array;
  /** Line each row's record starts on. */
  line: Uint32Array;
}

let compiled: WebAssembly.Module | null = null;

function compileScanner(): WebAssembly.Module {
  const file = join(packageRoot(), 'build', 'csv.wasm');
  if (!existsSync(file)) throw new RfmError('RFM_ERR_KERNEL', `${file} is missing: run "npm run build:csv"`);
  return new WebAssembly.Module(readFileSync(file));
}

/** Views of one scan's rows (valid until the next scan or read). */
export interface ScannedRows {
  rows: number;
  ts: Float64Array;
  amount: Float64Array;
  /** Int64 words (lo, hi) of rows whose id read as one (CSV_ID_INT). */
  idWords: Int32Array;
  kind: Uint8Array;
  /** CSV_* bits a row. */
  flags: Uint32Array;
  /** Line each row's record starts on. */
  line: Uint32Array;
  /** Start and end (input offsets) of the id, time, amount and kind fields: 8 a row. */
  ranges: Uint32Array;
  /** Start and end of the order id field, 2 a row (empty unless configured with an order column). */
  orderRanges: Uint32Array;
}

export class CsvScanner {
  private readonly x: ScannerExports;
  readonly inCapacity: number;
  readonly rowCapacity: number;

  constructor(inCapacity = 8 << 20, rowCapacity = 65_536) {
    compiled ??= compileScanner();
    this.x = new WebAssembly.Instance(compiled, {
      env: {
        abort: () => {
          throw new Error('the CSV scanner aborted');
        },
      },
    }).exports as unknown as ScannerExports;
    this.inCapacity = inCapacity;
    this.rowCapacity = rowCapacity;
    this.x.reserve(inCapacity, rowCapacity);
  }

  /** The input area (a fresh view: memory may have grown). */
  input(): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, this.x.inputPtr(), this.inCapacity);
  }

  private orders = false;

  /** The columns to read; order: the order id column whose field places a scan keeps (-1 or absent: none). */
  configure(c: {
    delimiter: number;
    fields: number;
    id: number;
    ts: number;
    amount: number;
    kind: number;
    format: number;
    decimalComma: boolean;
    line: number;
    order?: number;
  }): void {
    this.x.configure(c.delimiter, c.fields, c.id, c.ts, c.amount, c.kind, c.format, c.decimalComma ? 1 : 0, c.line);
    this.orders = (c.order ?? -1) >= 0;
    if (this.orders) this.x.configureOrder(c.order!);
  }

  /** Offset of the first byte of [from, end) that breaks UTF-8, or -1 - (continuation bytes left owed). */
  checkUtf8(from: number, end: number, owed: number): number {
    return this.x.checkUtf8(from, end, owed);
  }

  /** The first record as field places [start, end) in the input, or null if it is not whole yet. */
  header(from: number, end: number, final: boolean): { fields: [number, number][]; next: number } | null {
    this.x.scan(from, end, final ? 1 : 0, 1, end);
    const next = this.x.endOfScan();
    if (next === from && this.x.headerCount() === 0) return null;
    const r = new Uint32Array(this.x.memory.buffer, this.x.headerRanges(), 2 * this.x.headerCount());
    const fields: [number, number][] = [];
    for (let i = 0; i < this.x.headerCount(); i++) fields.push([r[2 * i], r[2 * i + 1]]);
    return { fields, next };
  }

  /** Rows of the records from `from` on, none starting at `limit` or after. */
  scan(from: number, end: number, final: boolean, limit = end): ScannedRows {
    const x = this.x;
    const rows = x.scan(from, end, final ? 1 : 0, 0, limit);
    const buf = x.memory.buffer;
    return {
      rows,
      ts: new Float64Array(buf, x.tsColumn(), rows),
      amount: new Float64Array(buf, x.amountColumn(), rows),
      idWords: new Int32Array(buf, x.idWordsColumn(), 2 * rows),
      kind: new Uint8Array(buf, x.kindColumn(), rows),
      flags: new Uint32Array(buf, x.flagsColumn(), rows),
      line: new Uint32Array(buf, x.lineColumn(), rows),
      ranges: new Uint32Array(buf, x.rangesColumn(), 8 * rows),
      orderRanges: new Uint32Array(buf, x.orderRangesColumn(), this.orders ? 2 * rows : 0),
    };
  }

  /** Keeps the places of these columns (0-based), slot i for cols[i], for scanFields. */
  keepColumns(cols: number[]): void {
    if (cols.length > MAX_KEPT_COLUMNS) throw new Error(`a fields scan keeps at most ${MAX_KEPT_COLUMNS} columns`);
    this.x.clearSlots();
    for (const c of cols) this.x.keepColumn(c);
  }

  /** The places of the kept columns in the records from `from` on. */
  scanFields(from: number, end: number, final: boolean): FieldRows {
    const x = this.x;
    const rows = x.scanFields(from, end, final ? 1 : 0);
    const buf = x.memory.buffer;
    return {
      rows,
      places: new Uint32Array(buf, x.placesColumn(), 2 * MAX_KEPT_COLUMNS * rows),
      fields: new Uint32Array(buf, x.flagsColumn(), rows),
      line: new Uint32Array(buf, x.lineColumn(), rows),
    };
  }

  /**
   * Where the last scan stopped: the next record's offset and line; status 1 a quote never closed,
   * 2 a record too long.
   */
  get end(): number {
    return this.x.endOfScan();
  }
  get line(): number {
    return this.x.lineOfScan();
  }
  get status(): number {
    return this.x.scanStatus();
  }
}
