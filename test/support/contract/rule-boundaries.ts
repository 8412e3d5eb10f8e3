/**
 * Customers that sit exactly on each rule's boundary, and just past it, land where
 * DESIGN.md says. Cut points are chosen in the plan, so each customer's scores are set by
 * its own values: r by last order (cuts at asOf - 4, -3, -2, -1 days), f by orders
 * (2, 3, 4, 5), m by spend (100, 200, 300, 400), aov by spend per order (10, 20, 30, 40).
 */
import { expect, test } from 'vitest';
import { loadDefaultModel } from '../../../src/model/model.js';
import { DAY, HOUR, classified, feed, planOf } from '../hand-built.js';
import type { Event } from '../hand-built.js';
import type { MakeKernel } from '../kernels.js';

const model = loadDefaultModel();
const T = Date.UTC(2025, 5, 1);
const CUTS = [T - 4 * DAY, T - 3 * DAY, T - 2 * DAY, T - DAY, 2, 3, 4, 5, 100, 200, 300, 400, 10, 20, 30, 40];

/** n orders on consecutive days ending at `last`, each of `amount`. */
function orders(n: number, amount: number, last = T, gapDays = 1): Event[] {
  return Array.from({ length: n }, (_, i) => ({ ts: last - (n - 1 - i) * gapDays * DAY, amount }));
}

/** Orders on the given day offsets (days before `last`), `amount` each. */
function onDays(daysBefore: number[], amount: number, last: number): Event[] {
  return daysBefore.map((d) => ({ ts: last - d * DAY, amount }));
}

export function ruleBoundaries(make: MakeKernel): void {
  function run(customers: Event[][], extra: Partial<{ medianSpend: number; storeGapDays: number }> = {}) {
    const k = make();
    feed(k, customers);
    return classified(k, model, planOf(model, { asOf: T, cuts: CUTS, ...extra }));
  }

  test('scores count the cut points at or below the value', () => {
    const [onCut, below] = run([orders(4, 75, T - 3 * DAY), orders(3, 66.66, T - 3 * DAY - 1)]);
    expect(onCut).toMatchObject({ r: 3, f: 4, m: 4, aov: 5 });
    expect(below).toMatchObject({ r: 2, f: 3, m: 2, aov: 5 }); // 1 ms before the r cut, spend 199.98 below the 200 cut
  });

  test('Champions needs r, f and m all >= 4', () => {
    const [champion, mThree, rThree] = run([
      orders(4, 75, T - 2 * DAY), // r 4, f 4, m 4 (spend 300 on the cut)
      orders(4, 74.99, T - 2 * DAY), // m 3
      orders(4, 75, T - 2 * DAY - 1), // r 3
    ]);
    expect(champion).toMatchObject({ r: 4, f: 4, m: 4, segment: 'Champions' });
    expect(mThree).toMatchObject({ m: 3, aov: 5, segment: 'Big Spenders' });
    expect(rThree).toMatchObject({ r: 3, aov: 5, segment: 'Big Spenders' });
  });

  test('Big Spenders needs aov = 5 and at least two orders', () => {
    const [two, aovFour, one] = run([orders(2, 40), orders(2, 39.99), orders(1, 40)]);
    expect(two).toMatchObject({ aov: 5, f: 2, segment: 'Big Spenders' });
    expect(aovFour).toMatchObject({ aov: 4, segment: 'Promising' });
    expect(one).toMatchObject({ aov: 5, f: 1, segment: 'New Customers' });
  });

  test('Loyalists: gap CV exactly 0.75 is in, just above is out', () => {
    // gaps 1 and 7 days: mean 4, sd 3, cv 0.75; gaps 1 and 8: cv 0.78
    const [onBoundary, above, twoDays] = run([
      onDays([8, 7, 0], 15, T - DAY),
      onDays([9, 8, 0], 15, T - DAY),
      onDays([1, 0, 0], 15, T - DAY),
    ]);
    expect(onBoundary).toMatchObject({ f: 3, aov: 2, retention: 'Active', segment: 'Loyalists' });
    expect(above).toMatchObject({ f: 3, aov: 2, retention: 'Active', segment: 'Promising' });
    expect(twoDays).toMatchObject({ f: 3, segment: 'Promising' });
  });

  test('Low Value needs aov <= 2 and f <= 2', () => {
    const [both, aovThree, fThree, oneSmall, oneLarger] = run([
      onDays([0, 0], 19.99, T), // aov 2, f 2
      onDays([0, 0], 20, T), // aov 3
      onDays([0, 0, 0], 19.99, T), // f 3, one purchase day
      orders(1, 5),
      orders(1, 25),
    ]);
    expect(both).toMatchObject({ aov: 2, f: 2, segment: 'Low Value' });
    expect(aovThree).toMatchObject({ aov: 3, segment: 'Promising' });
    expect(fThree).toMatchObject({ f: 3, segment: 'Promising' });
    expect(oneSmall).toMatchObject({ segment: 'Low Value' });
    expect(oneLarger).toMatchObject({ aov: 3, segment: 'New Customers' });
  });

  test('retention: ratio exactly 1, 2 and 4 stays in the lower state', () => {
    // purchase days 10 apart: expected gap 10 days
    const last = (recency: number) => T - recency;
    const [active, drifting, drifting2, churn, churn4, lost] = run([
      onDays([20, 10, 0], 1, last(10 * DAY)),
      onDays([20, 10, 0], 1, last(10 * DAY + HOUR)),
      onDays([20, 10, 0], 1, last(20 * DAY)),
      onDays([20, 10, 0], 1, last(20 * DAY + HOUR)),
      onDays([20, 10, 0], 1, last(40 * DAY)),
      onDays([20, 10, 0], 1, last(40 * DAY + HOUR)),
    ]);
    expect([active, drifting, drifting2, churn, churn4, lost].map((c) => c.retention)).toEqual([
      'Active',
      'Drifting',
      'Drifting',
      'Churn-risk',
      'Churn-risk',
      'Lost',
    ]);
  });

  test("one-time buyers are measured against the store's gap", () => {
    const [onGap, past] = run([orders(1, 30, T - 15 * DAY), orders(1, 30, T - 15 * DAY - HOUR)], { storeGapDays: 15 });
    expect(onGap.retention).toBe('Active');
    expect(past.retention).toBe('Drifting');
  });

  test(
    'Lost first: rules re-run with r = 5, Core becomes Lost Core, ' +
      'Potential Core Lost Potential Core, Low Value stays',
    () => {
      const old = T - 400 * DAY;
      const [core, potential, low, loyal] = run([
        orders(4, 100, old), // f 4, m 4 (spend 400 -> 5): Champions with r = 5
        orders(1, 25, old), // New Customers
        orders(1, 5, old), // Low Value
        onDays([8, 7, 0], 15, old), // Loyalists
      ]);
      expect(core).toMatchObject({ r: 1, retention: 'Lost', segment: 'Lost Core' });
      expect(potential).toMatchObject({ retention: 'Lost', segment: 'Lost Potential Core' });
      expect(low).toMatchObject({ retention: 'Lost', segment: 'Low Value' });
      expect(loyal).toMatchObject({ retention: 'Lost', segment: 'Lost Core' });
    },
  );
}
