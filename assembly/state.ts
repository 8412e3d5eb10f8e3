// Per-customer state in columns, the hash index and the live sketches.
// Mirrors src/core/core-kernel.ts line for line where it matters for results.
import {
  DAY_BUCKETS, DAY_MS, ORDERS_BUCKETS, dayBucket, moneyBucket, moneyBuckets, ordersBucket,
} from './buckets';
import { bytesKey, keyHash, keyHiOut, keyLoOut, shardOf } from './hash';

export const KIND_ORDER: u8 = 0;
export const KIND_REFUND: u8 = 1;
export const KIND_SKIP: u8 = 255;
export const NO_SEGMENT: u8 = 255;

export const ID_NONE: i32 = 0;
export const ID_INT: i32 = 1;
export const ID_UTF8: i32 = 2;

export let subBits: i32 = 7;
export let idMode: i32 = ID_NONE;
export let numCustomers: i32 = 0;
let cap: i32 = 0;

export let keyLo = new StaticArray<i32>(0);
export let keyHi = new StaticArray<i32>(0);
export let firstTs = new StaticArray<f64>(0);
export let lastTs = new StaticArray<f64>(0);
export let spend = new StaticArray<f64>(0);
export let maxOrder = new StaticArray<f64>(0);
export let gapSumSq = new StaticArray<f64>(0);
export let lastEngaged = new StaticArray<f64>(0);
export let orders = new StaticArray<u32>(0);
export let purchaseDays = new StaticArray<u32>(0);
export let engagements = new StaticArray<u32>(0);
export let idOff = new StaticArray<u32>(0);
export let idLen = new StaticArray<u32>(0);
export let segment = new StaticArray<u8>(0);
export let arena = new StaticArray<u8>(0);
export let arenaLen: i32 = 0;

let index = new StaticArray<i32>(0);
let indexMask: i32 = 0;

export let skLastDay = new StaticArray<u32>(0);
export let skOrders = new StaticArray<u32>(0);
export let skSpend = new StaticArray<u32>(0);
export let skAov = new StaticArray<u32>(0);
export let skGap = new StaticArray<u32>(0);

function growArray<T>(a: StaticArray<T>, n: i32, size: i32): StaticArray<T> {
  const b = new StaticArray<T>(size);
  memory.copy(changetype<usize>(b), changetype<usize>(a), <usize>n * sizeof<T>());
  return b;
}

export function reset(bits: i32): void {
  subBits = bits;
  idMode = ID_NONE;
  numCustomers = 0;
  cap = 0;
  arenaLen = 0;
  arena = new StaticArray<u8>(0);
  const nb = moneyBuckets(bits);
  skLastDay = new StaticArray<u32>(DAY_BUCKETS);
  skOrders = new StaticArray<u32>(ORDERS_BUCKETS);
  skSpend = new StaticArray<u32>(nb);
  skAov = new StaticArray<u32>(nb);
  skGap = new StaticArray<u32>(nb);
  grow(1024);
}

export function grow(size: i32): void {
  const n = numCustomers;
  keyLo = growArray<i32>(keyLo, n, size);
  keyHi = growArray<i32>(keyHi, n, size);
  firstTs = growArray<f64>(firstTs, n, size);
  lastTs = growArray<f64>(lastTs, n, size);
  spend = growArray<f64>(spend, n, size);
  maxOrder = growArray<f64>(maxOrder, n, size);
  gapSumSq = growArray<f64>(gapSumSq, n, size);
  lastEngaged = growArray<f64>(lastEngaged, n, size);
  orders = growArray<u32>(orders, n, size);
  purchaseDays = growArray<u32>(purchaseDays, n, size);
  engagements = growArray<u32>(engagements, n, size);
  idOff = growArray<u32>(idOff, n, size);
  idLen = growArray<u32>(idLen, n, size);
  segment = growArray<u8>(segment, n, size);
  cap = size;
  rebuildIndex(size * 2);
}

export function rebuildIndex(size: i32): void {
  index = new StaticArray<i32>(size);
  indexMask = size - 1;
  for (let s = 0; s < numCustomers; s++) {
    let b = keyHash(unchecked(keyLo[s]), unchecked(keyHi[s])) & indexMask;
    while (unchecked(index[b]) != 0) b = (b + 1) & indexMask;
    unchecked((index[b] = s + 1));
  }
}

function slotOf(lo: i32, hi: i32, h: i32): i32 {
  const mask = indexMask;
  let b = h & mask;
  while (true) {
    const e = unchecked(index[b]);
    if (e == 0) break;
    const s = e - 1;
    if (unchecked(keyLo[s]) == lo && unchecked(keyHi[s]) == hi) return s;
    b = (b + 1) & mask;
  }
  if (numCustomers == cap) {
    grow(cap * 2);
    return slotOf(lo, hi, h);
  }
  const s = numCustomers++;
  unchecked((index[b] = s + 1));
  unchecked((keyLo[s] = lo));
  unchecked((keyHi[s] = hi));
  unchecked((firstTs[s] = 0));
  unchecked((lastTs[s] = 0));
  unchecked((spend[s] = 0));
  unchecked((maxOrder[s] = 0));
  unchecked((gapSumSq[s] = 0));
  unchecked((lastEngaged[s] = 0));
  unchecked((orders[s] = 0));
  unchecked((purchaseDays[s] = 0));
  unchecked((engagements[s] = 0));
  unchecked((idOff[s] = 0));
  unchecked((idLen[s] = 0));
  unchecked((segment[s] = NO_SEGMENT));
  return s;
}

function keepId(s: i32, ptr: usize, len: i32): void {
  if (arenaLen + len > arena.length) {
    let size = arena.length * 2;
    if (size < arenaLen + len) size = arenaLen + len;
    if (size < 4096) size = 4096;
    arena = growArray<u8>(arena, arenaLen, size);
  }
  memory.copy(changetype<usize>(arena) + <usize>arenaLen, ptr, <usize>len);
  unchecked((idOff[s] = <u32>arenaLen));
  unchecked((idLen[s] = <u32>len));
  arenaLen += len;
}

// @ts-ignore: decorator
@inline
export function meanGap(s: i32): f64 {
  const span = Math.floor(unchecked(lastTs[s]) / DAY_MS) - Math.floor(unchecked(firstTs[s]) / DAY_MS);
  return span / <f64>(unchecked(purchaseDays[s]) - 1);
}

function sketchMove(s: i32, delta: u32): void {
  const o = unchecked(orders[s]);
  const sp = unchecked(spend[s]);
  const bd = dayBucket(unchecked(lastTs[s]));
  unchecked((skLastDay[bd] += delta));
  const bo = ordersBucket(<i32>o);
  unchecked((skOrders[bo] += delta));
  const bs = moneyBucket(sp, subBits);
  unchecked((skSpend[bs] += delta));
  const ba = moneyBucket(sp / <f64>o, subBits);
  unchecked((skAov[ba] += delta));
  if (unchecked(purchaseDays[s]) >= 2) {
    const bg = moneyBucket(meanGap(s), subBits);
    unchecked((skGap[bg] += delta));
  }
}

// @ts-ignore: decorator
@inline
function sketchRemove(s: i32): void {
  sketchMove(s, <u32>-1);
}

// @ts-ignore: decorator
@inline
export function sketchAdd(s: i32): void {
  sketchMove(s, 1);
}

function apply(s: i32, k: u8, t: f64, a: f64): void {
  if (k == KIND_ORDER && a >= 0) {
    const o = unchecked(orders[s]);
    if (o > 0) sketchRemove(s);
    unchecked((spend[s] += a));
    if (o == 0) {
      unchecked((firstTs[s] = t));
      unchecked((lastTs[s] = t));
      unchecked((purchaseDays[s] = 1));
      unchecked((maxOrder[s] = a));
    } else {
      if (a > unchecked(maxOrder[s])) unchecked((maxOrder[s] = a));
      const day = Math.floor(t / DAY_MS);
      const firstDay = Math.floor(unchecked(firstTs[s]) / DAY_MS);
      const lastDay = Math.floor(unchecked(lastTs[s]) / DAY_MS);
      // a late order inside the known span counts for orders and spend, not for cadence
      if (day > lastDay) {
        const g = day - lastDay;
        unchecked((gapSumSq[s] += g * g));
        unchecked((purchaseDays[s] += 1));
      } else if (day < firstDay) {
        const g = firstDay - day;
        unchecked((gapSumSq[s] += g * g));
        unchecked((purchaseDays[s] += 1));
      }
      if (t < unchecked(firstTs[s])) unchecked((firstTs[s] = t));
      if (t > unchecked(lastTs[s])) unchecked((lastTs[s] = t));
    }
    unchecked((orders[s] = o + 1));
    sketchAdd(s);
  } else if (k == KIND_ORDER || k == KIND_REFUND) {
    const o = unchecked(orders[s]);
    if (o > 0) sketchRemove(s);
    unchecked((spend[s] -= Math.abs(a)));
    if (o > 0) sketchAdd(s);
  } else {
    const e = unchecked(engagements[s]) + 1;
    unchecked((engagements[s] = e));
    if (t > unchecked(lastEngaged[s]) || e == 1) unchecked((lastEngaged[s] = t));
  }
}

/**
 * Applies the rows of one batch whose customer falls in `shard`. Returns 0, or 1 when the
 * batch's id mode differs from the state's.
 */
export function ingestRows(
  rows: i32, mode: i32, shard: i32, numShards: i32,
  idWordsPtr: usize, idOffsetsPtr: usize, idBytesPtr: usize,
  tsPtr: usize, amountPtr: usize, kindPtr: usize,
): i32 {
  if (rows == 0) return 0;
  if (idMode == ID_NONE) idMode = mode;
  else if (idMode != mode) return 1;
  const isUtf8 = mode == ID_UTF8;
  for (let i = 0; i < rows; i++) {
    const k = load<u8>(kindPtr + <usize>i);
    if (k == KIND_SKIP) continue;
    let lo: i32;
    let hi: i32;
    let start: i32 = 0;
    let end: i32 = 0;
    if (isUtf8) {
      start = load<i32>(idOffsetsPtr + (<usize>i << 2));
      end = load<i32>(idOffsetsPtr + (<usize>(i + 1) << 2));
      bytesKey(idBytesPtr + <usize>start, end - start);
      lo = keyLoOut;
      hi = keyHiOut;
    } else {
      lo = load<i32>(idWordsPtr + (<usize>i << 3));
      hi = load<i32>(idWordsPtr + (<usize>i << 3), 4);
    }
    const h = keyHash(lo, hi);
    if (numShards > 1 && shardOf(h, numShards) != shard) continue;
    const before = numCustomers;
    const s = slotOf(lo, hi, h);
    if (isUtf8 && numCustomers != before) keepId(s, idBytesPtr + <usize>start, end - start);
    apply(s, k, load<f64>(tsPtr + (<usize>i << 3)), load<f64>(amountPtr + (<usize>i << 3)));
  }
  return 0;
}

export function clearSketches(): void {
  skLastDay.fill(0);
  skOrders.fill(0);
  skSpend.fill(0);
  skAov.fill(0);
  skGap.fill(0);
}

export function capacity(): i32 {
  return cap;
}

export function setRestored(n: i32, mode: i32, arenaSize: i32): void {
  numCustomers = n;
  idMode = mode;
  arena = new StaticArray<u8>(arenaSize);
  arenaLen = arenaSize;
}
