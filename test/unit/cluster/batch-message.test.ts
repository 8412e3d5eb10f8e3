import { RecordBatchReader } from 'apache-arrow';
import { expect, test } from 'vitest';
import { KIND_SKIP } from '../../../src/abi/abi.js';
import { BufferPool } from '../../../src/batch/buffer-pool.js';
import { allocColumnBatch, columnBatchOver } from '../../../src/batch/column-batch.js';
import { convertBatch } from '../../../src/batch/convert.js';
import { RecordBatchConverter } from '../../../src/batch/record-batches.js';
import { DEFAULT_COLUMNS } from '../../../src/batch/schema.js';
import { chunksUnder, encodeRows, rowsByPartition } from '../../../src/cluster/batch-message.js';
import { partitionOf } from '../../../src/cluster/partition.js';
import { keyHash, shardOf } from '../../../src/core/hash.js';
import type { ColumnBatch } from '../../../src/domain/types.js';
import { randomHistory } from '../../support/random-batches.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Row i of a converted batch as the engine sees it: id, time, amount, kind. */
function rowOf(b: ColumnBatch, i: number): [string, number, number, number] {
  const id =
    b.idMode === 'int'
      ? `${b.idWords![2 * i]}:${b.idWords![2 * i + 1]}`
      : decoder.decode(b.idBytes!.subarray(b.idOffsets![i], b.idOffsets![i + 1]));
  return [id, b.ts[i], b.amount[i], b.kind[i]];
}

/** A message read back as a node reads it: through the engine's own conversion. */
function readBack(bytes: Uint8Array): ColumnBatch[] {
  const pool = new BufferPool();
  const converter = new RecordBatchConverter({
    names: DEFAULT_COLUMNS,
    asOf: undefined,
    numShards: 1,
    recycleFrom: pool,
    keepRejects: false,
  });
  return [...RecordBatchReader.from(bytes)].map((rb) => {
    const c = converter.convert(rb);
    return columnBatchOver(c.parts[0].buffer, c.parts[0].shape);
  });
}

test.each([false, true])(
  'every applied row goes to one partition and reads back as it was (string ids: %s)',
  (stringIds) => {
    const [batch] = randomHistory({ customers: 3000, rows: 20_000, batches: 1, seed: 7, stringIds, badRate: 0.01 });
    const b = convertBatch(batch, { names: DEFAULT_COLUMNS, keepRejects: false, firstRow: 0, source: 'test' }).columns;
    const applied: string[] = [];
    for (let i = 0; i < b.numRows; i++) if (b.kind[i] !== KIND_SKIP) applied.push(JSON.stringify(rowOf(b, i)));
    expect(applied.length).toBeLessThan(b.numRows);

    const sent: string[] = [];
    const byPartition = rowsByPartition(b, 16);
    expect(byPartition.size).toBe(16);
    for (const [p, rows] of byPartition) {
      for (const back of readBack(encodeRows(b, rows, false))) {
        for (let i = 0; i < back.numRows; i++) sent.push(JSON.stringify(rowOf(back, i)));
        // the rows read back fall in the partition they were sent to
        expect([...rowsByPartition(back, 16).keys()]).toEqual([p]);
      }
    }
    expect(sent.sort()).toEqual(applied.sort());
  },
);

/** Customers 0..n-1 with integer ids, or with their decimal text and a few emails after them. */
function idsBatch(n: number, text: boolean): ColumnBatch {
  const texts = Array.from({ length: n }, (_, i) => encoder.encode(String(i * 7919 - 5000)));
  if (text) for (let i = 0; i < 50; i++) texts.push(encoder.encode(`c${i}@shop.example`));
  const rows = texts.length;
  const idBytesLen = texts.reduce((t, x) => t + x.length, 0);
  const { batch } = allocColumnBatch({
    numRows: text ? rows : n,
    idMode: text ? 'utf8' : 'int',
    idBytesLen: text ? idBytesLen : 0,
  });
  if (text) {
    let at = 0;
    texts.forEach((t, i) => {
      batch.idOffsets![i] = at;
      batch.idBytes!.set(t, at);
      at += t.length;
    });
    batch.idOffsets![rows] = at;
  } else {
    for (let i = 0; i < n; i++) {
      const v = i * 7919 - 5000;
      batch.idWords![2 * i] = v | 0;
      batch.idWords![2 * i + 1] = v < 0 ? -1 : 0;
    }
  }
  return batch;
}

test('an integer id and its decimal text are one customer: one partition', () => {
  const n = 2000;
  const partitionsOf = (b: ColumnBatch) => {
    const of = new Int32Array(b.numRows).fill(-1);
    for (const [p, rows] of rowsByPartition(b, 16)) for (const i of rows) of[i] = p;
    return of;
  };
  const byInt = partitionsOf(idsBatch(n, false));
  const byText = partitionsOf(idsBatch(n, true));
  expect(Array.from(byText.subarray(0, n))).toEqual(Array.from(byInt));
  // and the partitions are many, the emails' too
  expect(new Set(byInt).size).toBe(16);
  expect(new Set(byText.subarray(n)).size).toBeGreaterThan(8);
});

test("a node's partitions spread over its workers and its index buckets alike", () => {
  // a node owning partitions 0-7 of 16: its customers' shards (high bits) and index buckets
  // (low bits) must not be those of a few partitions
  const shards = [0, 0];
  const buckets = new Set<number>();
  let owned = 0;
  for (let id = 0; id < 200_000; id++) {
    if (partitionOf(id, 0, 16) >= 8) continue;
    owned++;
    const h = keyHash(id, 0);
    shards[shardOf(h, 2)]++;
    buckets.add(h & 255);
  }
  expect(owned).toBeGreaterThan(95_000);
  expect(owned).toBeLessThan(105_000);
  expect(Math.abs(shards[0] - shards[1]) / owned).toBeLessThan(0.02);
  expect(buckets.size).toBe(256);
});

test('messages stay under the payload limit, long ids and all', () => {
  const [batch] = randomHistory({ customers: 2000, rows: 5000, batches: 1, seed: 9, stringIds: true });
  const b = convertBatch(batch, { names: DEFAULT_COLUMNS, keepRejects: false, firstRow: 0, source: 'test' }).columns;
  const all = new Int32Array(b.numRows).map((_, i) => i);
  const limit = 16 * 1024;
  const chunks = chunksUnder(b, all, limit);
  expect(chunks.length).toBeGreaterThan(3);
  let rows = 0;
  for (const c of chunks) {
    expect(encodeRows(b, c, false).length).toBeLessThanOrEqual(limit);
    rows += c.length;
  }
  expect(rows).toBe(b.numRows);
});
