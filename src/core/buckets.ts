/**
 * Bucket maps of the percentile sketches, shared by the plain core, the coordinator
 * and (bit for bit) assembly/buckets.ts.
 *
 * Money (spend, AOV) and mean gaps use log-linear buckets: each power of two is cut
 * into 2^subBits equal parts, read straight from the float's exponent and top mantissa
 * bits. That bounds the relative error like DDSketch's log mapping (half a bucket:
 * 2^-(subBits+1), 0.39 % for the default 7 bits against the 0.5 % asked for) but needs
 * no Math.log, whose last bit differs between V8 and AssemblyScript's libm, so the
 * WASM kernel and the plain core put every value in the same bucket.
 */

import * as abi from '../abi/abi.js';

// The ABI's numbers as this module's own constants: V8 folds those into the code, not
// imported bindings (measured on the plain core's ingest: 15.9 -> 18.7 M rows/s).
const { DAY_BUCKETS, MONEY_EXP_MAX, MONEY_EXP_MIN, ORDERS_LINEAR, ORDERS_SUB_BITS } = abi;

// The bucket constants (the smallest and largest binary exponent with money buckets of their
// own, the linear part of the orders buckets, the days of the last-day sketch) are the ABI's.
export { DAY_BUCKETS, DAY_MS, MONEY_EXP_MAX, MONEY_EXP_MIN, ORDERS_BUCKETS, ORDERS_LINEAR } from '../abi/abi.js';

/** log2 of ORDERS_LINEAR: the first exponent with log-linear buckets. */
const LINEAR_BITS = 31 - Math.clz32(ORDERS_LINEAR);
const ORDERS_SUB = 1 << ORDERS_SUB_BITS;

/** Sub-bucket bits that meet a relative accuracy (0.005 = 0.5 %). */
export function subBitsFor(relativeAccuracy: number): number {
  if (!(relativeAccuracy > 0 && relativeAccuracy < 0.5)) {
    throw new RangeError(`relative accuracy must be in (0, 0.5), got ${relativeAccuracy}`);
  }
  // half a bucket, 2^-(bits+1), must not exceed the accuracy asked for
  return Math.max(1, Math.ceil(-Math.log2(relativeAccuracy)) - 1);
}

/** Buckets on one side of zero. */
export function moneySideBuckets(subBits: number): number {
  return (MONEY_EXP_MAX - MONEY_EXP_MIN) << subBits;
}

/** Total money buckets: negative side (mirrored), zero, positive side. */
export function moneyBuckets(subBits: number): number {
  return 2 * moneySideBuckets(subBits) + 1;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function sideIndex(x: number, subBits: number, side: number): number {
  f64[0] = x;
  const hi = u32[1];
  const exp = ((hi >>> 20) & 0x7ff) - 1023;
  if (exp < MONEY_EXP_MIN) return 0;
  if (exp >= MONEY_EXP_MAX) return side - 1;
  return ((exp - MONEY_EXP_MIN) << subBits) | ((hi >>> (20 - subBits)) & ((1 << subBits) - 1));
}

/** Bucket of a money value (or mean gap); sorts like the values (lower value, lower index). */
export function moneyBucket(x: number, subBits: number): number {
  const side = moneySideBuckets(subBits);
  if (x > 0) return side + 1 + sideIndex(x, subBits, side);
  if (x < 0) return side - 1 - sideIndex(-x, subBits, side);
  return side;
}

/** Lower and upper bound of a positive-side bucket, as [lo, hi). */
function sideBounds(index: number, subBits: number): [number, number] {
  const exp = (index >>> subBits) + MONEY_EXP_MIN;
  const sub = index & ((1 << subBits) - 1);
  const base = Math.pow(2, exp);
  const step = base / (1 << subBits);
  return [base + sub * step, base + (sub + 1) * step];
}

/** A value that stands for a money bucket: its midpoint (0 for the zero bucket). */
export function moneyBucketValue(index: number, subBits: number): number {
  const side = moneySideBuckets(subBits);
  if (index === side) return 0;
  const [lo, hi] = index > side ? sideBounds(index - side - 1, subBits) : sideBounds(side - 1 - index, subBits);
  const mid = (lo + hi) / 2;
  return index > side ? mid : -mid;
}

/** Smallest value that falls in a money bucket (what a cut point means in value terms). */
export function moneyBucketLowerBound(index: number, subBits: number): number {
  const side = moneySideBuckets(subBits);
  if (index === side) return 0;
  if (index > side) return sideBounds(index - side - 1, subBits)[0];
  return -sideBounds(side - 1 - index, subBits)[1];
}

/** Bucket of an order count (n >= 1). */
export function ordersBucket(n: number): number {
  if (n < ORDERS_LINEAR) return n;
  const e = 31 - Math.clz32(n);
  return ORDERS_LINEAR + ((e - LINEAR_BITS) << ORDERS_SUB_BITS) + ((n >>> (e - ORDERS_SUB_BITS)) & (ORDERS_SUB - 1));
}

/** Smallest order count in a bucket. */
export function ordersBucketLowerBound(index: number): number {
  if (index < ORDERS_LINEAR) return index;
  const e = ((index - ORDERS_LINEAR) >>> ORDERS_SUB_BITS) + LINEAR_BITS;
  const sub = (index - ORDERS_LINEAR) & (ORDERS_SUB - 1);
  return (ORDERS_SUB + sub) * Math.pow(2, e - ORDERS_SUB_BITS);
}

/** The day bucket of a UTC day number, clamped to the sketch's range. */
export function dayIndexBucket(d: number): number {
  return d < 0 ? 0 : d >= DAY_BUCKETS ? DAY_BUCKETS - 1 : d;
}
