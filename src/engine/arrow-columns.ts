/**
 * The boundary between Arrow and the kernels: checks a RecordBatch's schema once, then
 * turns its columns into a ColumnBatch in one pass per column (typed arrays, no per-row
 * objects). Rows the kernels must not see (null customer, NaN or infinite amount, null
 * time, unknown kind) are marked Kind.skip and reported as rejects; rows after the as-of
 * time are marked skip and counted apart.
 */
import { DateUnitId, PrecisionId, TimeUnitId, TypeId } from './arrow-ids.js';
import type { Data, DataType, Date_, Decimal, Dictionary, Float, Int, RecordBatch, Timestamp, Utf8, Vector } from 'apache-arrow';
import { RfmError } from '../core/errors.js';
import { Kind } from '../core/types.js';
import type { ColumnBatch, IdMode } from '../core/types.js';
import { allocColumnBatch, columnBatchBytes } from './column-batch.js';
import type { BatchBuffer, BufferPool, ColumnBatchShape } from './column-batch.js';

// Type tests by type id, as apache-arrow's DataType.isX do. This module runs in the reading
// thread too, which loads apache-arrow's single-file bundle instead of the package's entry
// (arrow-read-worker.ts): importing DataType from the entry would load all of it there.
const isInt = (t: DataType): t is Int => t.typeId === TypeId.Int;
const isFloat = (t: DataType): t is Float => t.typeId === TypeId.Float;
const isUtf8 = (t: DataType): t is Utf8 => t.typeId === TypeId.Utf8;
const isDecimal = (t: DataType): t is Decimal => t.typeId === TypeId.Decimal;
const isDate = (t: DataType): t is Date_ => t.typeId === TypeId.Date;
const isTimestamp = (t: DataType): t is Timestamp => t.typeId === TypeId.Timestamp;
const isDictionary = (t: DataType): t is Dictionary => t.typeId === TypeId.Dictionary;

/** Which input columns hold what. */
export interface ColumnNames {
  customer: string;
  ts: string;
  amount: string;
  /** Optional: rows are orders (refunds when the amount is negative) without it. */
  kind: string;
}

export const DEFAULT_COLUMNS: ColumnNames = { customer: 'customer_id', ts: 'ts', amount: 'amount', kind: 'kind' };

/** A rejected row, with its raw values as text for the rejects file. */
export interface Reject {
  row: number;
  reason: string;
  customer: string;
  ts: string;
  amount: string;
}

/** What converting a batch counted. */
export interface BatchCounts {
  /** Input record batches it holds (more than 1 once joined, see coalesce.ts). */
  batches: number;
  orders: number;
  refunds: number;
  engagements: number;
  rejected: number;
  afterAsOf: number;
  /** Largest accepted event time, ms; -Infinity when none. */
  maxTs: number;
  rejects: Reject[];
}

/** The counts that add up from batch to batch. */
export type Tally = Pick<BatchCounts, 'batches' | 'orders' | 'refunds' | 'engagements' | 'rejected' | 'afterAsOf'>;

/** Adds from's counts to to's (a joined batch, the engine's totals). */
export function addTally(to: Tally, from: Tally): void {
  to.batches += from.batches;
  to.orders += from.orders;
  to.refunds += from.refunds;
  to.engagements += from.engagements;
  to.rejected += from.rejected;
  to.afterAsOf += from.afterAsOf;
}

export interface ConvertedBatch extends BatchCounts {
  columns: ColumnBatch;
}

/** One shard's view of a batch: the buffer (its own, or shared by all) and the shape to view it by. */
export interface ShardPart {
  shape: ColumnBatchShape;
  buffer: BatchBuffer;
}

/**
 * A converted batch as it travels between threads: a part per shard, and the counts.
 * Every shard gets every row and its kernel keeps its own (customer hash -> shard): routing
 * rows in JavaScript on the reading thread cost 30-45 ns a row on the one thread every row
 * passes through (bench/NOTES.md, section 13). From a shared pool, the parts are one
 * SharedArrayBuffer that the shards read in place; otherwise each extra shard gets a copy.
 */
export interface ConvertedInput extends BatchCounts {
  parts: ShardPart[];
}

/** The converted batch for numShards shards: itself for every shard when shared, else copies for all but the first. */
export function toInput(c: ConvertedBatch, numShards: number, pool?: BufferPool): ConvertedInput {
  const { columns, ...counts } = c;
  const whole = columns.ts.buffer as BatchBuffer;
  const shape: ColumnBatchShape = { numRows: columns.numRows, idMode: columns.idMode, idBytesLen: columns.idBytes?.length ?? 0 };
  const parts: ShardPart[] = [{ shape, buffer: whole }];
  if (whole instanceof SharedArrayBuffer) {
    for (let s = 1; s < numShards; s++) parts.push({ shape, buffer: whole });
  } else if (numShards > 1) {
    const size = columnBatchBytes(shape);
    const from = new Uint8Array(whole, 0, size);
    for (let s = 1; s < numShards; s++) {
      const buffer = pool ? pool.take(size) : new ArrayBuffer(size);
      new Uint8Array(buffer, 0, size).set(from);
      parts.push({ shape, buffer });
    }
  }
  return { ...counts, parts };
}

export interface ConvertOptions {
  names: ColumnNames;
  /** Rows after this time (ms) are not applied. */
  asOf?: number;
  /** Keep the rejected rows' values (for a rejects file); counted either way. */
  keepRejects: boolean;
  /** Row number of this batch's first row in the whole input (for rejects). */
  firstRow: number;
  /** Name of the input, for errors. */
  source: string;
  /** Where batch buffers come from (and go back to once applied). */
  pool?: BufferPool;
}

/** The range of a JS Date (about 270,000 years either side of 1970); beyond it a time is rejected. */
const MAX_TIME_MS = 8.64e15;

/** Marks a row whose kind is none of the four (rejected as 'unknown kind'). */
const UNKNOWN_KIND = 254;

const KIND_NAMES: Record<string, number> = {
  order: Kind.order, refund: Kind.refund, visit: Kind.visit, email_open: Kind.emailOpen,
};

/** A column name fit for a message: corrupt files carry binary names. */
function printable(name: string): string {
  const s = name.replace(/[^\x20-\x7e]/g, '?');
  return s.length > 40 ? s.slice(0, 40) + '...' : s;
}

function schemaError(source: string, column: string, expected: string, got: string): RfmError {
  return new RfmError('RFM_ERR_SCHEMA', `${source}: column "${column}" ${got}; expected ${expected}`);
}

function onlyData(v: Vector, source: string, column: string): Data {
  if (v.data.length !== 1) throw new RfmError('RFM_ERR_INPUT', `${source}: column "${column}" has ${v.data.length} chunks in one batch`);
  return v.data[0];
}

function isValid(d: Data, i: number): boolean {
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return true;
  const pos = d.offset + i;
  return (d.nullBitmap[pos >> 3] & (1 << (pos & 7))) !== 0;
}

const ID_EXPECTED = 'Int64/Uint64 (or a narrower integer), Utf8 or Dictionary<Utf8>';
const TS_EXPECTED = 'Timestamp (s/ms/us/ns), Date32, Date64 or Int64 milliseconds';
const AMOUNT_EXPECTED = 'Float64/Float32, Decimal or an integer';
const KIND_EXPECTED = 'Dictionary<Utf8> or Utf8 (order, refund, visit, email_open) or Int8 (0..3)';

/** Checks the schema of a batch; returns the id mode it implies. Throws RFM_ERR_SCHEMA. */
export function checkSchema(batch: RecordBatch, names: ColumnNames, source: string): IdMode {
  const field = (name: string) => batch.schema.fields.find((f) => f.name === name);
  const fieldNames = batch.schema.fields.map((f) => `"${printable(f.name)}"`);
  const present = fieldNames.length === 0 ? 'none' : fieldNames.length > 12 ? `${fieldNames.slice(0, 12).join(', ')}, ...` : fieldNames.join(', ');
  const need = (name: string, expected: string) => {
    const f = field(name);
    if (!f) throw schemaError(source, name, expected, `is missing (columns: ${present})`);
    return f.type as DataType;
  };
  const idType = need(names.customer, ID_EXPECTED);
  let mode: IdMode;
  if (isInt(idType) && idType.bitWidth <= 64) mode = 'int';
  else if (isUtf8(idType)) mode = 'utf8';
  else if (isDictionary(idType) && isUtf8(idType.dictionary)) mode = 'utf8';
  else throw schemaError(source, names.customer, ID_EXPECTED, `is ${idType}`);
  const tsType = need(names.ts, TS_EXPECTED);
  if (!(isTimestamp(tsType) || isDate(tsType) || (isInt(tsType) && tsType.bitWidth === 64))) {
    throw schemaError(source, names.ts, TS_EXPECTED, `is ${tsType}`);
  }
  const amountType = need(names.amount, AMOUNT_EXPECTED);
  if (!(isFloat(amountType) || isDecimal(amountType) || isInt(amountType))) {
    throw schemaError(source, names.amount, AMOUNT_EXPECTED, `is ${amountType}`);
  }
  const kf = field(names.kind);
  if (kf) {
    const t = kf.type as DataType;
    const ok = isUtf8(t) || (isDictionary(t) && isUtf8(t.dictionary)) || (isInt(t) && t.bitWidth === 8);
    if (!ok) throw schemaError(source, names.kind, KIND_EXPECTED, `is ${t}`);
  }
  return mode;
}

/** Reads a 64-bit integer (two's complement words) at index i as a Number. */
function int64At(words: Int32Array, i: number): number {
  return words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
}

function int32Words(d: Data): Int32Array {
  const v = d.values as ArrayBufferView;
  return new Int32Array(v.buffer, v.byteOffset, Math.floor(v.byteLength / 4));
}

/** Converts event times to ms into out; NaN where null or unreadable. */
function timesInto(out: Float64Array, d: Data, n: number): void {
  const t = d.type as DataType;
  if (isDate(t) && t.unit === DateUnitId.DAY) {
    const days = d.values as Int32Array;
    for (let i = 0; i < n; i++) out[i] = days[i] * 86_400_000;
  } else {
    const scale = isTimestamp(t)
      ? t.unit === TimeUnitId.SECOND ? 1000 : t.unit === TimeUnitId.MILLISECOND ? 1 : t.unit === TimeUnitId.MICROSECOND ? 1e-3 : 1e-6
      : 1;
    const words = int32Words(d);
    for (let i = 0; i < n; i++) out[i] = int64At(words, i) * scale;
    if (scale < 1) for (let i = 0; i < n; i++) out[i] = Math.floor(out[i]);
  }
  if (d.nullCount > 0) for (let i = 0; i < n; i++) if (!isValid(d, i)) out[i] = NaN;
}

/** Converts amounts to numbers into out; NaN where null. */
function amountsInto(out: Float64Array, d: Data, n: number): void {
  const t = d.type as DataType;
  if (isFloat(t)) {
    if (t.precision === PrecisionId.HALF) throw new RfmError('RFM_ERR_SCHEMA', 'Float16 amounts are not supported; use Float32 or Float64');
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
    for (let i = 0; i < n; i++) out[i] = unsigned ? (words[2 * i + 1] >>> 0) * 4294967296 + (words[2 * i] >>> 0) : int64At(words, i);
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
function dictionaryCodes(d: Data): Uint8Array {
  const dict = d.dictionary!;
  const codes = new Uint8Array(dict.length);
  for (let j = 0; j < dict.length; j++) codes[j] = kindCode(String(dict.get(j) ?? ''));
  return codes;
}

/** Kind codes into out; UNKNOWN_KIND marks an unknown kind (rejected). Null kinds are orders. */
function kindsInto(out: Uint8Array, d: Data, n: number): void {
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

function checkOffsets(offsets: Int32Array, count: number, bytesLen: number, source: string, column: string): void {
  if (offsets.length < count + 1) throw new RfmError('RFM_ERR_INPUT', `${source}: column "${column}" has too few string offsets (corrupt file?)`);
  for (let i = 0; i < count; i++) {
    if (offsets[i] < 0 || offsets[i + 1] < offsets[i] || offsets[i + 1] > bytesLen) {
      throw new RfmError('RFM_ERR_INPUT', `${source}: column "${column}" has string offsets out of range (corrupt file?)`);
    }
  }
}

/** Converts one RecordBatch. Throws RfmError on a bad schema or a corrupt column. */
export function convertBatch(batch: RecordBatch, opts: ConvertOptions): ConvertedBatch {
  const { names, source } = opts;
  const mode = checkSchema(batch, names, source);
  const n = batch.numRows;
  const idData = onlyData(batch.getChild(names.customer)!, source, names.customer);
  const tsData = onlyData(batch.getChild(names.ts)!, source, names.ts);
  const amountData = onlyData(batch.getChild(names.amount)!, source, names.amount);
  const kindVector = batch.schema.fields.some((f) => f.name === names.kind) ? batch.getChild(names.kind) : null;
  for (const [name, d] of [[names.customer, idData], [names.ts, tsData], [names.amount, amountData]] as const) {
    if (d.length < n) throw new RfmError('RFM_ERR_INPUT', `${source}: column "${name}" is shorter than the batch (corrupt file?)`);
  }

  // string ids: plain Utf8 is copied as is; a dictionary is spelled out per row
  let idOffsetsIn: Int32Array | null = null;
  let idBytesIn: Uint8Array | null = null;
  let dictIndex: Int32Array | null = null;
  let idBytesLen = 0;
  if (mode === 'utf8') {
    if (isDictionary(idData.type)) {
      const dd = idData.dictionary!.data[0];
      idOffsetsIn = dd.valueOffsets as Int32Array;
      idBytesIn = dd.values as Uint8Array;
      checkOffsets(idOffsetsIn, dd.length, idBytesIn.length, source, names.customer);
      dictIndex = idData.values as Int32Array;
      for (let i = 0; i < n; i++) {
        const j = dictIndex[i];
        if (j >= 0 && j < dd.length) idBytesLen += idOffsetsIn[j + 1] - idOffsetsIn[j];
      }
    } else {
      idOffsetsIn = idData.valueOffsets as Int32Array;
      idBytesIn = idData.values as Uint8Array;
      checkOffsets(idOffsetsIn, n, idBytesIn.length, source, names.customer);
      idBytesLen = idOffsetsIn[n] - idOffsetsIn[0];
    }
  }

  const { batch: out } = allocColumnBatch({ numRows: n, idMode: mode, idBytesLen }, opts.pool);
  const kindData = kindVector ? onlyData(kindVector, source, names.kind) : null;
  // rows without a customer: only dictionary ids and ids with nulls can have them
  const idNull = dictIndex || idData.nullCount > 0 ? new Uint8Array(n) : null;
  // the usual input (64-bit millisecond times, Int8 kind codes, no nulls) has its times and
  // kinds converted in the counting pass below; any other, here
  const plain = idNull === null ? plainInput(tsData, kindData) : null;
  amountsInto(out.amount, amountData, n);
  const convertRest = (): void => {
    timesInto(out.ts, tsData, n);
    if (kindData) kindsInto(out.kind, kindData, n);
    else out.kind.fill(Kind.order);
  };
  if (plain === null) convertRest();
  if (idNull && idData.nullCount > 0) for (let i = 0; i < n; i++) idNull[i] = isValid(idData, i) ? 0 : 1;

  if (mode === 'int') {
    const t = idData.type as DataType;
    const words = out.idWords!;
    if (isInt(t) && t.bitWidth === 64) {
      const src = int32Words(idData);
      if (src.length < 2 * n) throw new RfmError('RFM_ERR_INPUT', `${source}: column "${names.customer}" is shorter than the batch (corrupt file?)`);
      words.set(src.subarray(0, 2 * n));
    } else {
      const v = idData.values as Int32Array;
      const signed = isInt(t) && t.isSigned;
      for (let i = 0; i < n; i++) {
        const x = v[i];
        words[2 * i] = x | 0;
        words[2 * i + 1] = signed && x < 0 ? -1 : 0;
      }
    }
  } else if (dictIndex) {
    const offsets = out.idOffsets!;
    const bytes = out.idBytes!;
    let at = 0;
    for (let i = 0; i < n; i++) {
      offsets[i] = at;
      const j = dictIndex[i];
      if (idNull![i] || j < 0 || j + 1 >= idOffsetsIn!.length) {
        idNull![i] = 1;
        continue;
      }
      const a = idOffsetsIn![j];
      const b = idOffsetsIn![j + 1];
      bytes.set(idBytesIn!.subarray(a, b), at);
      at += b - a;
    }
    offsets[n] = at;
  } else {
    const base = idOffsetsIn![0];
    const offsets = out.idOffsets!;
    for (let i = 0; i <= n; i++) offsets[i] = idOffsetsIn![i] - base;
    out.idBytes!.set(idBytesIn!.subarray(base, base + idBytesLen));
  }

  // one pass to reject, skip, count and find the watermark
  const kind = out.kind;
  const ts = out.ts;
  const amount = out.amount;
  const asOf = opts.asOf ?? Infinity;
  const result: ConvertedBatch = {
    columns: out, batches: 1, orders: 0, refunds: 0, engagements: 0, rejected: 0, afterAsOf: 0, maxTs: -Infinity, rejects: [],
  };
  // most batches have nothing to reject or skip: count them in a tight loop, and take the
  // full pass below only from the first row that needs it
  const from = idNull === null ? countPlain(kind, ts, amount, n, asOf, result, plain) : 0;
  if (plain !== null && from < n) convertRest();
  for (let i = from; i < n; i++) {
    const k = kind[i];
    const t = ts[i];
    const a = amount[i];
    let reason: string | null = null;
    if (idNull !== null && idNull[i]) reason = 'null customer';
    else if (t !== t) reason = 'null or unreadable time';
    else if (t < -MAX_TIME_MS || t > MAX_TIME_MS) reason = 'time out of range';
    else if (k === UNKNOWN_KIND) reason = 'unknown kind';
    else if (k <= Kind.refund && !Number.isFinite(a)) reason = a !== a ? 'null or NaN amount' : 'infinite amount';
    if (reason !== null) {
      kind[i] = Kind.skip;
      result.rejected++;
      if (opts.keepRejects) result.rejects.push(rejectOf(batch, names, i, opts.firstRow + i, reason));
      continue;
    }
    if (t > asOf) {
      kind[i] = Kind.skip;
      result.afterAsOf++;
      continue;
    }
    if (t > result.maxTs) result.maxTs = t;
    if (k === Kind.order && a >= 0) result.orders++;
    else if (k <= Kind.refund) result.refunds++;
    else {
      result.engagements++;
      if (a !== a) amount[i] = 0;
    }
  }
  return result;
}

/** A batch of the usual kind, as countPlain converts it. */
interface PlainInput {
  /** The times: 64-bit milliseconds, as 32-bit words. */
  tsWords: Int32Array;
  /** Kind codes or dictionary indices, or null for a batch without kinds (all orders). */
  kinds: Int8Array | null;
  /** Their kind by (code & 255): UNKNOWN_KIND for unknown ones, as kindsInto has them. */
  kindOf: Uint8Array;
}

/**
 * The batch's times and kinds when they are of the usual kind, for countPlain: 64-bit
 * millisecond times and Int8 kinds (codes, or indices of a dictionary), without nulls.
 */
function plainInput(ts: Data, kind: Data | null): PlainInput | null {
  const t = ts.type as DataType;
  const ms = (isTimestamp(t) && t.unit === TimeUnitId.MILLISECOND) || (isInt(t) && t.bitWidth === 64);
  if (!ms || ts.nullCount > 0) return null;
  const kindOf = new Uint8Array(256).fill(UNKNOWN_KIND);
  if (kind !== null) {
    const k = kind.type as DataType;
    if (kind.nullCount > 0 || !(kind.values instanceof Int8Array)) return null;
    // Int8 indices reach entries 0..127 only
    if (isDictionary(k)) kindOf.set(dictionaryCodes(kind).subarray(0, 128));
    else if (isInt(k)) for (let c = 0; c <= Kind.emailOpen; c++) kindOf[c] = c;
    else return null;
  }
  return { tsWords: int32Words(ts), kinds: kind === null ? null : (kind.values as Int8Array), kindOf };
}

/**
 * Counts orders, refunds and engagements and finds the largest time over the rows that need
 * no rejecting or skipping, stopping at the first that does; returns that row (n when none).
 * Given the batch's plain input, it also converts each row's time and kind on the way (one
 * pass instead of three); the caller converts every row the general way if it stops early.
 */
function countPlain(kind: Uint8Array, ts: Float64Array, amount: Float64Array, n: number, asOf: number, into: BatchCounts, plain: PlainInput | null): number {
  const tsWords = plain?.tsWords;
  const kinds = plain?.kinds ?? null;
  const kindOf = plain?.kindOf;
  let orders = 0;
  let refunds = 0;
  let engagements = 0;
  let maxTs = -Infinity;
  let i = 0;
  for (; i < n; i++) {
    let t: number;
    let k: number;
    if (tsWords !== undefined) {
      t = tsWords[2 * i + 1] * 4294967296 + (tsWords[2 * i] >>> 0);
      k = kinds === null ? Kind.order : kindOf![kinds[i] & 255];
      ts[i] = t;
      kind[i] = k;
    } else {
      t = ts[i];
      k = kind[i];
    }
    const a = amount[i];
    // a time in range and not after the as-of time (false for NaN), a known kind, and a
    // finite amount (a - a is NaN for NaN and the infinities)
    if (!(t >= -MAX_TIME_MS && t <= MAX_TIME_MS && t <= asOf) || k > Kind.emailOpen || a - a !== 0) break;
    if (t > maxTs) maxTs = t;
    if (k === Kind.order && a >= 0) orders++;
    else if (k <= Kind.refund) refunds++;
    else engagements++;
  }
  into.orders = orders;
  into.refunds = refunds;
  into.engagements = engagements;
  into.maxTs = maxTs;
  return i;
}

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

function rejectOf(batch: RecordBatch, names: ColumnNames, i: number, row: number, reason: string): Reject {
  const get = (name: string): string => {
    try {
      return text(batch.getChild(name)?.get(i));
    } catch {
      return '';
    }
  };
  return { row, reason, customer: get(names.customer), ts: get(names.ts), amount: get(names.amount) };
}
