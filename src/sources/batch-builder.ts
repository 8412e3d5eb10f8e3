/**
 * Builds order RecordBatches in the engine's default schema from typed arrays, for the
 * generator and the importers:
 *   customer_id Int64 (or Utf8) | ts Timestamp[ms, UTC] | amount Float64 | kind Dictionary<Int8, Utf8>
 * Nulls: a NaN time or amount is written as null, so the engine sees and rejects the row.
 */
import {
  Dictionary,
  Float64,
  Int64,
  Int8,
  RecordBatch,
  TimestampMillisecond,
  Utf8,
  makeData,
  vectorFromArray,
} from 'apache-arrow';
import type { Data, Vector } from 'apache-arrow';
import { DEFAULT_ORDER_COLUMN } from '../batch/schema.js';

/** Names of the kind dictionary, index = Kind code. */
// 'unknown' (code 4) carries an importer's unreadable kind through to the engine, which rejects the row
export const KIND_DICTIONARY = ['order', 'refund', 'visit', 'email_open', 'unknown'];
export const KIND_UNKNOWN = 4;
let kindDictionary: Vector<Utf8> | null = null;
// one type object for every batch: a new Dictionary type gets a new id, and a writer that
// sees a schema change between batches starts over
const KIND_TYPE = new Dictionary(new Utf8(), new Int8(), 0);

function validity(values: Float64Array, n: number): { bitmap: Uint8Array | undefined; nulls: number } {
  let nulls = 0;
  for (let i = 0; i < n; i++) if (values[i] !== values[i]) nulls++;
  if (nulls === 0) return { bitmap: undefined, nulls };
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (values[i] === values[i]) bitmap[i >> 3] |= 1 << (i & 7);
  return { bitmap, nulls };
}

/**
 * A Utf8 column of strings (null: a null), written straight into one buffer: apache-arrow's
 * vectorFromArray goes through a builder a value at a time, three times slower here.
 */
export function utf8Column(values: (string | null)[], n: number): Data {
  let chars = 0;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) nulls++;
    else chars += v.length;
  }
  // a UTF-16 unit is at most three UTF-8 bytes
  let bytes = Buffer.allocUnsafeSlow(Math.max(16, chars * 3));
  const offsets = new Int32Array(n + 1);
  const bitmap = nulls > 0 ? new Uint8Array((n + 7) >> 3) : undefined;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== null) {
      at += bytes.write(v, at, 'utf8');
      if (bitmap) bitmap[i >> 3] |= 1 << (i & 7);
    }
    offsets[i + 1] = at;
  }
  bytes = bytes.subarray(0, at);
  return makeData({
    type: new Utf8(),
    length: n,
    nullCount: nulls,
    nullBitmap: bitmap,
    valueOffsets: offsets,
    data: new Uint8Array(bytes.buffer, bytes.byteOffset, at),
  });
}

export interface OrderColumns {
  numRows: number;
  /** Integer ids as Int64 words (lo, hi per row)… */
  idWords?: Int32Array;
  /** …with 1 where the id is null. */
  idNull?: Uint8Array;
  /** …or string ids. */
  idStrings?: (string | null)[];
  /** ms since epoch; NaN for null. */
  ts: Float64Array;
  /** NaN for null. */
  amount: Float64Array;
  /** Kind codes (0 order, 1 refund, 2 visit, 3 email_open); omitted: no kind column. */
  kind?: Int8Array;
  /** Order ids ('' or null: none), as the column DEFAULT_ORDER_COLUMN; omitted: no such column. */
  orderIds?: (string | null)[];
}

export function buildOrderBatch(c: OrderColumns): RecordBatch {
  const n = c.numRows;
  let ids: Data | Vector;
  if (c.idWords) {
    let nulls = 0;
    let bitmap: Uint8Array | undefined;
    if (c.idNull) {
      for (let i = 0; i < n; i++) nulls += c.idNull[i];
      if (nulls > 0) {
        bitmap = new Uint8Array((n + 7) >> 3);
        for (let i = 0; i < n; i++) if (!c.idNull[i]) bitmap[i >> 3] |= 1 << (i & 7);
      }
    }
    ids = makeData({
      type: new Int64(),
      length: n,
      nullCount: nulls,
      nullBitmap: bitmap,
      data: new BigInt64Array(c.idWords.buffer, c.idWords.byteOffset, n),
    });
  } else {
    ids = utf8Column(c.idStrings!, n);
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
      type: new TimestampMillisecond('UTC'),
      length: n,
      nullCount: tsValid.nulls,
      nullBitmap: tsValid.bitmap,
      data: new BigInt64Array(tsWords.buffer, 0, n),
    }),
    amount: makeData({
      type: new Float64(),
      length: n,
      nullCount: amountValid.nulls,
      nullBitmap: amountValid.bitmap,
      data: c.amount.subarray(0, n),
    }),
  };
  if (c.kind) {
    kindDictionary ??= vectorFromArray(KIND_DICTIONARY, new Utf8());
    children.kind = makeData({
      type: KIND_TYPE,
      length: n,
      data: c.kind.subarray(0, n),
      dictionary: kindDictionary,
    });
  }
  if (c.orderIds) children[DEFAULT_ORDER_COLUMN] = utf8Column(c.orderIds, n);
  return new RecordBatch(children);
}

/** Collects rows one at a time and hands them out as batches of a fixed size. */
export class OrderBatchBuffer {
  private readonly idWords: Int32Array;
  private readonly idNull: Uint8Array;
  private readonly idStrings: (string | null)[] = [];
  private readonly ts: Float64Array;
  private readonly amount: Float64Array;
  private readonly kind: Int8Array;
  private readonly orderIds: (string | null)[] | null;
  rows = 0;

  /** withOrderIds: each row's order id is given (orderId) and written as a column. */
  constructor(
    readonly capacity: number,
    readonly stringIds: boolean,
    withOrderIds = false,
  ) {
    this.orderIds = withOrderIds ? [] : null;
    this.idWords = new Int32Array(2 * capacity);
    this.idNull = new Uint8Array(capacity);
    this.ts = new Float64Array(capacity);
    this.amount = new Float64Array(capacity);
    this.kind = new Int8Array(capacity);
  }

  get isFull(): boolean {
    return this.rows === this.capacity;
  }

  /** An integer id as (lo, hi) words; null for a missing id. */
  pushInt(lo: number, hi: number, isNull: boolean, ts: number, amount: number, kind: number): void {
    const r = this.rows++;
    this.idWords[2 * r] = lo;
    this.idWords[2 * r + 1] = hi;
    this.idNull[r] = isNull ? 1 : 0;
    this.ts[r] = ts;
    this.amount[r] = amount;
    this.kind[r] = kind;
  }

  pushString(id: string | null, ts: number, amount: number, kind: number): void {
    const r = this.rows++;
    this.idStrings[r] = id;
    this.ts[r] = ts;
    this.amount[r] = amount;
    this.kind[r] = kind;
  }

  /** The order id of the row pushed last. */
  orderId(id: string): void {
    if (this.orderIds !== null) this.orderIds[this.rows - 1] = id;
  }

  /** The rows so far as a batch; the buffer starts empty again. */
  take(): RecordBatch {
    const n = this.rows;
    const b = buildOrderBatch({
      numRows: n,
      idWords: this.stringIds ? undefined : this.idWords.slice(0, 2 * n),
      idNull: this.stringIds ? undefined : this.idNull.slice(0, n),
      idStrings: this.stringIds ? this.idStrings.slice(0, n) : undefined,
      ts: this.ts.slice(0, n),
      amount: this.amount.slice(0, n),
      kind: this.kind.slice(0, n),
      orderIds: this.orderIds?.slice(0, n),
    });
    this.rows = 0;
    return b;
  }
}
