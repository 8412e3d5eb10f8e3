// A snapshot's totals: customers and cents by segment and retention state, audience
// counts, the migration matrix and cents by spend bucket (layout: totalsLayout in
// src/core/plan.ts). The plain core's twin: src/core/totals.ts.
//
// The totals are counted in integers while customers are classified (counts i32, cents
// i64) and go into `totals` once at the end. Adding to a float in memory for every customer
// made each total a chain of 4-cycle adds through store forwarding; the sums are the same
// (whole cents, exact in a double below 2^53).
import { NO_SEGMENT, T_CUSTOMERS, T_PER_RETENTION, T_PER_SEGMENT, T_PROSPECTS, T_SEGMENTS, T_UNMATCHED } from './abi';
import { moneyBuckets } from './buckets';
import { bits, numAudiences, numRetention, numSegments } from './plan';
import { segmentOf, setSegment } from './records';

export let totals = new StaticArray<f64>(0);
let totalsLen: i32 = 0;
let retAt: i32 = 0;
let audAt: i32 = 0;
let migAt: i32 = 0;
let centsAt: i32 = 0;

let prospects: i32 = 0;
/** Customers with an order by segment; the last, numSegments, is none. */
let segCount = new StaticArray<i32>(0);
let segCents = new StaticArray<i64>(0);
let retCount = new StaticArray<i32>(0);
let retCents = new StaticArray<i64>(0);
/** migCount[prev * (S + 1) + seg], prev S: none before. */
let migCount = new StaticArray<i32>(0);
let bucketCents = new StaticArray<i64>(0);
let audCount = new StaticArray<i32>(0);

/** Zero counts for the decoded plan's segments, retention states and audiences. Per snapshot. */
export function startTotals(): void {
  const S = numSegments;
  retAt = T_SEGMENTS + T_PER_SEGMENT * S;
  audAt = retAt + T_PER_RETENTION * numRetention;
  migAt = audAt + numAudiences;
  centsAt = migAt + (S + 1) * (S + 1);
  const buckets = moneyBuckets(bits);
  totalsLen = centsAt + buckets;
  totals = new StaticArray<f64>(totalsLen);
  prospects = 0;
  segCount = new StaticArray<i32>(S + 1);
  segCents = new StaticArray<i64>(S + 1);
  retCount = new StaticArray<i32>(numRetention);
  retCents = new StaticArray<i64>(numRetention);
  migCount = new StaticArray<i32>((S + 1) * (S + 1));
  bucketCents = new StaticArray<i64>(buckets);
  audCount = new StaticArray<i32>(numAudiences);
}

/** The counts into `totals`; returns their length. */
export function endTotals(): i32 {
  const S = numSegments;
  let customers: i32 = 0;
  for (let k = 0; k <= S; k++) customers += unchecked(segCount[k]);
  unchecked((totals[T_CUSTOMERS] = <f64>customers));
  unchecked((totals[T_UNMATCHED] = <f64>unchecked(segCount[S])));
  unchecked((totals[T_PROSPECTS] = <f64>prospects));
  for (let k = 0; k < S; k++) {
    unchecked((totals[T_SEGMENTS + T_PER_SEGMENT * k] = <f64>unchecked(segCount[k])));
    unchecked((totals[T_SEGMENTS + T_PER_SEGMENT * k + 1] = <f64>unchecked(segCents[k])));
  }
  for (let k = 0; k < numRetention; k++) {
    unchecked((totals[retAt + T_PER_RETENTION * k] = <f64>unchecked(retCount[k])));
    unchecked((totals[retAt + T_PER_RETENTION * k + 1] = <f64>unchecked(retCents[k])));
  }
  for (let a = 0; a < numAudiences; a++) unchecked((totals[audAt + a] = <f64>unchecked(audCount[a])));
  for (let c = 0; c < (S + 1) * (S + 1); c++) unchecked((totals[migAt + c] = <f64>unchecked(migCount[c])));
  for (let b = 0; b < bucketCents.length; b++) unchecked((totals[centsAt + b] = <f64>unchecked(bucketCents[b])));
  return totalsLen;
}

/** A customer with engagements and no order. */
// @ts-ignore: decorator
@inline
export function addProspect(): void {
  prospects++;
}

/** n more customers in audience a. */
// @ts-ignore: decorator
@inline
export function addAudience(a: i32, n: i32): void {
  unchecked((audCount[a] += n));
}

/**
 * A customer with orders into the counts: in segment seg (numSegments: none), retention state
 * ret. Returns its segment at the last commit (numSegments: none), the row of the migration.
 */
// @ts-ignore: decorator
@inline
export function addCustomer(s: i32, seg: i32, ret: i32, spend: f64, spendBucket: i32, commit: bool): i32 {
  const cents = <i64>Math.round(spend * 100);
  unchecked((segCount[seg] += 1));
  unchecked((segCents[seg] += cents));
  unchecked((retCount[ret] += 1));
  unchecked((retCents[ret] += cents));
  const p = segmentOf(s);
  const prev: i32 = p == NO_SEGMENT ? numSegments : <i32>p;
  unchecked((migCount[prev * (numSegments + 1) + seg] += 1));
  unchecked((bucketCents[spendBucket] += cents));
  if (commit) setSegment(s, <u8>seg);
  return prev;
}

// Taking a customer back out, for the classes kept between snapshots (classes.ts): the
// counts are sums of integers, so what went in comes out exactly.

/** A customer counted by addCustomer (with these values then) out of the counts. */
export function removeCustomer(seg: i32, ret: i32, prev: i32, cents: i64, spendBucket: i32): void {
  unchecked((segCount[seg] -= 1));
  unchecked((segCents[seg] -= cents));
  unchecked((retCount[ret] -= 1));
  unchecked((retCents[ret] -= cents));
  unchecked((migCount[prev * (numSegments + 1) + seg] -= 1));
  unchecked((bucketCents[spendBucket] -= cents));
}

export function removeProspect(): void {
  prospects--;
}

/** After a commit every customer's last segment is its segment now: the migration is the diagonal. */
export function rebaseMigration(): void {
  const S = numSegments;
  migCount.fill(0);
  for (let k = 0; k <= S; k++) unchecked((migCount[k * (S + 1) + k] = unchecked(segCount[k])));
}
