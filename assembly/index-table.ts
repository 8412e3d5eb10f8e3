// The hash index from customer key to record slot. Open addressing with linear probing,
// load <= 1/2. An entry is (tag << indexBits) | (slot + 1), 0 = empty: slots stay below half
// the index's length, so slot + 1 fits in indexBits bits and the bits above hold a few bits
// of the key's hash. A probe that meets another customer's entry moves on without reading
// that customer's record (a cache miss at 10^7 customers) in all but 1 in 2^(32 - indexBits).
// The plain core's twin: src/core/index-table.ts.
import { GROUP, HASH_TAG } from './abi';
import { keyHash } from './hash';
import { addRecord, cap, growRecords, keyHiOf, keyLoOf, nextCapacity, numCustomers } from './records';

export let index = new StaticArray<i32>(0);
export let indexMask: i32 = 0;
let indexBits: i32 = 0;
/** Sum of the read-ahead loads, kept so the optimizer cannot drop them. */
let touched: i32 = 0;

/** rebuildIndex's own: it runs inside ingest (when the state grows) with a group in flight. */
const rebuildHash = new StaticArray<i32>(GROUP);

export function resetIndex(): void {
  index = new StaticArray<i32>(0);
}

/**
 * Room for `size` customers. The index stays at most half full; it doubles (and is rebuilt)
 * only when the records outgrow it, not with every chunk.
 */
export function growTo(size: i32): void {
  growRecords(size);
  if (cap * 2 > index.length) {
    let indexSize = max(index.length, 2048);
    while (indexSize < cap * 2) indexSize <<= 1;
    rebuildIndex(indexSize);
  }
}

/** A fresh index of `size` entries for the customers held. Per growth of the index, or restore. */
export function rebuildIndex(size: i32): void {
  index = new StaticArray<i32>(size);
  indexMask = size - 1;
  indexBits = ctz(size);
  const mask = indexMask;
  let sum = touched;
  // customers go in by groups: their hashes, then a loop of nothing but loads of their home
  // entries (the misses overlap, as in ingest), then the inserts
  for (let s0 = 0; s0 < numCustomers; s0 += GROUP) {
    const n = min(GROUP, numCustomers - s0);
    for (let j = 0; j < n; j++) unchecked((rebuildHash[j] = keyHash(keyLoOf(s0 + j), keyHiOf(s0 + j))));
    for (let j = 0; j < n; j++) sum += unchecked(index[unchecked(rebuildHash[j]) & mask]);
    for (let j = 0; j < n; j++) {
      const h = unchecked(rebuildHash[j]);
      let b = h & mask;
      while (unchecked(index[b]) != 0) b = (b + 1) & mask;
      unchecked((index[b] = tagOf(h) | (s0 + j + 1)));
    }
  }
  touched = sum;
}

/**
 * The entry bits above the slot: the hash mixed by a multiply, so every bit of it counts
 * (the top bits alone pick the shard). The index has 2^11 to 2^30 entries, so the shift is
 * below 32.
 */
// @ts-ignore: decorator
@inline
export function tagOf(h: i32): i32 {
  return <i32>(<u32>(h * HASH_TAG) >>> indexBits) << indexBits;
}

/**
 * The slot of the first entry on h's probe path whose tag is h's, or -1: a guess the caller
 * checks against the record's key (ingest reads ahead the records these point at).
 */
// @ts-ignore: decorator
@inline
export function firstTagged(h: i32): i32 {
  const mask = indexMask;
  const tag = tagOf(h);
  let b = h & mask;
  while (true) {
    const e = unchecked(index[b]);
    if (e == 0) return -1;
    if ((e & ~mask) == tag) return (e & mask) - 1;
    b = (b + 1) & mask;
  }
  return -1;
}

/** The slot of key (lo, hi) with hash h, inserting a new customer when absent. */
export function slotOf(lo: i32, hi: i32, h: i32): i32 {
  const mask = indexMask;
  const tag = tagOf(h);
  let b = h & mask;
  while (true) {
    const e = unchecked(index[b]);
    if (e == 0) break;
    if ((e & ~mask) == tag) {
      const s = (e & mask) - 1;
      if (keyLoOf(s) == lo && keyHiOf(s) == hi) return s;
    }
    b = (b + 1) & mask;
  }
  if (numCustomers == cap) {
    growTo(nextCapacity(cap));
    return slotOf(lo, hi, h);
  }
  const s = addRecord(lo, hi);
  unchecked((index[b] = tag | (s + 1)));
  return s;
}

export function indexBytes(): f64 {
  return <f64>index.length * 4;
}
