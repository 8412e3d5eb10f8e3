/**
 * Each row's order id, carried beside a converted batch so the reading thread can count a
 * repeated order once (repeat-orders.ts). One spelling for every reader: an integer (a
 * decimal of at most 15 digits without a leading zero, or an integer column's value below
 * 10^15) is a number, made where the batch is read (a reader's thread); any other id is its
 * text as written (a CSV field trimmed). So "1001" in a CSV and 1001 in a Parquet file of
 * one store are one order, and "007" stays apart from 7. A row with neither has no order id:
 * never taken for a repeat.
 */
import type { Data, DataType, Vector } from 'apache-arrow';
import { RfmError } from '../domain/errors.js';
import { isDictionary, isInt, isUtf8 } from './arrow-types.js';
import { checkOffsets, dictionaryEntries, int32Words, isValid, onlyData } from './decode.js';

export interface OrderKeys {
  /** Row i's id when it is an integer; NaN when it is text (or none). */
  ids: Float64Array;
  /** Row i's text id is bytes[offsets[i], offsets[i + 1]) (empty for a number, or none). */
  offsets: Int32Array;
  bytes: Uint8Array;
}

/** Integer ids below this are numbers; beyond, their decimal text (the same rule as decimalOf's 15 digits). */
const NUMBER_BOUND = 1e15;

/** Makes a batch's keys row by row. */
class KeyBuilder {
  readonly ids: Float64Array;
  readonly offsets: Int32Array;
  private bytes: Uint8Array;
  private at = 0;

  constructor(
    readonly n: number,
    bytesHint: number,
  ) {
    this.ids = new Float64Array(n).fill(NaN);
    this.offsets = new Int32Array(n + 1);
    this.bytes = new Uint8Array(Math.max(16, bytesHint));
  }

  /** Row i's id: the bytes, a number when they spell one. */
  text(i: number, src: Uint8Array, s: number, e: number): void {
    const v = decimalOf(src, s, e);
    if (v === v) this.ids[i] = v;
    else {
      const n = e - s;
      if (this.at + n > this.bytes.length) {
        const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.at + n));
        grown.set(this.bytes.subarray(0, this.at));
        this.bytes = grown;
      }
      for (let k = 0; k < n; k++) this.bytes[this.at + k] = src[s + k];
      this.at += n;
    }
    this.offsets[i + 1] = this.at;
  }

  /** Row i's id, an integer (two's complement words; unsigned: hi is no sign). */
  integer(i: number, lo: number, hi: number, unsigned: boolean): void {
    const v = (unsigned ? hi >>> 0 : hi) * 4294967296 + (lo >>> 0);
    if (v < NUMBER_BOUND && v > -NUMBER_BOUND) {
      this.ids[i] = v;
      this.offsets[i + 1] = this.at;
      return;
    }
    let big = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    if (!unsigned && hi < 0) big -= 1n << 64n;
    const digits = Buffer.from(big.toString());
    this.text(i, digits, 0, digits.length);
  }

  /** Row i has no order id. */
  none(i: number): void {
    this.offsets[i + 1] = this.at;
  }

  done(): OrderKeys {
    return { ids: this.ids, offsets: this.offsets, bytes: this.bytes.subarray(0, this.at) };
  }
}

/**
 * The integer bytes[s, e) spell in decimal: an optional minus, 1 to 15 digits, no leading
 * zero (007 is a code, kept as text); NaN for anything else.
 */
export function decimalOf(bytes: Uint8Array, s: number, e: number): number {
  const negative = bytes[s] === 0x2d;
  const from = negative ? s + 1 : s;
  const n = e - from;
  if (n < 1 || n > 15 || (n > 1 && bytes[from] === 0x30) || (negative && n === 1 && bytes[from] === 0x30)) return NaN;
  let v = 0;
  for (let i = from; i < e; i++) {
    const d = bytes[i] - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

/** Keys from byte places per row (a scan's fields): row j's id is src[starts[j], ends[j]). */
export function orderKeysOfPlaces(src: Uint8Array, m: number, place: (j: number) => [number, number]): OrderKeys {
  const b = new KeyBuilder(m, 0);
  for (let j = 0; j < m; j++) {
    const [s, e] = place(j);
    if (s === e) b.none(j);
    else b.text(j, src, s, e);
  }
  return b.done();
}

/** What an order id column may be, for messages. */
export const ORDER_ID_EXPECTED = 'Utf8, Dictionary<Utf8> or an integer';

/** Keys of many batches as one, in order (undefined when none had any). */
export function joinOrderKeys(list: (OrderKeys | undefined)[], rows: number[]): OrderKeys | undefined {
  if (list.every((k) => k === undefined)) return undefined;
  let n = 0;
  let bytes = 0;
  for (let j = 0; j < list.length; j++) {
    n += rows[j];
    bytes += list[j]?.bytes.length ?? 0;
  }
  const out: OrderKeys = {
    ids: new Float64Array(n).fill(NaN),
    offsets: new Int32Array(n + 1),
    bytes: new Uint8Array(bytes),
  };
  let row = 0;
  let at = 0;
  for (let j = 0; j < list.length; j++) {
    const k = list[j];
    if (k === undefined) {
      out.offsets.fill(at, row + 1, row + rows[j] + 1);
    } else {
      out.ids.set(k.ids.subarray(0, rows[j]), row);
      for (let i = 1; i <= rows[j]; i++) out.offsets[row + i] = at + k.offsets[i] - k.offsets[0];
      out.bytes.set(k.bytes.subarray(k.offsets[0], k.offsets[rows[j]]), at);
      at += k.offsets[rows[j]] - k.offsets[0];
    }
    row += rows[j];
  }
  return out;
}

/**
 * The order ids of an Arrow column's first n rows as keys (nulls: none). Throws RFM_ERR_SCHEMA on a
 * type that holds none.
 */
export function orderKeysOfColumn(data: Data, n: number, source: string, name: string): OrderKeys {
  const t = data.type as DataType;
  const hasNulls = data.nullCount > 0;
  const valid = (i: number): boolean => !hasNulls || isValid(data, i);
  if (isUtf8(t)) {
    const offsets = data.valueOffsets as Int32Array;
    const values = data.values as Uint8Array;
    checkOffsets(offsets, n, values.length, source, name);
    const b = new KeyBuilder(n, offsets[n] - offsets[0]);
    for (let i = 0; i < n; i++) {
      if (valid(i) && offsets[i + 1] > offsets[i]) b.text(i, values, offsets[i], offsets[i + 1]);
      else b.none(i);
    }
    return b.done();
  }
  if (isDictionary(t) && isUtf8(t.dictionary)) {
    const entries = dictionaryEntries(data.dictionary!, source, name);
    const index = data.values as Int32Array;
    const b = new KeyBuilder(n, 0);
    for (let i = 0; i < n; i++) {
      const j = index[i];
      if (j >= 0 && j < entries.length && valid(i) && entries.offsets[j + 1] > entries.offsets[j])
        b.text(i, entries.bytes, entries.offsets[j], entries.offsets[j + 1]);
      else b.none(i);
    }
    return b.done();
  }
  if (isInt(t)) {
    const b = new KeyBuilder(n, 0);
    const words = t.bitWidth === 64 ? int32Words(data) : null;
    const values =
      words === null
        ? (data.values as Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array)
        : null;
    for (let i = 0; i < n; i++) {
      if (!valid(i)) b.none(i);
      else if (words !== null) b.integer(i, words[2 * i], words[2 * i + 1], !t.isSigned);
      else {
        const v = values![i];
        b.integer(i, v | 0, v < 0 ? -1 : 0, v >= 0);
      }
    }
    return b.done();
  }
  throw new RfmError(
    'RFM_ERR_SCHEMA',
    `${source}: column "${name}" is ${t}; an order id column is ${ORDER_ID_EXPECTED}`,
  );
}

/** The order ids of a RecordBatch's column (see orderKeysOfColumn). */
export function orderKeysOf(column: Vector | null, n: number, source: string, name: string): OrderKeys | undefined {
  if (column === null) return undefined;
  return orderKeysOfColumn(onlyData(column, source, name), n, source, name);
}
