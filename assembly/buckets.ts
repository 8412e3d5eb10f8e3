// Bucket maps of the sketches, bit-identical to src/core/buckets.ts (see the reasoning there).

export const MONEY_EXP_MIN: i32 = -10;
export const MONEY_EXP_MAX: i32 = 40;
export const ORDERS_LINEAR: i32 = 1024;
export const ORDERS_BUCKETS: i32 = ORDERS_LINEAR + 22 * 128;
export const DAY_MS: f64 = 86400000;
export const DAY_BUCKETS: i32 = 65536;

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

// @ts-ignore: decorator
@inline
export function ordersBucket(n: i32): i32 {
  if (n < ORDERS_LINEAR) return n;
  const e = 31 - clz<i32>(n);
  return ORDERS_LINEAR + ((e - 10) << 7) + ((n >>> (e - 7)) & 127);
}

/** The day bucket of a UTC day number, clamped to the sketch's range. */
// @ts-ignore: decorator
@inline
export function dayIndexBucket(d: i32): i32 {
  return d < 0 ? 0 : d >= DAY_BUCKETS ? DAY_BUCKETS - 1 : d;
}
