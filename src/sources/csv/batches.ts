/**
 * One scan's rows (csv/scanner.ts) as a converted batch: the values the scanner left to the
 * plain reader (CSV_*_TEXT) read by parse-values.ts, rows with another number of fields than
 * the header left out and counted, the kind of id decided by the first id (as csv/plain-reader.ts
 * decides it), and the conversion's last pass (finishConversion) to reject and count. Used
 * by the sequential reader (csv/source.ts) and each thread of the parallel one.
 */
import * as abi from '../../abi/abi.js';
import type { BufferPool } from '../../batch/buffer-pool.js';
import { allocColumnBatch } from '../../batch/column-batch.js';
import { finishConversion } from '../../batch/convert.js';
import type { Bounds } from '../../batch/convert.js';
import { toInput } from '../../batch/converted.js';
import type { ConvertedInput } from '../../batch/converted.js';
import { UNKNOWN_KIND } from '../../batch/decode.js';
import { orderKeysOfPlaces } from '../../batch/order-keys.js';
import type { OrderKeys } from '../../batch/order-keys.js';
import type { Reject } from '../../batch/rejects.js';
import { RfmError } from '../../domain/errors.js';
import { Kind } from '../../domain/types.js';
import type { ColumnBatch } from '../../domain/types.js';
import type { CsvImportOptions } from './csv-options.js';
import type { ScannedRows } from './scanner.js';
import type { ImportStats } from '../import-stats.js';
import { parseAmount, parseIntIdInto, parseTime } from '../parse-values.js';

const {
  CSV_AMOUNT_EMPTY,
  CSV_AMOUNT_TEXT,
  CSV_FIELDS,
  CSV_ID_EMPTY,
  CSV_ID_INT,
  CSV_ID_TEXT,
  CSV_ID_ZERO,
  CSV_KIND_TEXT,
  CSV_TS_TEXT,
} = abi;

const KINDS: Record<string, number> = {
  order: Kind.order,
  refund: Kind.refund,
  visit: Kind.visit,
  email_open: Kind.emailOpen,
};
const TAB = 0x09;
const SPACE = 0x20;
const utf8 = new TextDecoder();

/** The columns a reader takes (0-based), and the kind of id once the first id decides it (null: not yet). */
export interface CsvLayout {
  id: number;
  ts: number;
  amount: number;
  kind: number;
  isInt: boolean | null;
  /** Fields a record must have (the header's), 0 without a header. */
  fields: number;
  /** The order id column, -1 for none. */
  order: number;
}

/** Where the batches go: the engine's shard count and buffer pool, and the bounds rows are held to. */
export interface CsvBatchTarget {
  numShards: number;
  pool: BufferPool;
  bounds: Bounds;
}

/** Every row's flags are exactly `flag`. */
function onlyFlag(flags: Uint32Array, flag: number): boolean {
  for (let i = 0; i < flags.length; i++) if (flags[i] !== flag) return false;
  return true;
}

/** A scan's rows as kernel columns, before rejecting (CsvBatcher.columns). */
export interface ScannedColumns {
  batch: ColumnBatch;
  idNull: Uint8Array | null;
  /** Row j's place and raw values, for a rejects file. */
  rejectAt: (j: number) => Reject;
  /** Row j's order id, with an order column. */
  orderKeys?: OrderKeys;
}

/** The kept rows' order id fields (trimmed; quoted ones the scanner unquoted) as keys. */
function orderKeysOfScan(r: ScannedRows, input: Uint8Array, m: number, rowOf: (j: number) => number): OrderKeys {
  const places = r.orderRanges;
  return orderKeysOfPlaces(input, m, (j) => {
    const i = rowOf(j);
    let s = places[2 * i];
    let e = places[2 * i + 1];
    while (s < e && (input[s] === SPACE || input[s] === TAB)) s++;
    while (e > s && (input[e - 1] === SPACE || input[e - 1] === TAB)) e--;
    return [s, e];
  });
}

/** A scan's rows as the batcher reads them: those kept (m), and a field's text. */
interface ScanRows {
  r: ScannedRows;
  input: Uint8Array;
  /** Rows kept. */
  m: number;
  /** The scan's row of kept row j. */
  rowOf: (j: number) => number;
  /** Row i's field (0 id, 1 time, 2 amount, 3 kind) as text. */
  text: (i: number, field: number) => string;
}

/** Text ids' places, trimmed, and the bytes of those the scanner left as text (by kept row). */
function textIdPlaces({ r, input, m, rowOf, text }: ScanRows): {
  start: Uint32Array;
  end: Uint32Array;
  odd: Map<number, Uint8Array>;
  bytes: number;
} {
  const start = new Uint32Array(m);
  const end = new Uint32Array(m);
  const odd = new Map<number, Uint8Array>();
  let bytes = 0;
  for (let j = 0; j < m; j++) {
    const i = rowOf(j);
    if (r.flags[i] & CSV_ID_TEXT) {
      const b = Buffer.from(text(i, 0).trim());
      odd.set(j, b);
      bytes += b.length;
      continue;
    }
    let s = r.ranges[8 * i];
    let e = r.ranges[8 * i + 1];
    while (s < e && (input[s] === SPACE || input[s] === TAB)) s++;
    while (e > s && (input[e - 1] === SPACE || input[e - 1] === TAB)) e--;
    start[j] = s;
    end[j] = e;
    bytes += e - s;
  }
  return { start, end, odd, bytes };
}

export class CsvBatcher {
  /** Data rows before the next batch's first (rejects number rows from 1). */
  rowsBefore = 0;
  private readonly bounds: Bounds;

  constructor(
    private readonly o: CsvImportOptions,
    readonly layout: CsvLayout,
    private readonly target: CsvBatchTarget,
    private readonly stats: ImportStats,
    private readonly path: string,
    /**
     * Under --id-type auto, a batch whose ids are not all integers goes as text ids, for an
     * engine (which takes both kinds); an Arrow file (import csv) must keep one kind, so an
     * id that breaks it is an error there, as the plain reader has it.
     */
    private readonly mixedIds = false,
  ) {
    this.bounds = target.bounds;
  }

  /** One scan's rows as a converted batch (null when every one had the wrong number of fields). */
  batch(r: ScannedRows, input: Uint8Array): ConvertedInput | null {
    const cols = this.columns(r, input);
    if (cols === null) return null;
    const c = finishConversion(cols.batch, cols.idNull, this.bounds, null, false, cols.rejectAt);
    c.orderKeys = cols.orderKeys;
    return toInput(c, this.target.numShards, this.target.pool);
  }

  /**
   * One scan's rows as columns before the conversion's last pass: unreadable values NaN, an
   * unknown kind UNKNOWN_KIND, rows without an id marked in idNull (null when none).
   */
  columns(r: ScannedRows, input: Uint8Array): ScannedColumns | null {
    const n = r.rows;
    this.stats.records += n;
    const kept = this.rowsKept(r);
    const m = kept === null ? n : kept.length;
    if (m === 0) return null;
    const rows: ScanRows = {
      r,
      input,
      m,
      rowOf: kept === null ? (j) => j : (j) => kept[j],
      text: (i, field) => utf8.decode(input.subarray(r.ranges[8 * i + 2 * field], r.ranges[8 * i + 2 * field + 1])),
    };
    const isInt = this.idsAreIntegers(rows);
    if (isInt && m === n && onlyFlag(r.flags, CSV_ID_INT)) {
      // the usual scan: integer ids and values the scanner read itself, the columns as they are
      const { batch } = allocColumnBatch({ numRows: n, idMode: 'int', idBytesLen: 0 }, this.target.pool);
      batch.ts.set(r.ts);
      batch.amount.set(r.amount);
      batch.kind.set(r.kind);
      batch.idWords!.set(r.idWords);
      for (let i = 0; i < n; i++) {
        if (r.ts[i] !== r.ts[i]) this.stats.badTimes++;
        if (r.amount[i] !== r.amount[i]) this.stats.badAmounts++;
      }
      return this.finish(rows, batch, null);
    }
    const ids = isInt ? null : textIdPlaces(rows);
    const { batch } = allocColumnBatch(
      { numRows: m, idMode: isInt ? 'int' : 'utf8', idBytesLen: ids?.bytes ?? 0 },
      this.target.pool,
    );
    let idNull: Uint8Array | null = null;
    const words = new Int32Array(2);
    let at = 0;
    for (let j = 0; j < m; j++) {
      this.values(rows, j, batch);
      let isNull: boolean;
      if (ids === null) isNull = this.intId(rows, j, batch, words);
      else {
        batch.idOffsets![j] = at;
        const b = ids.odd.get(j);
        if (b) {
          batch.idBytes!.set(b, at);
          at += b.length;
          isNull = b.length === 0;
        } else {
          batch.idBytes!.set(input.subarray(ids.start[j], ids.end[j]), at);
          at += ids.end[j] - ids.start[j];
          isNull = (r.flags[rows.rowOf(j)] & CSV_ID_EMPTY) !== 0;
        }
      }
      if (isNull) {
        this.stats.badIds++;
        idNull ??= new Uint8Array(m);
        idNull[j] = 1;
      }
    }
    if (ids !== null) batch.idOffsets![m] = at;
    return this.finish(rows, batch, idNull);
  }

  /** The rows of a scan with the header's field count (null: all of them, the usual case); the others counted. */
  private rowsKept(r: ScannedRows): Int32Array | null {
    const stats = this.stats;
    let dropped = 0;
    for (let i = 0; i < r.rows; i++) {
      if (r.flags[i] & CSV_FIELDS && dropped++ === 0 && stats.badFieldCounts === 0)
        stats.firstBadFieldCountLine = r.line[i];
    }
    stats.badFieldCounts += dropped;
    if (dropped === 0) return null;
    return Int32Array.from({ length: r.rows }, (_, i) => i).filter((i) => (r.flags[i] & CSV_FIELDS) === 0);
  }

  /**
   * Whether this scan's ids go as integers: the file's first non-empty id decides, as in
   * csv/plain-reader.ts (an integer of at most 18 digits without a leading zero); for an
   * engine, a scan with an id that is no integer (an email, 007) goes as text.
   */
  private idsAreIntegers({ r, m, rowOf, text }: ScanRows): boolean {
    const l = this.layout;
    if (l.isInt === null) {
      for (let j = 0; j < m; j++) {
        const i = rowOf(j);
        if (r.flags[i] & CSV_ID_EMPTY) continue;
        const t = text(i, 0).trim();
        if (t === '') continue;
        l.isInt = /^-?\d{1,18}$/.test(t) && !/^-?0\d/.test(t);
        break;
      }
    }
    let isInt = l.isInt ?? false;
    if (isInt && this.mixedIds && this.o.idType === 'auto') {
      // the engine takes both kinds, and an integer and its text are one customer (docs/decisions.md)
      const words = new Int32Array(2);
      for (let j = 0; j < m && isInt; j++) {
        const f = r.flags[rowOf(j)];
        if (f & CSV_ID_EMPTY) continue;
        if (f & CSV_ID_TEXT) {
          const t = text(rowOf(j), 0).trim();
          isInt = t === '' || (parseIntIdInto(words, t) && !/^-?0\d/.test(t));
        } else isInt = (f & CSV_ID_INT) !== 0 && (f & CSV_ID_ZERO) === 0;
      }
    }
    return isInt;
  }

  /** Row j's time, amount and kind into the batch: the scanner's, or read from their text. */
  private values({ r, rowOf, text }: ScanRows, j: number, batch: ColumnBatch): void {
    const { o, stats } = this;
    const i = rowOf(j);
    const f = r.flags[i];
    let ts = r.ts[i];
    let amount = r.amount[i];
    let kind = r.kind[i];
    if (f & CSV_TS_TEXT) ts = parseTime(text(i, 1), o.dateFormat);
    if (f & CSV_KIND_TEXT) {
      const k = text(i, 3).trim().toLowerCase();
      kind = k === '' ? Kind.order : (KINDS[k] ?? UNKNOWN_KIND);
    }
    if (f & CSV_AMOUNT_TEXT) amount = parseAmount(text(i, 2), o.decimalComma);
    else if (f & CSV_AMOUNT_EMPTY && (kind === Kind.visit || kind === Kind.emailOpen)) amount = 0;
    if (ts !== ts) stats.badTimes++;
    if (amount !== amount) stats.badAmounts++;
    if (kind === UNKNOWN_KIND) stats.badKinds++;
    batch.ts[j] = ts;
    batch.amount[j] = amount;
    batch.kind[j] = kind;
  }

  /** Row j's integer id into the batch (0 when it has none); whether it has none. */
  private intId({ r, rowOf, text }: ScanRows, j: number, batch: ColumnBatch, words: Int32Array): boolean {
    const i = rowOf(j);
    const f = r.flags[i];
    const idWords = batch.idWords!;
    let isNull = (f & CSV_ID_EMPTY) !== 0;
    if (!isNull) {
      let ok = (f & CSV_ID_INT) !== 0;
      if (f & CSV_ID_TEXT) {
        const t = text(i, 0).trim();
        isNull = t === '';
        ok = !isNull && parseIntIdInto(words, t);
        if (ok) {
          idWords[2 * j] = words[0];
          idWords[2 * j + 1] = words[1];
        }
      } else {
        idWords[2 * j] = r.idWords[2 * i];
        idWords[2 * j + 1] = r.idWords[2 * i + 1];
      }
      if (!ok && !isNull) {
        throw new RfmError(
          'RFM_ERR_INPUT',
          `${this.path}: line ${r.line[i]}: customer id "${text(i, 0).trim()}" is not an integer,` +
            ` but earlier ids were; import with --id-type string`,
        );
      }
      if (this.o.idType === 'auto' && (f & CSV_ID_ZERO || (f & CSV_ID_TEXT && /^-?0\d/.test(text(i, 0).trim())))) {
        throw new RfmError(
          'RFM_ERR_INPUT',
          `${this.path}: line ${r.line[i]}: customer id "${text(i, 0).trim()}" has a leading zero,` +
            ` but earlier ids were integers; import with --id-type string to keep it apart,` +
            ` or --id-type int to read it as a number`,
        );
      }
    }
    if (isNull) {
      idWords[2 * j] = 0;
      idWords[2 * j + 1] = 0;
    }
    return isNull;
  }

  /** The scan's columns as handed on, its rows counted. */
  private finish(rows: ScanRows, batch: ColumnBatch, idNull: Uint8Array | null): ScannedColumns {
    const { r, input, m, rowOf, text } = rows;
    const firstRow = this.rowsBefore;
    this.stats.rows += m;
    this.rowsBefore += m;
    const rejectAt = (j: number): Reject => {
      const i = rowOf(j);
      return {
        row: firstRow + j + 1,
        line: r.line[i],
        reason: '',
        customer: text(i, 0).trim(),
        ts: text(i, 1).trim(),
        amount: text(i, 2).trim(),
      };
    };
    return {
      batch,
      idNull,
      rejectAt,
      orderKeys: this.layout.order >= 0 ? orderKeysOfScan(r, input, m, rowOf) : undefined,
    };
  }
}
