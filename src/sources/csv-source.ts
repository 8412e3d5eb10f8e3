/**
 * Order CSV straight to converted batches: the file is read into the WebAssembly scanner's
 * input area (csv-scanner.ts), each scan's rows become one ColumnBatch, and the conversion's
 * last pass (src/batch/convert.ts, finishConversion) rejects and counts them. Values the
 * scanner leaves to the plain reader (CSV_*_TEXT) are read by parse-values.ts, the rules of
 * `rfm import csv` (csv-import.ts), which stays the reference this reader is tested against.
 */
import { open } from 'node:fs/promises';
import * as abi from '../abi/abi.js';
import { allocColumnBatch } from '../batch/column-batch.js';
import { finishConversion } from '../batch/convert.js';
import { toInput } from '../batch/converted.js';
import type { ConvertedInput } from '../batch/converted.js';
import { UNKNOWN_KIND } from '../batch/decode.js';
import { notAfter } from '../batch/limits.js';
import type { ConversionTarget } from '../batch/record-batches.js';
import type { Reject } from '../batch/rejects.js';
import { RfmError } from '../core/errors.js';
import { Kind } from '../core/types.js';
import type { ColumnBatch } from '../core/types.js';
import { columnIndex, readCsvOrders } from './csv-import.js';
import type { CsvImportOptions } from './csv-import.js';
import { convertRecordBatches } from '../batch/record-batches.js';
import { CsvScanner } from './csv-scanner.js';
import type { ScannedRows } from './csv-scanner.js';
import type { ImportStats } from './import-stats.js';
import { parseAmount, parseIntIdInto, parseTime } from './parse-values.js';
import type { DateFormat } from './parse-values.js';

const {
  CSV_AMOUNT_EMPTY, CSV_AMOUNT_TEXT, CSV_FIELDS, CSV_ID_EMPTY, CSV_ID_INT, CSV_ID_TEXT, CSV_ID_ZERO, CSV_KIND_TEXT, CSV_TS_TEXT,
  DATE_DMY, DATE_DMY_DOTS, DATE_EPOCH_MS, DATE_EPOCH_S, DATE_ISO, DATE_MDY, DATE_YYYYMMDD,
} = abi;

const DATE_CODES: Record<DateFormat, number> = {
  iso: DATE_ISO, 'epoch-ms': DATE_EPOCH_MS, 'epoch-s': DATE_EPOCH_S, yyyymmdd: DATE_YYYYMMDD,
  'mm/dd/yyyy': DATE_MDY, 'dd/mm/yyyy': DATE_DMY, 'dd.mm.yyyy': DATE_DMY_DOTS,
};

const KINDS: Record<string, number> = { order: Kind.order, refund: Kind.refund, visit: Kind.visit, email_open: Kind.emailOpen };
const DEFAULT_KIND_COLUMN = 'kind';
const TAB = 0x09;
const SPACE = 0x20;
/** Bytes read from the file at a time. */
const READ_BYTES = 4 << 20;

const utf8 = new TextDecoder();

/** A header field as written: quoted ones unquoted. */
function headerText(raw: string): string {
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

/** The bytes of a file or stream, a chunk at a time. */
async function* chunksOf(source: string | NodeJS.ReadableStream): AsyncGenerator<Uint8Array> {
  if (typeof source !== 'string' || source === '-') {
    const stream = typeof source === 'string' ? process.stdin : source;
    for await (const c of stream as AsyncIterable<Buffer | string>) {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      for (let at = 0; at < b.length; at += READ_BYTES) yield b.subarray(at, at + READ_BYTES);
    }
    return;
  }
  const f = await open(source, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    while (true) {
      const { bytesRead } = await f.read(buf, 0, READ_BYTES, null);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await f.close();
  }
}

/** Whether the scanner reads text of these options: UTF-8 with a one-byte delimiter other than ' ' (runs of spaces). */
export function scannerReads(o: CsvImportOptions): boolean {
  return o.encoding !== 'latin1' && o.delimiter.length === 1 && o.delimiter !== ' ' && o.delimiter.charCodeAt(0) < 0x80 && o.delimiter !== '"';
}

/**
 * CSV orders as converted batches: by the scanner when it reads such text (readCsv), else by
 * the plain reader (latin-1, runs of spaces) through Arrow batches.
 */
export function readCsvOrConvert(source: string | NodeJS.ReadableStream, o: CsvImportOptions, target: ConversionTarget, stats: ImportStats): AsyncGenerator<ConvertedInput> {
  if (scannerReads(o)) return readCsv(source, o, target, stats);
  return convertRecordBatches(readCsvOrders(source, o, stats), target, typeof source === 'string' ? source : 'the request body');
}

/** Every row's flags are exactly `flag`. */
function onlyFlag(flags: Uint32Array, flag: number): boolean {
  for (let i = 0; i < flags.length; i++) if (flags[i] !== flag) return false;
  return true;
}

/** What the reader settled on: the columns, and the kind of id once the first one decides it. */
interface Layout {
  id: number;
  ts: number;
  amount: number;
  kind: number;
  isInt: boolean | null;
}

/**
 * The orders of a CSV file (or '-' for stdin, or an open stream) as converted batches for
 * the target engine: one a scan of up to 65,536 rows. Stats count as `rfm import csv` counts.
 */
export async function* readCsv(source: string | NodeJS.ReadableStream, o: CsvImportOptions, target: ConversionTarget, stats: ImportStats): AsyncGenerator<ConvertedInput> {
  const path = typeof source === 'string' ? (source === '-' ? 'stdin' : source) : 'the request body';
  const scanner = new CsvScanner();
  const cap = scanner.inCapacity;
  let filled = 0;
  let start = 0;
  let owed = 0;
  let first = true;
  let layout: Layout | null = null;
  let header: string[] | null = null;
  let line = 1;
  let rowsBefore = 0;
  const limits = { maxAmount: target.limits?.maxAmount, notAfter: target.limits ? notAfter(target.limits) : undefined };

  const configure = (fields: number): void => {
    scanner.configure({
      delimiter: o.delimiter.charCodeAt(0), fields, id: layout!.id, ts: layout!.ts, amount: layout!.amount, kind: layout!.kind,
      format: DATE_CODES[o.dateFormat], decimalComma: o.decimalComma, line,
    });
  };
  const decide = (): void => {
    const spec = (name: string, role: string): number => columnIndex(name, header, path, role);
    layout = {
      id: spec(o.customer, 'customer'), ts: spec(o.ts, 'ts'), amount: spec(o.amount, 'amount'),
      kind: o.kind ? spec(o.kind, 'kind') : (header?.findIndex((h) => h.trim().toLowerCase() === DEFAULT_KIND_COLUMN) ?? -1),
      isInt: o.idType === 'auto' ? null : o.idType === 'int',
    };
    configure(header?.length ?? 0);
  };

  /** Scans what is read; yields a batch a scan. */
  function* scanAll(final: boolean): Generator<ConvertedInput> {
    const input = scanner.input();
    if (layout === null) {
      if (o.header) {
        scanner.configure({ delimiter: o.delimiter.charCodeAt(0), fields: 0, id: 0, ts: 1, amount: 2, kind: -1, format: 0, decimalComma: false, line });
        const h = scanner.header(start, filled, final);
        if (h === null) {
          checkStatus(final);
          return;
        }
        header = h.fields.map(([s, e]) => headerText(utf8.decode(input.subarray(s, e))));
        start = h.next;
        line = scanner.line;
      }
      decide();
    }
    while (true) {
      const rows = scanner.scan(start, filled, final);
      start = scanner.end;
      line = scanner.line;
      if (rows.rows > 0) {
        const c = toBatch(rows, input);
        if (c !== null) yield c;
      }
      if (rows.rows < scanner.rowCapacity) break;
    }
    checkStatus(final);
  }

  function checkStatus(final: boolean): void {
    const s = scanner.status;
    if (s === 1) throw new RfmError('RFM_ERR_INPUT', `${path}: a quoted field opened on line ${scanner.line} never closes`);
    if (s === 2) throw new RfmError('RFM_ERR_INPUT', `${path}: the record on line ${scanner.line} is longer than 1,048,576 bytes (a quote never closed, or not a CSV file?)`);
    if (final && start < filled && layout !== null) throw new RfmError('RFM_ERR_INPUT', `${path}: line ${scanner.line} could not be read`);
  }

  /** One scan's rows as a converted batch (null when every one had the wrong number of fields). */
  function toBatch(r: ScannedRows, input: Uint8Array): ConvertedInput | null {
    const l = layout!;
    const n = r.rows;
    stats.records += n;
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      if (r.flags[i] & CSV_FIELDS && dropped++ === 0 && stats.badFieldCounts === 0) stats.firstBadFieldCountLine = r.line[i];
    }
    stats.badFieldCounts += dropped;
    // the rows kept, by their place in the scan (all of them, the usual case, without a list)
    const kept = dropped === 0 ? null : Int32Array.from({ length: n }, (_, i) => i).filter((i) => (r.flags[i] & CSV_FIELDS) === 0);
    const m = n - dropped;
    if (m === 0) return null;
    const rowOf = (j: number): number => (kept === null ? j : kept[j]);
    const text = (i: number, field: number): string => utf8.decode(input.subarray(r.ranges[8 * i + 2 * field], r.ranges[8 * i + 2 * field + 1]));
    if (l.isInt === null) {
      // the first non-empty id decides, as in csv-import.ts: an integer of at most 18 digits without a leading zero
      for (let j = 0; j < m; j++) {
        const i = rowOf(j);
        if (r.flags[i] & CSV_ID_EMPTY) continue;
        const t = text(i, 0).trim();
        if (t === '') continue;
        l.isInt = /^-?\d{1,18}$/.test(t) && !/^-?0\d/.test(t);
        break;
      }
    }
    const isInt = l.isInt ?? false;
    const firstRow = rowsBefore;
    const rejectAt = (j: number): Reject => {
      const i = rowOf(j);
      return { row: firstRow + j + 1, line: r.line[i], reason: '', customer: text(i, 0).trim(), ts: text(i, 1).trim(), amount: text(i, 2).trim() };
    };
    const finish = (batch: ColumnBatch, idNull: Uint8Array | null): ConvertedInput => {
      stats.rows += m;
      rowsBefore += m;
      const c = finishConversion(batch, idNull, { asOf: target.asOf, keepRejects: target.keepRejects, ...limits }, null, false, rejectAt);
      return toInput(c, target.numShards, target.recycleFrom);
    };
    if (isInt && m === n && onlyFlag(r.flags, CSV_ID_INT)) {
      // the usual scan: integer ids and values the scanner read itself, the columns as they are
      const { batch } = allocColumnBatch({ numRows: n, idMode: 'int', idBytesLen: 0 }, target.recycleFrom);
      batch.ts.set(r.ts);
      batch.amount.set(r.amount);
      batch.kind.set(r.kind);
      batch.idWords!.set(r.idWords);
      for (let i = 0; i < n; i++) {
        if (r.ts[i] !== r.ts[i]) stats.badTimes++;
        if (r.amount[i] !== r.amount[i]) stats.badAmounts++;
      }
      return finish(batch, null);
    }
    // the trimmed id places and the id bytes of string ids
    const idS = new Uint32Array(m);
    const idE = new Uint32Array(m);
    const odd = new Map<number, Uint8Array>();
    let idBytesLen = 0;
    if (!isInt) {
      for (let j = 0; j < m; j++) {
        const i = rowOf(j);
        if (r.flags[i] & CSV_ID_TEXT) {
          const b = Buffer.from(text(i, 0).trim());
          odd.set(j, b);
          idBytesLen += b.length;
          continue;
        }
        let s = r.ranges[8 * i];
        let e = r.ranges[8 * i + 1];
        while (s < e && (input[s] === SPACE || input[s] === TAB)) s++;
        while (e > s && (input[e - 1] === SPACE || input[e - 1] === TAB)) e--;
        idS[j] = s;
        idE[j] = e;
        idBytesLen += e - s;
      }
    }
    const { batch } = allocColumnBatch({ numRows: m, idMode: isInt ? 'int' : 'utf8', idBytesLen }, target.recycleFrom);
    let idNull: Uint8Array | null = null;
    const words = new Int32Array(2);
    let at = 0;
    for (let j = 0; j < m; j++) {
      const i = rowOf(j);
      const f = r.flags[i];
      let ts = r.ts[i];
      let amount = r.amount[i];
      let kind = r.kind[i];
      if (f & CSV_TS_TEXT) ts = parseTime(text(i, 1), o.dateFormat);
      if (f & CSV_KIND_TEXT) {
        const k = text(i, 3).trim().toLowerCase();
        kind = k === '' ? Kind.order : KINDS[k] ?? UNKNOWN_KIND;
      }
      if (f & CSV_AMOUNT_TEXT) amount = parseAmount(text(i, 2), o.decimalComma);
      else if (f & CSV_AMOUNT_EMPTY && (kind === Kind.visit || kind === Kind.emailOpen)) amount = 0;
      if (ts !== ts) stats.badTimes++;
      if (amount !== amount) stats.badAmounts++;
      if (kind === UNKNOWN_KIND) stats.badKinds++;
      batch.ts[j] = ts;
      batch.amount[j] = amount;
      batch.kind[j] = kind;
      let isNull = (f & CSV_ID_EMPTY) !== 0;
      if (isInt) {
        if (!isNull) {
          let ok = (f & CSV_ID_INT) !== 0;
          if (f & CSV_ID_TEXT) {
            const t = text(i, 0).trim();
            isNull = t === '';
            ok = !isNull && parseIntIdInto(words, t);
            if (ok) {
              batch.idWords![2 * j] = words[0];
              batch.idWords![2 * j + 1] = words[1];
            }
          } else {
            batch.idWords![2 * j] = r.idWords[2 * i];
            batch.idWords![2 * j + 1] = r.idWords[2 * i + 1];
          }
          if (!ok && !isNull) {
            throw new RfmError('RFM_ERR_INPUT', `${path}: line ${r.line[i]}: customer id "${text(i, 0).trim()}" is not an integer, but earlier ids were; import with --id-type string`);
          }
          if (o.idType === 'auto' && f & CSV_ID_ZERO) {
            throw new RfmError('RFM_ERR_INPUT', `${path}: line ${r.line[i]}: customer id "${text(i, 0).trim()}" has a leading zero, but earlier ids were integers; import with --id-type string to keep it apart, or --id-type int to read it as a number`);
          }
        }
        if (isNull) {
          batch.idWords![2 * j] = 0;
          batch.idWords![2 * j + 1] = 0;
        }
      } else {
        batch.idOffsets![j] = at;
        const b = odd.get(j);
        if (b) {
          batch.idBytes!.set(b, at);
          at += b.length;
          isNull = b.length === 0;
        } else {
          batch.idBytes!.set(input.subarray(idS[j], idE[j]), at);
          at += idE[j] - idS[j];
        }
      }
      if (isNull) {
        stats.badIds++;
        idNull ??= new Uint8Array(m);
        idNull[j] = 1;
      }
    }
    if (!isInt) batch.idOffsets![m] = at;
    return finish(batch, idNull);
  }

  for await (const chunk of chunksOf(source)) {
    let bytes = chunk;
    if (first) {
      first = false;
      if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes.length > 1 && bytes.subarray(0, 64).includes(0))) {
        throw new RfmError('RFM_ERR_INPUT', `${path} is UTF-16 (or binary), not text rfmstream reads; save it as UTF-8 (Excel: "CSV UTF-8")`);
      }
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    if (filled + bytes.length > cap) {
      // what is not scanned yet moves to the front
      scanner.input().copyWithin(0, start, filled);
      filled -= start;
      start = 0;
      if (filled + bytes.length > cap) throw new RfmError('RFM_ERR_INPUT', `${path}: the record on line ${line} is longer than 1,048,576 bytes (a quote never closed, or not a CSV file?)`);
    }
    scanner.input().set(bytes, filled);
    const bad = scanner.checkUtf8(filled, filled + bytes.length, owed);
    if (bad >= 0) {
      const input = scanner.input();
      let l = line;
      for (let i = start; i < bad; i++) if (input[i] === 10 || (input[i] === 13 && input[i + 1] !== 10)) l++;
      if (input[bad] === 0) throw new RfmError('RFM_ERR_INPUT', `${path}: line ${l} holds a NUL byte: not a text file?`);
      throw new RfmError('RFM_ERR_INPUT', `${path}: line ${l} is not UTF-8 (byte 0x${input[bad].toString(16)}); if the file is latin-1, read it with --encoding latin1`);
    }
    owed = -1 - bad;
    filled += bytes.length;
    yield* scanAll(false);
  }
  yield* scanAll(true);
  if (layout === null && o.header) throw new RfmError('RFM_ERR_INPUT', `${path}: no header line (the file is empty)`);
}
