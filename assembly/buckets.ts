// Bucket maps of the sketches, bit-identical to src/core/buckets.ts (see the reasoning there).

import { DAY_BUCKETS, MONEY_EXP_MAX, MONEY_EXP_MIN, ORDERS_LINEAR, ORDERS_SUB_BITS } from './abi';

// @ts-ignore: decorator
@inline
export function moneySideBuckets(subBits: i32): i32 {
  return (MONEY_EXP_MAX - MONEY_EXP_MIN) << subBits;
}

export function moneyBuckets(subBits: i32): i32 {
  return 2 * moneySideBuckets(subBits) + 1;
}

// @ts-ignore: decorator
@inline
function sideIndex(x: f64, subBits: i32, side: i32): i32 {
  const hi = <i32>(reinterpret<u64>(x) >>> 32);
  const exp = ((hi >>> 20) & 0x7ff) - 1023;
  if (exp < MONEY_EXP_MIN) return 0;
  if (exp >= MONEY_EXP_MAX) return side - 1;
  return ((exp - MONEY_EXP_MIN) << subBits) | ((hi >>> (20 - subBits)) & ((1 << subBits) - 1));
}

// @ts-ignore: decorator
@inline
export function moneyBucket(x: f64, subBits: i32): i32 {
  const side = moneySideBuckets(subBits);
  if (x > 0) return side + 1 + sideIndex(x, subBits, side);
  if (x < 0) return side - 1 - sideIndex(-x, subBits, side);
  return side;
}

/** log2 of ORDERS_LINEAR: the first exponent with log-linear buckets. */
const LINEAR_BITS: i32 = 31 - clz<i32>(ORDERS_LINEAR);

// @ts-ignore: decorator
@inline
export function ordersBucket(n: i32): i32 {
  if (n < ORDERS_LINEAR) return n;
  const e = 31 - clz<i32>(n);
  const sub = (n >>> (e - ORDERS_SUB_BITS)) & ((1 << ORDERS_SUB_BITS) - 1);
  return ORDERS_LINEAR + ((e - LINEAR_BITS) << ORDERS_SUB_BITS) + sub;
}

/** The day bucket of a UTC day number, clamped to the sketch's range. */
// @ts-ignore: decorator
@inline
export function dayIndexBucket(d: i32): i32 {
  return d < 0 ? 0 : d >= DAY_BUCKETS ? DAY_BUCKETS - 1 : d;
}
