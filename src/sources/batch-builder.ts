/**
 * Builds order RecordBatches in the engine's default schema from typed arrays, for the
 * generator and the importers:
 *   customer_id Int64 (or Utf8) | ts Timestamp[ms, UTC] | amount Float64 | kind Dictionary<Int8, Utf8>
 * Nulls: a NaN time or amount is written as null, so the engine sees and rejects the row.
 */
import {
  Dictionary, Float64, Int64, Int8, RecordBatch, TimestampMillisecond, Utf8, makeData, vectorFromArray,
} from 'apache-arrow';
import type { Data, Vector } from 'apache-arrow';

/** Names of the kind dictionary, index = Kind code. */
export const KIND_DICTIONARY = ['order', 'refund', 'visit', 'email_open'];
let kindDictionary: Vector<Utf8> | null = null;

function validity(values: Float64Array, n: number): { bitmap: Uint8Array | undefined; nulls: number } {
  let nulls = 0;
  for (let i = 0; i < n; i++) if (values[i] !== values[i]) nulls++;
  if (nulls === 0) return { bitmap: undefined, nulls };
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (values[i] === values[i]) bitmap[i >> 3] |= 1 << (i & 7);
  return { bitmap, nulls };
}

export interface OrderColumns {
  numRows: number;
  /** Integer ids as Int64 words (lo, hi per row)… */
  idWords?: Int32Array;
  /** …or string ids. */
  idStrings?: (string | null)[];
  /** ms since epoch; NaN for null. */
  ts: Float64Array;
  /** NaN for null. */
  amount: Float64Array;
  /** Kind codes (0 order, 1 refund, 2 visit, 3 email_open); omitted: no kind column. */
  kind?: Int8Array;
}

export function buildOrderBatch(c: OrderColumns): RecordBatch {
  const n = c.numRows;
  let ids: Data | Vector;
  if (c.idWords) {
    ids = makeData({ type: new Int64(), length: n, data: new BigInt64Array(c.idWords.buffer, c.idWords.byteOffset, n) });
  } else {
    ids = vectorFromArray(c.idStrings!.slice(0, n), new Utf8()).data[0];
  }
  const tsWords = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const t = c.ts[i];
    if (t !== t) continue;
    const hi = Math.floor(t / 4294967296);
    tsWords[2 * i] = (t - hi * 4294967296) | 0;
    tsWords[2 * i + 1] = hi;
  }
  const tsValid = validity(c.ts, n);
  const amountValid = validity(c.amount, n);
  const children: Record<string, Data> = {
    customer_id: ids as Data,
    ts: makeData({
      type: new TimestampMillisecond('UTC'), length: n, nullCount: tsValid.nulls, nullBitmap: tsValid.bitmap,
      data: new BigInt64Array(tsWords.buffer, 0, n),
    }),
    amount: makeData({ type: new Float64(), length: n, nullCount: amountValid.nulls, nullBitmap: amountValid.bitmap, data: c.amount.subarray(0, n) }),
  };
  if (c.kind) {
    kindDictionary ??= vectorFromArray(KIND_DICTIONARY, new Utf8());
    children.kind = makeData({
      type: new Dictionary(new Utf8(), new Int8()), length: n, data: c.kind.subarray(0, n), dictionary: kindDictionary,
    });
  }
  return new RecordBatch(children);
}

