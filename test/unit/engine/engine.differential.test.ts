import { afterAll, describe, expect, test } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { Engine } from '../../../src/engine/engine.js';
import type { EngineOptions } from '../../../src/engine/engine.js';
import { randomHistory } from '../../support/random-batches.js';
import { digest } from '../../support/bytes.js';
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
