/**
 * Revenue concentration: share of revenue of the top 1 / 10 / 20 % of customers by spend,
 * and the Gini coefficient. Both read groups of customers of equal spend in ascending order,
 * so the exact mode (one group per distinct value) and the sketch mode (one group per spend
 * bucket, its customers taken as equal) share the formulas.
 */
export interface Concentration {
  top1: number;
  top10: number;
  top20: number;
  gini: number;
}

/** Groups in ascending order: count(i) customers whose spend sums to sum(i). */
export function concentrationOfGroups(
  numGroups: number,
  count: (i: number) => number,
  sum: (i: number) => number,
): Concentration {
  let n = 0;
  let total = 0;
  for (let i = 0; i < numGroups; i++) {
    n += count(i);
    total += sum(i);
  }
  if (n === 0 || total === 0) return { top1: 0, top10: 0, top20: 0, gini: 0 };
  // Gini = sum over customers in ascending order of (2i - n - 1) x_i / (n * total), i = 1..n
  let weighted = 0;
  let before = 0;
  for (let i = 0; i < numGroups; i++) {
    const c = count(i);
    if (c === 0) continue;
    const mean = sum(i) / c;
    weighted += mean * (c * (2 * before + c + 1) - c * (n + 1));
    before += c;
  }
  const topShare = (percent: number): number => {
    let want = Math.ceil((n * percent) / 100);
    let got = 0;
    for (let i = numGroups - 1; i >= 0 && want > 0; i--) {
      const c = count(i);
      if (c === 0) continue;
      const take = Math.min(c, want);
      got += take === c ? sum(i) : (sum(i) * take) / c;
      want -= take;
    }
    return got / total;
  };
  return { top1: topShare(1), top10: topShare(10), top20: topShare(20), gini: weighted / (n * total) };
}

/** Exact concentration of ascending spend values. */
export function concentrationOfSorted(sorted: Float64Array): Concentration {
  return concentrationOfGroups(
    sorted.length,
    () => 1,
    (i) => sorted[i],
  );
}

/**
 * The Lorenz curve at points + 1 evenly spaced customer shares 0, 1/points, ..., 1: the share
 * of revenue of the lowest-spending share of customers. Groups as in concentrationOfGroups;
 * within a group, customers count as equal.
 */
export function lorenzOfGroups(
  numGroups: number,
  count: (i: number) => number,
  sum: (i: number) => number,
  points = 20,
): number[] {
  let n = 0;
  let total = 0;
  for (let i = 0; i < numGroups; i++) {
    n += count(i);
    total += sum(i);
  }
  const curve = [0];
  if (n === 0 || total === 0) return Array.from({ length: points + 1 }, (_, k) => k / points);
  let g = 0;
  let before = 0;
  let cumulative = 0;
  for (let k = 1; k <= points; k++) {
    const want = (n * k) / points;
    while (g < numGroups && before + count(g) <= want) {
      before += count(g);
      cumulative += sum(g);
      g++;
    }
    const partial = g < numGroups && count(g) > 0 ? (sum(g) * (want - before)) / count(g) : 0;
    curve.push((cumulative + partial) / total);
  }
  return curve;
}
