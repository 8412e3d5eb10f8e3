/**
 * The same orders give the same segments in any arrival order: time order, reversed,
 * shuffled, split into random batches, through 1, 2 and 4 workers, on both kernels, ranked
 * exactly and by sketches: identical reports and customer lists. Before purchase-day lists,
 * a late order on a new day inside a customer's span was not counted as a purchase day, and
 * a shuffled history gave other cadences, retention and segments.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import type { CoreName } from '../../src/engine/shard-host.js';
import { writeCustomersCsv } from '../../src/report/customers-csv.js';
import { buildOrderBatch } from '../../src/sources/batch-builder.js';
import { generateOrders } from '../../src/sources/generator.js';
import { Random } from '../../src/sources/random.js';
import { ingestBatches, reportOf } from '../support/engine.js';
import { shuffled } from '../support/shuffle.js';

interface Row {
  lo: number;
  hi: number;
  ts: number;
  amount: number;
  kind: number;
}

/** A generated history (refunds and visits included) as rows, in time order. */
function history(): Row[] {
  const rows: Row[] = [];
  for (const b of generateOrders({ customers: 3000, orders: 40_000, seed: 7, days: 500 })) {
    const id = b.getChild('customer_id')!.data[0].values as BigInt64Array;
    const words = new Int32Array(id.buffer, id.byteOffset, 2 * b.numRows);
    const ts = b.getChild('ts')!;
    const amount = b.getChild('amount')!;
    const kind = b.getChild('kind')!.data[0].values as Int8Array;
    for (let i = 0; i < b.numRows; i++) {
      rows.push({ lo: words[2 * i], hi: words[2 * i + 1], ts: Number(ts.get(i)), amount: amount.get(i) as number, kind: kind[i] });
    }
  }
  return rows;
}

function batchOf(part: Row[]): RecordBatch {
  const words = new Int32Array(2 * part.length);
  part.forEach((r, i) => {
    words[2 * i] = r.lo;
    words[2 * i + 1] = r.hi;
  });
  return buildOrderBatch({
    numRows: part.length, idWords: words, ts: Float64Array.from(part, (r) => r.ts),
    amount: Float64Array.from(part, (r) => r.amount), kind: Int8Array.from(part, (r) => r.kind),
  });
}

/** The rows as batches of random sizes, 1 to `most` rows. */
function batches(rows: Row[], seed: number, most = 5000): RecordBatch[] {
  const rng = new Random(seed);
  const out: RecordBatch[] = [];
  for (let at = 0; at < rows.length; ) {
    const n = Math.min(rows.length - at, 1 + Math.floor(rng.next() * most));
    out.push(batchOf(rows.slice(at, at + n)));
    at += n;
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'rfm-any-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Both reports and the customer list (its lines sorted: slots follow arrival order). */
async function outcome(input: RecordBatch[], core: CoreName, workers: number): Promise<{ exact: unknown; sketch: unknown; customers: string[] }> {
  const engine = new Engine({ core, workers, asOf: Date.UTC(2026, 0, 1) });
  try {
    await ingestBatches(engine, input);
    const exact = await reportOf(engine, 'exact');
    const sketch = await reportOf(engine, 'sketch');
    const file = join(dir, `customers-${files++}.csv`);
    await writeCustomersCsv(file, await engine.customers('exact'));
    return { exact, sketch, customers: readFileSync(file, 'utf8').trim().split('\n').sort() };
  } finally {
    await engine.close();
  }
}

describe('the same orders in any arrival order', () => {
  const rows = history();
  const orders: [string, RecordBatch[]][] = [
    ['time order, one batch', [batchOf(rows)]],
    ['reversed', batches(rows.slice().reverse(), 1)],
    ['shuffled (seed 2)', batches(shuffled(rows, 2), 2)],
    ['shuffled (seed 3)', batches(shuffled(rows, 3), 3)],
    ['shuffled (seed 4), the first 2,000 rows in batches of 1 to 3', [...batches(shuffled(rows, 4).slice(0, 2000), 4, 3), ...batches(shuffled(rows, 4).slice(2000), 5)]],
  ];
  let want: Awaited<ReturnType<typeof outcome>>;
  beforeAll(async () => {
    want = await outcome(orders[0][1], 'js', 0);
  });

  test('the shuffles have late orders to place, and the baseline every customer', () => {
    // a shuffle has thousands of late orders on a new day strictly inside the customer's span
    const seen = new Map<string, number[]>();
    let late = 0;
    for (const r of shuffled(rows, 2)) {
      if (r.kind !== 0 || r.amount < 0) continue;
      const key = `${r.lo}:${r.hi}`;
      const day = Math.floor(r.ts / 86_400_000);
      const days = seen.get(key) ?? [];
      if (days.length >= 2 && day > Math.min(...days) && day < Math.max(...days) && !days.includes(day)) late++;
      days.push(day);
      seen.set(key, days);
    }
    expect(late).toBeGreaterThan(1000);
    expect((want.exact as { customers: number }).customers).toBe(3000);
  });

  test.each(orders.flatMap(([name, input]) => (['js', 'wasm'] as const).flatMap((core) => [1, 2, 4].map((workers) => [name, core, workers, input] as const))))(
    '%s, %s kernel, %i workers: the same reports and customers',
    async (_name, core, workers, input) => {
      const got = await outcome(input, core, workers);
      expect(got.exact).toEqual(want.exact);
      expect(got.sketch).toEqual(want.sketch);
      expect(got.customers).toEqual(want.customers);
    },
  );
});
