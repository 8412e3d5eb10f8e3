import { afterAll, describe, expect, test } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { Engine } from '../../../src/engine/engine.js';
import type { EngineOptions } from '../../../src/engine/engine.js';
import { randomHistory } from '../../support/random-batches.js';
import { digest } from '../../support/bytes.js';
import { RecordBatchConverter } from '../../../src/batch/record-batches.js';
import { buildReport } from '../../../src/report/report.js';
import { buildOrderBatch } from '../../../src/sources/batch-builder.js';
import { Random } from '../../../src/sources/generator/random.js';
import { ingestBatches, reportOf } from '../../support/engine.js';

const engines: Engine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

async function run(batches: RecordBatch[], o: EngineOptions) {
  const e = new Engine({ asOf: Date.UTC(2026, 0, 1), ...o });
  engines.push(e);
  await ingestBatches(e, batches);
  const exact = await reportOf(e, 'exact');
  const sketch = await reportOf(e, 'sketch');
  const rows = await e.customers('exact');
  const state = await e.serialize();
  return { exact, sketch, rows, state };
}

const cases = [
  { name: 'one customer', customers: 1, rows: 300, batches: 3, seed: 1 },
  { name: 'ties and refunds, int ids', customers: 200, rows: 5_000, batches: 4, seed: 2 },
  {
    name: 'string ids, out of order',
    customers: 500,
    rows: 8_000,
    batches: 5,
    seed: 3,
    stringIds: true,
    shuffleRate: 0.3,
  },
  { name: '10^5 customers', customers: 100_000, rows: 300_000, batches: 5, seed: 4 },
  // the WASM kernel applies a batch in parts of 65,536 rows (wasm-kernel.ts)
  {
    name: 'batches of more rows than one kernel call takes, int ids',
    customers: 20_000,
    rows: 300_000,
    batches: 2,
    seed: 6,
  },
  {
    name: 'batches of more rows than one kernel call takes, string ids',
    customers: 20_000,
    rows: 300_000,
    batches: 2,
    seed: 7,
    stringIds: true,
  },
];

describe.each(cases)('WASM kernel and plain core agree: $name', (c) => {
  test('identical state bytes, reports and customer rows', async () => {
    const batches = randomHistory(c);
    const js = await run(batches, { core: 'js', workers: 0 });
    const wasm = await run(batches, { core: 'wasm', workers: 0 });
    expect(js.exact.customers).toBeGreaterThan(0);
    expect(digest(wasm.state)).toEqual(digest(js.state));
    expect(wasm.exact).toEqual(js.exact);
    expect(wasm.sketch).toEqual(js.sketch);
    expect(digest(wasm.rows.parts)).toEqual(digest(js.rows.parts));
  });
});

describe('worker count does not change results', () => {
  test(
    'batches in flight are applied in the order given: workers report what ' + 'the in-thread engine reports',
    async () => {
      // Cadence depends on the order of a customer's orders, so a shard that applied two
      // batches out of order would report other segments. Many small batches in flight at
      // once, in time order; piscina's default queue ran them out of order.
      const batches = randomHistory({ customers: 300, rows: 12_000, batches: 24, seed: 8 });
      const inThread = await run(batches, { workers: 0 });
      for (const workers of [1, 2]) {
        const threaded = await run(batches, { workers });
        expect(threaded.exact).toEqual(inThread.exact);
        expect(threaded.sketch).toEqual(inThread.sketch);
      }
    },
  );

  test.each([true, false])('1, 2 and 4 workers give identical reports (string ids: %s)', async (stringIds) => {
    const batches = randomHistory({ customers: 3_000, rows: 40_000, batches: 6, seed: 5, stringIds });
    const one = await run(batches, { workers: 1 });
    for (const workers of [2, 4]) {
      const many = await run(batches, { workers });
      expect(many.exact).toEqual(one.exact);
      expect(many.sketch).toEqual(one.sketch);
    }
    expect(one.exact.customers).toBeGreaterThan(1_000);
  });
});

// A live engine snapshots after every few orders, committing each (the server's migration
// since the last snapshot), its as-of time the latest order's: the WASM kernel then
// classifies only the customers changed or come due (assembly/classes.ts). Through real
// worker threads, every snapshot must say what the plain core's full classification says.
test("snapshots of a live engine, classes kept between them, are the plain core's", async () => {
  const history = randomHistory({ customers: 40_000, rows: 200_000, batches: 10, seed: 9 });
  const rng = new Random(10);
  const DAY = 86_400_000;
  const live = (core: 'js' | 'wasm', workers: number): Engine => {
    const e = new Engine({ core, workers });
    engines.push(e);
    return e;
  };
  const wasm = live('wasm', 2);
  const js = live('js', 0);
  const converters = [wasm, js].map((e) => new RecordBatchConverter(e.sourceOptions()));
  const give = async (b: RecordBatch): Promise<void> => {
    await wasm.ingest(converters[0].convert(b));
    await js.ingest(converters[1].convert(b));
  };
  for (const b of history) await give(b);
  let snapshots = 0;
  for (let i = 0; i < 150; i++) {
    // a few orders of known customers, hours on: some customers' retention comes due meanwhile
    const n = 1 + Math.floor(rng.next() * 5);
    const t = wasm.watermark + Math.floor(rng.next() * 12 * 3_600_000) + (i % 25 === 0 ? 20 * DAY : 0);
    await give(
      buildOrderBatch({
        numRows: n,
        idWords: Int32Array.from({ length: 2 * n }, (_, k) =>
          k % 2 === 0 ? Math.floor(rng.next() * 40_000) * 7919 + 3 : 0,
        ),
        ts: Float64Array.from({ length: n }, () => t),
        amount: Float64Array.from({ length: n }, () => Math.round(rng.next() * 20_000) / 100),
        kind: new Int8Array(n),
      }),
    );
    // the server commits every snapshot; a report asked for between them does not
    const commit = i % 10 !== 0;
    const [w, j] = await Promise.all([wasm.snapshot('sketch', commit), js.snapshot('sketch', commit)]);
    expect(buildReport(w, wasm.model), `after batch ${i}`).toEqual(buildReport(j, js.model));
    snapshots++;
  }
  expect(snapshots).toBe(150);
});
