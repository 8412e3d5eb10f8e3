/** A generated order history as rows, and ways to cut it into RecordBatches (any-order and mixed-id tests). */
import type { RecordBatch } from 'apache-arrow';
import { buildOrderBatch } from '../../src/sources/batch-builder.js';
import { generateOrders } from '../../src/sources/generator/generator.js';
import { Random } from '../../src/sources/generator/random.js';

export interface Row {
  lo: number;
  hi: number;
  ts: number;
  amount: number;
  kind: number;
}

/** A generated history (refunds and visits included) as rows, in time order. */
export function history(customers = 3000, orders = 40_000): Row[] {
  const rows: Row[] = [];
  for (const b of generateOrders({ customers, orders, seed: 7, days: 500 })) {
    const id = b.getChild('customer_id')!.data[0].values as BigInt64Array;
    const words = new Int32Array(id.buffer, id.byteOffset, 2 * b.numRows);
    const ts = b.getChild('ts')!;
    const amount = b.getChild('amount')!;
    const kind = b.getChild('kind')!.data[0].values as Int8Array;
    for (let i = 0; i < b.numRows; i++) {
      rows.push({
        lo: words[2 * i],
        hi: words[2 * i + 1],
        ts: Number(ts.get(i)),
        amount: amount.get(i) as number,
        kind: kind[i],
      });
    }
  }
  return rows;
}

/**
 * The rows as one batch: integer ids, or with `text`, ids as the text it gives for a row
 * (the generator's ids are small: lo alone is the id).
 */
export function batchOf(part: Row[], text?: (r: Row) => string): RecordBatch {
  const columns = {
    numRows: part.length,
    ts: Float64Array.from(part, (r) => r.ts),
    amount: Float64Array.from(part, (r) => r.amount),
    kind: Int8Array.from(part, (r) => r.kind),
  };
  if (text) return buildOrderBatch({ ...columns, idStrings: part.map(text) });
  const words = new Int32Array(2 * part.length);
  part.forEach((r, i) => {
    words[2 * i] = r.lo;
    words[2 * i + 1] = r.hi;
  });
  return buildOrderBatch({ ...columns, idWords: words });
}

/** The rows as batches of random sizes, 1 to `most` rows. */
export function batches(rows: Row[], seed: number, most = 5000): RecordBatch[] {
  const rng = new Random(seed);
  const out: RecordBatch[] = [];
  for (let at = 0; at < rows.length; ) {
    const n = Math.min(rows.length - at, 1 + Math.floor(rng.next() * most));
    out.push(batchOf(rows.slice(at, at + n)));
    at += n;
  }
  return out;
}
