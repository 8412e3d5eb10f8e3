/**
 * Score cut points by mid-rank percentile (DESIGN.md, Scores):
 *   p = (below + equal / 2) / N,  score = min(5, 1 + floor(5 p)).
 * Cut k (k = 1..4) is the smallest value whose p >= k/5, decided in integers as
 * 5 (2 below + equal) >= 2 k N, so a value exactly on a fifth lands the same everywhere.
 * A customer's score is then 1 + the number of cuts at or below its value; equal values
 * always get equal scores. A cut no value reaches is +Infinity.
 */

/** Cuts from runs of equal values in ascending order: value(i), count(i) for i < numRuns. */
function cutsFromRuns(
  numRuns: number,
  value: (i: number) => number,
  count: (i: number) => number,
  total: number,
  out: Float64Array,
  at: number,
): void {
  let k = 1;
  let below = 0;
  for (let i = 0; i < numRuns && k <= 4; i++) {
    const equal = count(i);
    if (equal === 0) continue;
    while (k <= 4 && 5 * (2 * below + equal) >= 2 * k * total) {
      out[at + k - 1] = value(i);
      k++;
    }
    below += equal;
  }
  for (; k <= 4; k++) out[at + k - 1] = Infinity;
}

/** Cuts of a sorted (ascending) array of values, written into out[at..at+4). */
export function cutsFromSorted(sorted: Float64Array, out: Float64Array, at: number): void {
  const runStart: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) runStart.push(i);
  runStart.push(sorted.length);
  cutsFromRuns(
    runStart.length - 1,
    (i) => sorted[runStart[i]],
    (i) => runStart[i + 1] - runStart[i],
    sorted.length,
    out,
    at,
  );
}

/** Cuts of a histogram, as bucket indices, written into out[at..at+4). */
export function cutsFromHistogram(counts: Uint32Array, out: Float64Array, at: number): void {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  cutsFromRuns(
    counts.length,
    (i) => i,
    (i) => counts[i],
    total,
    out,
    at,
  );
}

/** Median of sorted values: the mean of the two middle ones when the count is even; NaN if none. */
export function medianOfSorted(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** Median of a histogram, each bucket standing for valueAt(bucket); NaN if empty. */
export function medianOfHistogram(counts: Uint32Array, valueAt: (bucket: number) => number): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  if (total === 0) return NaN;
  const lowRank = Math.floor((total - 1) / 2);
  const highRank = Math.floor(total / 2);
  let seen = 0;
  let low = NaN;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    const next = seen + counts[i];
    if (Number.isNaN(low) && lowRank < next) low = valueAt(i);
    if (highRank < next) return (low + valueAt(i)) / 2;
    seen = next;
  }
  return low;
}

/** Adds histogram b into a (shards merge by adding counts). */
export function mergeInto(a: Uint32Array, b: Uint32Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}
