/**
 * Each row's order id as bytes, carried beside a converted batch so the reading thread can
 * count a repeated order once (repeat-orders.ts). One spelling for every reader: text as
 * written (a CSV field trimmed), integers in decimal, so "1001" in a CSV and 1001 in a
 * Parquet file of the same store are one order. An empty key is a row without an order id:
 * never taken for a repeat.
 */
import type { Data, DataType, Vector } from 'apache-arrow';
import { RfmError } from '../core/errors.js';
import { isDictionary, isInt, isUtf8 } from './arrow-types.js';
import { checkOffsets, dictionaryEntries, int32Words, isValid, onlyData } from './decode.js';

export interface OrderKeys {
  /** Row i's id is bytes[offsets[i], offsets[i + 1]). */
  offsets: Int32Array;
  bytes: Uint8Array;
}

/** What an order id column may be, for messages. */
export const ORDER_ID_EXPECTED = 'Utf8, Dictionary<Utf8> or an integer';

/** Whether a column of this type can hold order ids. */
export function isOrderIdType(t: DataType): boolean {
  return isUtf8(t) || (isDictionary(t) && isUtf8(t.dictionary)) || isInt(t);
}

/** Keys of many batches as one, in order (null when none had any). */
export function joinOrderKeys(list: (OrderKeys | undefined)[], rows: number[]): OrderKeys | undefined {
  if (list.every((k) => k === undefined)) return undefined;
  let n = 0;
  let bytes = 0;
  for (let j = 0; j < list.length; j++) {
    n += rows[j];
    bytes += list[j]?.bytes.length ?? 0;
  }
  const out: OrderKeys = { offsets: new Int32Array(n + 1), bytes: new Uint8Array(bytes) };
  let row = 0;
  let at = 0;
  for (let j = 0; j < list.length; j++) {
    const k = list[j];
    if (k === undefined) {
      out.offsets.fill(at, row + 1, row + rows[j] + 1);
    } else {
      for (let i = 1; i <= rows[j]; i++) out.offsets[row + i] = at + k.offsets[i] - k.offsets[0];
      out.bytes.set(k.bytes.subarray(k.offsets[0], k.offsets[rows[j]]), at);
      at += k.offsets[rows[j]] - k.offsets[0];
    }
    row += rows[j];
  }
  return out;
}

const DIGITS = new Uint8Array(20);

/** Writes an integer (two's complement words lo, hi; unsigned: hi is no sign) in decimal at `at`; returns the end. */
function writeDecimal(out: Uint8Array, at: number, lo: number, hi: number, unsigned: boolean): number {
  let v = (unsigned ? hi >>> 0 : hi) * 4294967296 + (lo >>> 0);
  if (!Number.isSafeInteger(v)) {
    // beyond 2^53: rare for an id, spelled the slow way
    let big = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    if (!unsigned && hi < 0) big -= 1n << 64n;
    for (const c of big.toString()) out[at++] = c.charCodeAt(0);
    return at;
  }
  if (v < 0) {
    out[at++] = 0x2d;
    v = -v;
  }
  let d = 0;
  do {
    DIGITS[d++] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  } while (v > 0);
  while (d > 0) out[at++] = DIGITS[--d];
  return at;
}

/** The order ids of an Arrow column's first n rows as keys (nulls: empty). Throws RFM_ERR_SCHEMA on a type that holds none. */
export function orderKeysOfColumn(data: Data, n: number, source: string, name: string): OrderKeys {
  const t = data.type as DataType;
  const offsets = new Int32Array(n + 1);
  const hasNulls = data.nullCount > 0;
  if (isUtf8(t)) {
    const inOffsets = data.valueOffsets as Int32Array;
    const values = data.values as Uint8Array;
    checkOffsets(inOffsets, n, values.length, source, name);
    const base = inOffsets[0];
    if (!hasNulls) {
      for (let i = 0; i < n; i++) offsets[i + 1] = inOffsets[i + 1] - base;
      return { offsets, bytes: values.slice(base, inOffsets[n]) };
    }
    const bytes = new Uint8Array(inOffsets[n] - base);
    let at = 0;
    for (let i = 0; i < n; i++) {
      if (isValid(data, i)) {
        bytes.set(values.subarray(inOffsets[i], inOffsets[i + 1]), at);
        at += inOffsets[i + 1] - inOffsets[i];
      }
      offsets[i + 1] = at;
    }
    return { offsets, bytes: bytes.subarray(0, at) };
  }
  if (isDictionary(t) && isUtf8(t.dictionary)) {
    const entries = dictionaryEntries(data.dictionary!, source, name);
    const index = data.values as Int32Array;
    let size = 0;
    for (let i = 0; i < n; i++) {
      const j = index[i];
      if (j >= 0 && j < entries.length && (!hasNulls || isValid(data, i))) size += entries.offsets[j + 1] - entries.offsets[j];
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const j = index[i];
      if (j >= 0 && j < entries.length && (!hasNulls || isValid(data, i))) {
        bytes.set(entries.bytes.subarray(entries.offsets[j], entries.offsets[j + 1]), at);
        at += entries.offsets[j + 1] - entries.offsets[j];
      }
      offsets[i + 1] = at;
    }
    return { offsets, bytes };
  }
  if (isInt(t)) {
    const bytes = new Uint8Array(20 * n);
    let at = 0;
    const wide = t.bitWidth === 64;
    const words = wide ? int32Words(data) : null;
    const values = wide ? null : (data.values as Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array);
    for (let i = 0; i < n; i++) {
      if (!hasNulls || isValid(data, i)) {
        if (words !== null) at = writeDecimal(bytes, at, words[2 * i], words[2 * i + 1], !t.isSigned);
        else {
          const v = values![i];
          at = writeDecimal(bytes, at, v | 0, v < 0 ? -1 : 0, v >= 0);
        }
      }
      offsets[i + 1] = at;
    }
    return { offsets, bytes: bytes.slice(0, at) };
  }
  throw new RfmError('RFM_ERR_SCHEMA', `${source}: column "${name}" is ${t}; an order id column is ${ORDER_ID_EXPECTED}`);
}

/** The order ids of a RecordBatch's column (see orderKeysOfColumn). */
export function orderKeysOf(column: Vector | null, n: number, source: string, name: string): OrderKeys | undefined {
  if (column === null) return undefined;
  return orderKeysOfColumn(onlyData(column, source, name), n, source, name);
}
