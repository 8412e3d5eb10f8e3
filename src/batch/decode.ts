/**
 * Decoding of one Arrow column into the kernels' form: times to ms, amounts to numbers, kind
 * names and codes to KIND_* codes, each in one pass over the column (no object per row).
 */
import type { Data, DataType, Vector } from 'apache-arrow';
import { RfmError } from '../domain/errors.js';
import { Kind } from '../domain/types.js';
import { DateUnitId, PrecisionId, TimeUnitId } from './arrow-ids.js';
import { isDate, isDecimal, isDictionary, isFloat, isInt, isTimestamp } from './arrow-types.js';

/** Marks a row whose kind is none of the four (rejected as 'unknown kind'). */
export const UNKNOWN_KIND = 254;

const KIND_NAMES: Record<string, number> = {
  order: Kind.order,
  refund: Kind.refund,
  visit: Kind.visit,
  email_open: Kind.emailOpen,
};

export function onlyData(v: Vector, source: string, column: string): Data {
  if (v.data.length !== 1)
    throw new RfmError('RFM_ERR_INPUT', `${source}: column "${column}" has ${v.data.length} chunks in one batch`);
  return v.data[0];
}

export function isValid(d: Data, i: number): boolean {
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return true;
  const pos = d.offset + i;
  return (d.nullBitmap[pos >> 3] & (1 << (pos & 7))) !== 0;
}

/** Reads a 64-bit integer (two's complement words) at index i as a Number. */
function int64At(words: Int32Array, i: number): number {
  return words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
}

export function int32Words(d: Data): Int32Array {
  const v = d.values as ArrayBufferView;
  return new Int32Array(v.buffer, v.byteOffset, Math.floor(v.byteLength / 4));
}

/** Converts event times to ms into out; NaN where null or unreadable. */
export function timesInto(out: Float64Array, d: Data, n: number): void {
  const t = d.type as DataType;
  if (isDate(t) && t.unit === DateUnitId.DAY) {
    const days = d.values as Int32Array;
    for (let i = 0; i < n; i++) out[i] = days[i] * 86_400_000;
  } else {
    const scale = isTimestamp(t)
      ? t.unit === TimeUnitId.SECOND
        ? 1000
        : t.unit === TimeUnitId.MILLISECOND
          ? 1
          : t.unit === TimeUnitId.MICROSECOND
            ? 1e-3
            : 1e-6
      : 1;
    const words = int32Words(d);
    for (let i = 0; i < n; i++) out[i] = int64At(words, i) * scale;
    if (scale < 1) for (let i = 0; i < n; i++) out[i] = Math.floor(out[i]);
  }
  if (d.nullCount > 0) for (let i = 0; i < n; i++) if (!isValid(d, i)) out[i] = NaN;
}

/** Converts amounts to numbers into out; NaN where null. */
export function amountsInto(out: Float64Array, d: Data, n: number): void {
  const t = d.type as DataType;
  if (isFloat(t)) {
    if (t.precision === PrecisionId.HALF)
      throw new RfmError('RFM_ERR_SCHEMA', 'Float16 amounts are not supported; use Float32 or Float64');
    const v = d.values as Float64Array | Float32Array;
    if (v instanceof Float64Array) out.set(v.subarray(0, n));
    else for (let i = 0; i < n; i++) out[i] = v[i];
  } else if (isDecimal(t)) {
    const w = d.values as Uint32Array;
    const stride = t.bitWidth / 32;
    const div = Math.pow(10, t.scale);
    for (let i = 0; i < n; i++) {
      const at = i * stride;
      const top = w[at + stride - 1] | 0;
      let x = 0;
      if (top < 0) {
        // two's complement: -(~v + 1)
        let carry = 1;
        for (let k = 0, mul = 1; k < stride; k++, mul *= 4294967296) {
          const word = (~w[at + k] >>> 0) + carry;
          carry = word > 0xffffffff ? 1 : 0;
          x += (word >>> 0) * mul;
        }
        x = -x;
      } else {
        for (let k = 0, mul = 1; k < stride; k++, mul *= 4294967296) x += w[at + k] * mul;
      }
      out[i] = x / div;
    }
  } else if (isInt(t) && t.bitWidth === 64) {
    const words = int32Words(d);
    const unsigned = !t.isSigned;
    for (let i = 0; i < n; i++)
      out[i] = unsigned ? (words[2 * i + 1] >>> 0) * 4294967296 + (words[2 * i] >>> 0) : int64At(words, i);
  } else {
    const v = d.values as Int32Array;
    for (let i = 0; i < n; i++) out[i] = v[i];
  }
  if (d.nullCount > 0) for (let i = 0; i < n; i++) if (!isValid(d, i)) out[i] = NaN;
}

/** The code of a kind's name; UNKNOWN_KIND for any other name (the row is rejected). */
function kindCode(name: string): number {
  return KIND_NAMES[name.toLowerCase()] ?? UNKNOWN_KIND;
}

/** The code of every entry of a kind dictionary. */
export function dictionaryCodes(d: Data): Uint8Array {
  const dict = d.dictionary!;
  const codes = new Uint8Array(dict.length);
  for (let j = 0; j < dict.length; j++) codes[j] = kindCode(String(dict.get(j) ?? ''));
  return codes;
}

/** Kind codes into out; UNKNOWN_KIND marks an unknown kind (rejected). Null kinds are orders. */
export function kindsInto(out: Uint8Array, d: Data, n: number): void {
  const t = d.type as DataType;
  if (isInt(t)) {
    const v = d.values as Int8Array;
    for (let i = 0; i < n; i++) out[i] = v[i] >= 0 && v[i] <= Kind.emailOpen ? v[i] : UNKNOWN_KIND;
  } else if (isDictionary(t)) {
    const codes = dictionaryCodes(d);
    const idx = d.values as Int32Array;
    for (let i = 0; i < n; i++) out[i] = idx[i] >= 0 && idx[i] < codes.length ? codes[idx[i]] : UNKNOWN_KIND;
  } else {
    const offsets = d.valueOffsets as Int32Array;
    const bytes = d.values as Uint8Array;
    const decoder = new TextDecoder();
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const s = decoder.decode(bytes.subarray(offsets[i], offsets[i + 1]));
      let c = seen.get(s);
      if (c === undefined) seen.set(s, (c = kindCode(s)));
      out[i] = c;
    }
  }
  if (d.nullCount > 0) for (let i = 0; i < n; i++) if (!isValid(d, i)) out[i] = Kind.order;
}

/**
 * A Utf8 dictionary's entries as one offsets/bytes pair, checked. A delta dictionary (a
 * stream's later dictionary batch that adds entries) leaves apache-arrow's dictionary in
 * several chunks, indices running over all of them: those are joined.
 */
export function dictionaryEntries(
  dict: Vector,
  source: string,
  column: string,
): { offsets: Int32Array; bytes: Uint8Array; length: number } {
  const chunks = dict.data;
  for (const d of chunks)
    checkOffsets(d.valueOffsets as Int32Array, d.length, (d.values as Uint8Array).length, source, column);
  if (chunks.length === 1)
    return {
      offsets: chunks[0].valueOffsets as Int32Array,
      bytes: chunks[0].values as Uint8Array,
      length: chunks[0].length,
    };
  let length = 0;
  let bytesLength = 0;
  for (const d of chunks) {
    const o = d.valueOffsets as Int32Array;
    length += d.length;
    bytesLength += o[d.length] - o[0];
  }
  const offsets = new Int32Array(length + 1);
  const bytes = new Uint8Array(bytesLength);
  let at = 0;
  let k = 0;
  for (const d of chunks) {
    const o = d.valueOffsets as Int32Array;
    for (let i = 0; i < d.length; i++) offsets[k++] = at + o[i] - o[0];
    bytes.set((d.values as Uint8Array).subarray(o[0], o[d.length]), at);
    at += o[d.length] - o[0];
  }
  offsets[length] = at;
  return { offsets, bytes, length };
}

export function checkOffsets(
  offsets: Int32Array,
  count: number,
  bytesLen: number,
  source: string,
  column: string,
): void {
  if (offsets.length < count + 1)
    throw new RfmError('RFM_ERR_INPUT', `${source}: column "${column}" has too few string offsets (corrupt file?)`);
  for (let i = 0; i < count; i++) {
    if (offsets[i] < 0 || offsets[i + 1] < offsets[i] || offsets[i + 1] > bytesLen) {
      throw new RfmError(
        'RFM_ERR_INPUT',
        `${source}: column "${column}" has string offsets out of range (corrupt file?)`,
      );
    }
  }
}
