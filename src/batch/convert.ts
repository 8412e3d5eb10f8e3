/**
 * The conversion of one Arrow RecordBatch into a ColumnBatch, the form the kernels read:
 * the schema checked once (schema.ts), then each column decoded in one pass (decode.ts).
 * Rows the kernels must not see (null customer, NaN or infinite amount, null time, unknown
 * kind) are marked KIND_SKIP and reported as rejects (rejects.ts); rows after the as-of time
 * are marked skip and counted apart (counts.ts).
 */
import type { Data, DataType, RecordBatch } from 'apache-arrow';
import { RfmError } from '../domain/errors.js';
import { Kind } from '../domain/types.js';
import { isDictionary, isInt, isTimestamp } from './arrow-types.js';
import { TimeUnitId } from './arrow-ids.js';
import type { BufferPool } from './buffer-pool.js';
import { allocColumnBatch } from './column-batch.js';
import type { ConvertedBatch } from './converted.js';
import type { ColumnBatch } from '../domain/types.js';
import type { Reject } from './rejects.js';
import type { BatchCounts } from './counts.js';
import { keepLargest } from './counts.js';
import {
  UNKNOWN_KIND,
  amountsInto,
  checkOffsets,
  dictionaryCodes,
  dictionaryEntries,
  int32Words,
  isValid,
  kindsInto,
  onlyData,
  timesInto,
} from './decode.js';
import { DEFAULT_MAX_AMOUNT, TOO_EARLY, tooLarge } from './limits.js';
import { orderKeysOf } from './order-keys.js';
import { rejectOf } from './rejects.js';
import { checkSchema } from './schema.js';
import type { ColumnNames } from './schema.js';

/** The range of a JS Date (about 270,000 years either side of 1970); beyond it a time is rejected. */
const MAX_TIME_MS = 8.64e15;

export interface ConvertOptions {
  names: ColumnNames;
  /** Rows after this time (ms) are not applied. */
  asOf?: number;
  /** Keep the rejected rows' values (for a rejects file); counted either way. */
  keepRejects: boolean;
  /** Rows of the input before this batch's first (rejects number rows from 1). */
  firstRow: number;
  /** Name of the input, for errors. */
  source: string;
  /** Where batch buffers come from (and go back to once applied). */
  pool?: BufferPool;
  /** Orders and refunds beyond this absolute amount are rejected (limits.ts). Default DEFAULT_MAX_AMOUNT. */
  maxAmount?: number;
  /** Rows dated after this time (ms) are rejected (limits.ts: notAfter). Default: none. */
  notAfter?: number;
  /** Rows dated before this time (ms) are rejected (limits.ts: RowLimits.notBefore). Default: none. */
  notBefore?: number;
  /**
   * A window's read of an input read once per window (replay --from/--every): rows at or
   * before this time were applied by an earlier read, and are skipped without a count.
   */
  after?: number;
  /** Rejected rows were counted by an earlier read of the input: skipped without a count. */
  quietRejects?: boolean;
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
  for (const [name, d] of [
    [names.customer, idData],
    [names.ts, tsData],
    [names.amount, amountData],
  ] as const) {
    if (d.length < n)
      throw new RfmError('RFM_ERR_INPUT', `${source}: column "${name}" is shorter than the batch (corrupt file?)`);
  }

  // string ids: plain Utf8 is copied as is; a dictionary is spelled out per row
  let idOffsetsIn: Int32Array | null = null;
  let idBytesIn: Uint8Array | null = null;
  let dictIndex: Int32Array | null = null;
  let dictLength = 0;
  let idBytesLen = 0;
  if (mode === 'utf8') {
    if (isDictionary(idData.type)) {
      const entries = dictionaryEntries(idData.dictionary!, source, names.customer);
      idOffsetsIn = entries.offsets;
      idBytesIn = entries.bytes;
      dictLength = entries.length;
      dictIndex = idData.values as Int32Array;
      if (dictIndex.length < n)
        throw new RfmError(
          'RFM_ERR_INPUT',
          `${source}: column "${names.customer}" is shorter than the batch (corrupt file?)`,
        );
      for (let i = 0; i < n; i++) {
        const j = dictIndex[i];
        if (j >= 0 && j < dictLength) idBytesLen += idOffsetsIn[j + 1] - idOffsetsIn[j];
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
      if (src.length < 2 * n)
        throw new RfmError(
          'RFM_ERR_INPUT',
          `${source}: column "${names.customer}" is shorter than the batch (corrupt file?)`,
        );
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
      // an index past the dictionary (a stream whose dictionaries came out of order, say) is
      // a row without a customer; the offsets past it were never checked
      if (idNull![i] || j < 0 || j >= dictLength) {
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

  const converted = finishConversion(
    out,
    idNull,
    opts,
    plain,
    isUnsigned64(idData.type as DataType),
    (i) => rejectOf(batch, names, i, opts.firstRow + i + 1, ''),
    convertRest,
  );
  if (names.order !== undefined) {
    const name = names.order.name;
    const present = batch.schema.fields.some((f) => f.name === name);
    if (!present && names.order.required) {
      throw new RfmError(
        'RFM_ERR_SCHEMA',
        `${source}: no column "${name}" for --order-column (columns: ` +
          `${batch.schema.fields.map((f) => f.name).join(', ')}); "none" reads every row as its own order`,
      );
    }
    if (present) converted.orderKeys = orderKeysOf(batch.getChild(name), n, source, name);
  }
  return converted;
}

/** The limits of a conversion: what a row must be within to be applied. */
export type Bounds = Pick<
  ConvertOptions,
  'asOf' | 'keepRejects' | 'maxAmount' | 'notAfter' | 'notBefore' | 'after' | 'quietRejects'
>;

/**
 * The pass every converted batch ends with, whatever it was read from: rows to reject
 * (their reason, and their values when kept) and rows after the as-of time become
 * KIND_SKIP; the applied ones are counted and the watermark found. idNull marks rows
 * without a customer; plain/convertRest are convertBatch's one-pass shortcut (null / a
 * no-op otherwise); rejectAt gives a rejected row's values.
 */
export function finishConversion(
  out: ColumnBatch,
  idNull: Uint8Array | null,
  opts: Bounds,
  plain: PlainInput | null,
  unsignedIds: boolean,
  rejectAt: (i: number) => Reject,
  convertRest: () => void = () => undefined,
): ConvertedBatch {
  const n = out.numRows;
  const kind = out.kind;
  const ts = out.ts;
  const amount = out.amount;
  const asOf = opts.asOf ?? Infinity;
  const maxAmount = opts.maxAmount ?? DEFAULT_MAX_AMOUNT;
  const latest = opts.notAfter ?? Infinity;
  const earliest = Math.max(opts.notBefore ?? -Infinity, -MAX_TIME_MS);
  const after = opts.after ?? -Infinity;
  const result: ConvertedBatch = {
    columns: out,
    batches: 1,
    orders: 0,
    refunds: 0,
    engagements: 0,
    rejected: 0,
    afterAsOf: 0,
    maxTs: -Infinity,
    rejects: [],
    unsignedIds,
  };
  // most batches have nothing to reject or skip: count them in a tight loop, and take the
  // full pass below only from the first row that needs it
  const from =
    idNull === null
      ? countPlain(kind, ts, amount, n, after, earliest, Math.min(asOf, latest), maxAmount, result, plain)
      : 0;
  if (plain !== null && from < n) convertRest();
  for (let i = from; i < n; i++) {
    const k = kind[i];
    const t = ts[i];
    const a = amount[i];
    let reason: string | null = null;
    if (idNull?.[i]) reason = 'null customer';
    else if (t !== t) reason = 'null or unreadable time';
    else if (t < -MAX_TIME_MS || t > MAX_TIME_MS) reason = 'time out of range';
    else if (t < earliest) reason = TOO_EARLY;
    else if (k === UNKNOWN_KIND) reason = 'unknown kind';
    else if (k <= Kind.refund && !Number.isFinite(a)) reason = a !== a ? 'null or NaN amount' : 'infinite amount';
    else if (k <= Kind.refund && (a > maxAmount || a < -maxAmount)) reason = tooLarge(maxAmount);
    else if (t > latest) reason = 'time too far ahead of the clock (--max-future)';
    if (reason !== null) {
      kind[i] = Kind.skip;
      if (opts.quietRejects) continue;
      result.rejected++;
      const by = (result.rejectedBy ??= {});
      const seen = by[reason];
      if (seen !== undefined) seen.count++;
      else by[reason] = { count: 1, first: { ...rejectAt(i), reason } };
      if (opts.keepRejects) result.rejects.push({ ...rejectAt(i), reason });
      continue;
    }
    if (t <= after) {
      kind[i] = Kind.skip;
      continue;
    }
    if (t > asOf) {
      kind[i] = Kind.skip;
      result.afterAsOf++;
      continue;
    }
    if (t > result.maxTs) result.maxTs = t;
    if (k === Kind.order && a >= 0) {
      result.orders++;
      keepLargest((result.largest ??= []), a);
    } else if (k <= Kind.refund) result.refunds++;
    else {
      result.engagements++;
      if (a !== a) amount[i] = 0;
    }
  }
  return result;
}

/** A Uint64 column: its ids above 2^63 are not negative numbers. */
function isUnsigned64(t: DataType): boolean {
  return isInt(t) && !t.isSigned && t.bitWidth === 64;
}

/** A batch of the usual kind, as countPlain converts it. */
export interface PlainInput {
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
function countPlain(
  kind: Uint8Array,
  ts: Float64Array,
  amount: Float64Array,
  n: number,
  after: number,
  earliest: number,
  asOf: number,
  maxAmount: number,
  into: BatchCounts,
  plain: PlainInput | null,
): number {
  const tsWords = plain?.tsWords;
  const kinds = plain?.kinds ?? null;
  const kindOf = plain?.kindOf;
  let orders = 0;
  let refunds = 0;
  let engagements = 0;
  let maxTs = -Infinity;
  // the largest orders: one compare a row, a rare insert
  const largest: number[] = [];
  let floor = -Infinity;
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
    // a time in range, in the window and not after the clock's limit (false for NaN), a
    // known kind, and an amount within the bound (false for NaN and the infinities)
    if (
      !(t >= earliest && t <= MAX_TIME_MS && t <= asOf && t > after) ||
      k > Kind.emailOpen ||
      !(a <= maxAmount && a >= -maxAmount)
    )
      break;
    if (t > maxTs) maxTs = t;
    if (k === Kind.order && a >= 0) {
      orders++;
      if (a > floor) floor = keepLargest(largest, a);
    } else if (k <= Kind.refund) refunds++;
    else engagements++;
  }
  if (largest.length > 0) into.largest = largest;
  into.orders = orders;
  into.refunds = refunds;
  into.engagements = engagements;
  into.maxTs = maxTs;
  return i;
}
