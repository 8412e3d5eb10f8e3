/**
 * The same orders give the same segments in any arrival order: time order, reversed,
 * shuffled, split into random batches, through 1, 2 and 4 workers, on both kernels, ranked
 * exactly and by sketches: identical reports and customer lists. Before purchase-day lists,
 * a late order on a new day inside a customer's span was not counted as a purchase day, and
 * a shuffled history gave other cadences, retention and segments.
 */
import type { RecordBatch } from 'apache-arrow';
import { beforeAll, describe, expect, test } from 'vitest';
import { batchOf, batches, history } from '../../support/history.js';
import { outcome } from '../../support/outcome.js';
import type { Outcome } from '../../support/outcome.js';
import { shuffled } from '../../support/shuffle.js';

describe('the same orders in any arrival order', () => {
  const rows = history();
  const orders: [string, RecordBatch[]][] = [
    ['time order, one batch', [batchOf(rows)]],
    ['reversed', batches(rows.slice().reverse(), 1)],
    ['shuffled (seed 2)', batches(shuffled(rows, 2), 2)],
    ['shuffled (seed 3)', batches(shuffled(rows, 3), 3)],
    [
      'shuffled (seed 4), the first 2,000 rows in batches of 1 to 3',
      [...batches(shuffled(rows, 4).slice(0, 2000), 4, 3), ...batches(shuffled(rows, 4).slice(2000), 5)],
    ],
  ];
  let want: Outcome;
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

  test.each(
    orders.flatMap(([name, input]) =>
      (['js', 'wasm'] as const).flatMap((core) => [1, 2, 4].map((workers) => [name, core, workers, input] as const)),
    ),
  )('%s, %s kernel, %i workers: the same reports and customers', async (_name, core, workers, input) => {
    const got = await outcome(input, core, workers);
    expect(got.exact).toEqual(want.exact);
    expect(got.sketch).toEqual(want.sketch);
    expect(got.customers).toEqual(want.customers);
  });
});
