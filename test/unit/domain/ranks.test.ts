import { describe, expect, test } from 'vitest';
import { concentrationOfGroups, concentrationOfSorted, lorenzOfGroups } from '../../../src/domain/concentration.js';
import { cutsFromHistogram, cutsFromSorted, medianOfHistogram, medianOfSorted } from '../../../src/domain/ranks.js';

/** Scores of sorted values under the cuts: 1 + cuts at or below. */
function scores(values: number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  const cuts = new Float64Array(4);
  cutsFromSorted(sorted, cuts, 0);
  return values.map((v) => 1 + [...cuts].filter((c) => v >= c).length);
}

describe('mid-rank scores', () => {
  test.each([
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], want: [1, 1, 2, 2, 3, 3, 4, 4, 5, 5] },
    // value 2: below 1, equal 2 -> p = 2/10 exactly 1/5 -> score 2
    { values: [1, 2, 2, 3, 4, 5, 6, 7, 8, 9], want: [1, 2, 2, 2, 3, 3, 4, 4, 5, 5] },
    { values: [1, 2, 3, 4, 5], want: [1, 2, 3, 4, 5] },
    // all equal: p = 1/2 -> 3
    { values: [7, 7, 7, 7], want: [3, 3, 3, 3] },
    // the top value held by half the customers never reaches p >= 4/5
    { values: [1, 2, 9, 9, 9, 9], want: [1, 2, 4, 4, 4, 4] },
    { values: [42], want: [3] },
  ])('$values score $want', ({ values, want }) => {
    expect(scores(values)).toEqual(want);
  });

  test('a histogram gives the same cuts, in bucket terms, as sorted values', () => {
    const values = [0, 1, 1, 2, 3, 3, 3, 5, 8, 8, 9, 9, 9, 9];
    const counts = new Uint32Array(10);
    for (const v of values) counts[v]++;
    const a = new Float64Array(4);
    const b = new Float64Array(4);
    cutsFromSorted(Float64Array.from(values), a, 0);
    cutsFromHistogram(counts, b, 0);
    expect([...b]).toEqual([...a]);
  });
});

describe('medians', () => {
  test('the mean of the two middle values when the count is even', () => {
    expect(medianOfSorted(Float64Array.from([1, 2, 10, 20]))).toBe(6);
    expect(medianOfSorted(Float64Array.from([1, 2, 10]))).toBe(2);
    expect(medianOfSorted(new Float64Array(0))).toBeNaN();
    const counts = Uint32Array.from([0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1]);
    expect(medianOfHistogram(counts, (b) => b)).toBe(6);
  });
});

describe('revenue concentration', () => {
  test('equal spend: no concentration', () => {
    const c = concentrationOfSorted(Float64Array.from({ length: 100 }, () => 10));
    expect(c.gini).toBeCloseTo(0, 12);
    expect(c.top1).toBeCloseTo(0.01, 12);
    expect(c.top10).toBeCloseTo(0.1, 12);
    expect(c.top20).toBeCloseTo(0.2, 12);
  });

  test('one customer holds all revenue: Gini (n - 1) / n', () => {
    const spend = new Float64Array(100);
    spend[99] = 1000;
    const c = concentrationOfSorted(spend);
    expect(c.gini).toBeCloseTo(0.99, 12);
    expect(c.top1).toBe(1);
  });

  test('groups of equal customers give the same answer as the customers one by one', () => {
    const values = [1, 1, 1, 2, 2, 5, 5, 5, 5, 40];
    const one = concentrationOfSorted(Float64Array.from(values));
    const groups = [
      [1, 3],
      [2, 2],
      [5, 4],
      [40, 1],
    ];
    const grouped = concentrationOfGroups(
      groups.length,
      (i) => groups[i][1],
      (i) => groups[i][0] * groups[i][1],
    );
    expect(grouped.gini).toBeCloseTo(one.gini, 12);
    expect(grouped.top10).toBeCloseTo(one.top10, 12);
    expect(grouped.top20).toBeCloseTo(one.top20, 12);
  });
});

describe('the Lorenz curve', () => {
  test('equal spend lies on the diagonal', () => {
    const curve = lorenzOfGroups(
      1,
      () => 100,
      () => 1000,
      4,
    );
    expect(curve).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  test('reads the share of revenue of the lowest-spending share of customers', () => {
    // 4 customers spending 1, 1, 2, 6: the lowest half brings 2 of 10
    const groups = [
      [1, 2],
      [2, 1],
      [6, 1],
    ];
    const curve = lorenzOfGroups(
      3,
      (i) => groups[i][1],
      (i) => groups[i][0] * groups[i][1],
      4,
    );
    expect(curve.map((x) => Math.round(x * 1000) / 1000)).toEqual([0, 0.1, 0.2, 0.4, 1]);
  });
});
