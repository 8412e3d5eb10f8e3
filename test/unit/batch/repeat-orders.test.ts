/**
 * Order ids as keys (order-keys.ts) and the dropping of repeats by them (repeat-orders.ts):
 * every Arrow type an order id comes in spells the id as text does, and a repeat is marked
 * skip in every shard's copy and taken off the counts.
 */
import {
  Dictionary,
  Int32,
  Int64,
  Int8,
  RecordBatch,
  TimestampMillisecond,
  Uint64,
  Utf8,
  Float64,
  makeData,
  vectorFromArray,
} from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { BufferPool } from '../../../src/batch/buffer-pool.js';
import { columnBatchOver } from '../../../src/batch/column-batch.js';
import { convertBatch } from '../../../src/batch/convert.js';
import { toInput } from '../../../src/batch/converted.js';
import { joinOrderKeys, orderKeysOfColumn } from '../../../src/batch/order-keys.js';
import type { OrderKeys } from '../../../src/batch/order-keys.js';
import { RepeatOrders } from '../../../src/batch/repeat-orders.js';
import { DEFAULT_COLUMNS } from '../../../src/batch/schema.js';
import { Kind } from '../../../src/domain/types.js';

/** Each row's id as text: a number's decimal, else its bytes ('' for none). */
function texts(k: OrderKeys): (string | number)[] {
  return Array.from({ length: k.offsets.length - 1 }, (_, i) =>
    k.ids[i] === k.ids[i] ? k.ids[i] : Buffer.from(k.bytes.subarray(k.offsets[i], k.offsets[i + 1])).toString(),
  );
}

describe('order keys', () => {
  test('integers in decimal (negative, past 2^53, unsigned 64-bit), text as written, nulls empty', () => {
    const int64 = vectorFromArray([1001n, -7n, 9007199254740993n, null, -9223372036854775808n], new Int64());
    expect(texts(orderKeysOfColumn(int64.data[0], 5, 't', 'o'))).toEqual([
      1001,
      -7,
      '9007199254740993',
      '',
      '-9223372036854775808',
    ]);
    const uint64 = vectorFromArray([18446744073709551615n, 0n], new Uint64());
    expect(texts(orderKeysOfColumn(uint64.data[0], 2, 't', 'o'))).toEqual(['18446744073709551615', 0]);
    const int32 = vectorFromArray([5, -2147483648, null], new Int32());
    expect(texts(orderKeysOfColumn(int32.data[0], 3, 't', 'o'))).toEqual([5, -2147483648, '']);
    // text that spells an integer is the integer (one order across formats); a leading zero keeps it text
    const utf8 = vectorFromArray(['#1001', null, 'ä-2', '1001', '007', '1000000000000000'], new Utf8());
    expect(texts(orderKeysOfColumn(utf8.data[0], 6, 't', 'o'))).toEqual([
      '#1001',
      '',
      'ä-2',
      1001,
      '007',
      '1000000000000000',
    ]);
    expect(texts(orderKeysOfColumn(vectorFromArray([1000000000000000n], new Int64()).data[0], 1, 't', 'o'))).toEqual([
      '1000000000000000',
    ]);
    const dict = vectorFromArray(['b', 'a', 'b', null], new Dictionary(new Utf8(), new Int32()));
    expect(texts(orderKeysOfColumn(dict.data[0], 4, 't', 'o'))).toEqual(['b', 'a', 'b', '']);
    // a slice reads its own rows
    const sliced = utf8.slice(1, 3);
    expect(texts(orderKeysOfColumn(sliced.data[0], 2, 't', 'o'))).toEqual(['', 'ä-2']);
    expect(() => orderKeysOfColumn(vectorFromArray([1.5], new Float64()).data[0], 1, 'f.arrow', 'o')).toThrow(
      'f.arrow: column "o" is Float64; an order id column is Utf8, Dictionary<Utf8> or an integer',
    );
  });

  test('joined in order, with a batch that had none', () => {
    const a = orderKeysOfColumn(vectorFromArray(['x', 'yy'], new Utf8()).data[0], 2, 't', 'o');
    const c = orderKeysOfColumn(vectorFromArray(['z'], new Utf8()).data[0], 1, 't', 'o');
    expect(texts(joinOrderKeys([a, undefined, c], [2, 3, 1])!)).toEqual(['x', 'yy', '', '', '', 'z']);
    expect(joinOrderKeys([undefined], [4])).toBeUndefined();
  });
});

/** A batch of orders and refunds: [order id, customer, day, amount, kind]. */
function batchOf(rows: [string, number, number, number, number][]): RecordBatch {
  const n = rows.length;
  return new RecordBatch({
    order_id: vectorFromArray(
      rows.map((r) => r[0]),
      new Utf8(),
    ).data[0],
    customer_id: vectorFromArray(
      rows.map((r) => BigInt(r[1])),
      new Int64(),
    ).data[0],
    ts: makeData({
      type: new TimestampMillisecond(),
      length: n,
      data: BigInt64Array.from(rows.map((r) => BigInt(Date.UTC(2025, 0, r[2])))),
    }),
    amount: vectorFromArray(
      rows.map((r) => r[3]),
      new Float64(),
    ).data[0],
    kind: makeData({ type: new Int8() as DataType, length: n, data: Int8Array.from(rows.map((r) => r[4])) }) as never,
  });
}

describe('repeated orders', () => {
  const names = { ...DEFAULT_COLUMNS, order: { name: 'order_id', required: false } };
  const convert = (b: RecordBatch, numShards = 1) =>
    toInput(convertBatch(b, { names, keepRejects: false, firstRow: 0, source: 't' }), numShards, new BufferPool(false));

  test("an order id seen before is skipped in every shard's copy; a refund counts once by id, time and amount", () => {
    const r = new RepeatOrders();
    const first = convert(
      batchOf([
        ['1', 1, 1, 10, Kind.order],
        ['2', 2, 2, 20, Kind.order],
        ['1', 1, 3, -4, Kind.refund],
        ['', 3, 3, 5, Kind.order],
      ]),
      2,
    );
    expect(r.drop(first)).toBe(0);
    // the same order again (another file), the same refund again, a second partial refund, an order without an id twice
    const second = convert(
      batchOf([
        ['2', 2, 2, 20, Kind.order],
        ['1', 1, 3, -4, Kind.refund],
        ['1', 1, 4, -4, Kind.refund],
        ['', 3, 3, 5, Kind.order],
        ['3', 1, 5, 7, Kind.order],
      ]),
      2,
    );
    expect([second.orders, second.refunds]).toEqual([3, 2]);
    expect(r.drop(second)).toBe(2);
    expect([second.orders, second.refunds, second.duplicates]).toEqual([2, 1, 2]);
    expect(second.parts[0].buffer).not.toBe(second.parts[1].buffer);
    for (const p of second.parts)
      expect(Array.from(columnBatchOver(p.buffer, p.shape).kind)).toEqual([
        Kind.skip,
        Kind.skip,
        Kind.refund,
        Kind.order,
        Kind.order,
      ]);
    expect([r.dropped, r.otherAmounts]).toEqual([2, 0]);
  });

  test("a repeat with another amount (an order's line items?) is counted apart", () => {
    const r = new RepeatOrders();
    r.drop(
      convert(
        batchOf([
          ['9', 1, 1, 10, Kind.order],
          ['9', 1, 1, 25, Kind.order],
          ['9', 1, 1, 25, Kind.order],
        ]),
      ),
    );
    expect([r.dropped, r.otherAmounts]).toEqual([2, 1]);
  });

  test('a batch without order ids passes untouched', () => {
    const r = new RepeatOrders();
    const c = toInput(
      convertBatch(
        batchOf([
          ['1', 1, 1, 10, Kind.order],
          ['1', 1, 1, 10, Kind.order],
        ]),
        { names: DEFAULT_COLUMNS, keepRejects: false, firstRow: 0, source: 't' },
      ),
      1,
    );
    expect(c.orderKeys).toBeUndefined();
    expect(r.drop(c)).toBe(0);
    expect(c.orders).toBe(2);
  });
});
