/**
 * Customer ids as a Utf8 dictionary: a stream may send the dictionary in parts (a delta
 * dictionary batch adds entries, and apache-arrow keeps them as chunks, indices running over
 * all of them). The converter read only the first chunk: every row whose id was in a delta
 * was rejected as having no customer. And an index past the dictionary (dictionaries out of
 * order) passed one check and not the other: its bytes were copied past the batch's id
 * column and the kernel read out of bounds (the fuzz in hostile-ingest.test.ts found it).
 */
import {
  Dictionary,
  Float64,
  Int32,
  Table,
  TimestampMillisecond,
  Utf8,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { expect, test } from 'vitest';
import { RecordBatchConverter } from '../../../src/batch/record-batches.js';
import { BufferPool } from '../../../src/batch/buffer-pool.js';
import { DEFAULT_COLUMNS } from '../../../src/batch/schema.js';
import { columnBatchOver } from '../../../src/batch/column-batch.js';

const T0 = Date.UTC(2025, 0, 1);

/** ids as a dictionary of two chunks (a base and a delta) and indices into both. */
function deltaTable(): { table: Table; ids: string[] } {
  const base = vectorFromArray(['alice', 'bob'], new Utf8());
  const delta = vectorFromArray(['carol', 'dave', 'erin'], new Utf8());
  const dictionary = base.concat(delta);
  const indices = Int32Array.of(0, 2, 4, 1, 3, 2);
  const type = new Dictionary(new Utf8(), new Int32(), 0);
  const customer_id = makeVector(makeData({ type, length: indices.length, data: indices, dictionary }));
  const n = indices.length;
  const table = new Table({
    customer_id,
    ts: vectorFromArray(
      Array.from({ length: n }, (_, i) => T0 + i * 60_000),
      new TimestampMillisecond(),
    ),
    amount: vectorFromArray(
      Array.from({ length: n }, (_, i) => 10 + i),
      new Float64(),
    ),
  });
  return { table, ids: Array.from(indices, (j) => ['alice', 'bob', 'carol', 'dave', 'erin'][j]) };
}

test("ids from a dictionary sent as a base and a delta are every row's own", () => {
  const { table, ids } = deltaTable();
  // through the IPC stream as written (a dictionary batch, then a delta), read back
  const read = tableFromIPC(tableToIPC(table, 'stream'));
  expect(read.getChild('customer_id')!.data[0].dictionary!.data.length).toBe(2);
  const pool = new BufferPool(false);
  const converter = new RecordBatchConverter(
    { names: DEFAULT_COLUMNS, numShards: 1, recycleFrom: pool, keepRejects: false, limits: {} },
    'delta',
  );
  const c = converter.convert(read.batches[0]);
  expect({ orders: c.orders, rejected: c.rejected }).toEqual({ orders: ids.length, rejected: 0 });
  const b = columnBatchOver(c.parts[0].buffer, c.parts[0].shape);
  const text = new TextDecoder();
  expect(ids.map((_, i) => text.decode(b.idBytes!.subarray(b.idOffsets![i], b.idOffsets![i + 1])))).toEqual(ids);
});
