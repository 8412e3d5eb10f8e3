// The machine's limit for what the kernel does per order: one read-modify-write of a random
// 64-byte slot, from a precomputed index (no hashing, no probing). AssemblyScript, built by
// `npm run bench` into build/probe.wasm. Layout: slots at 64-byte-aligned `slotsPtr`, then
// the u32 index of slot numbers.
//
// A second pattern, "indexed", is the limit of any kernel that finds a record through a
// separate hash index entry, as ours does: each update first reads a random entry of an
// open-addressing table of slot numbers, then updates the slot it names. Two dependent
// misses an update instead of one; still no hashing, no key check, no branch. The index
// entries then follow the slots' u32 positions.
//
// A third, "table", is the other design: no separate index, the 64-byte records themselves
// in an open-addressing table (one miss an update, plus probing). Each update hashes its
// key (the kernel's hash), reads its home bucket ahead with its group's (as the kernel
// does), then probes linearly to the bucket holding its key and updates it. The table is
// 2^tableBits buckets: a third full at 10^7 keys takes 2 GiB, twice the kernel's memory.

import { keyHash } from '../../assembly/hash';

let slotsPtr: usize = 0;
let indexPtr: usize = 0;
let tablePtr: usize = 0;

function reserve(need: usize): void {
  const have: usize = (<usize>memory.size()) << 16;
  if (need > have) memory.grow(<i32>((need - have + 0xffff) >> 16));
}

/** Sizes memory for `slots` slots and `updates` index entries; returns the index pointer. */
export function setup(slots: i32, updates: i32): usize {
  slotsPtr = (__heap_base + 63) & ~63;
  indexPtr = slotsPtr + (<usize>slots << 6);
  reserve(indexPtr + (<usize>updates << 2));
  return indexPtr;
}

/** Applies the updates: each adds to a count and a sum in its slot. */
export function run(updates: i32): f64 {
  for (let i = 0; i < updates; i++) {
    const p = slotsPtr + (<usize>load<u32>(indexPtr + (<usize>i << 2)) << 6);
    store<u32>(p, load<u32>(p) + 1);
    store<f64>(p, load<f64>(p, 8) + 1.5, 8);
  }
  return load<f64>(slotsPtr, 8);
}

let rng: u32 = 0x9e3779b9;
// @ts-expect-error: decorator
@inline
function next(): u32 {
  rng ^= rng << 13;
  rng ^= rng >>> 17;
  rng ^= rng << 5;
  return rng;
}

/**
 * The indexed pattern: `slots` slots, a table of 2^tableBits entries (slot + 1, 0 = empty)
 * filled at random positions with linear probing, like the kernel's index at the same load,
 * and `updates` table positions of uniformly random slots. Returns nothing to fill from JS.
 */
export function setupIndexed(slots: i32, tableBits: i32, updates: i32): void {
  slotsPtr = (__heap_base + 63) & ~63;
  tablePtr = slotsPtr + (<usize>slots << 6);
  indexPtr = tablePtr + (<usize>4 << tableBits);
  reserve(indexPtr + (<usize>updates << 2));
  const mask: u32 = (1 << tableBits) - 1;
  memory.fill(tablePtr, 0, <usize>4 << tableBits);
  for (let s = 0; s < slots; s++) {
    let b = next() & mask;
    while (load<u32>(tablePtr + (<usize>b << 2)) != 0) b = (b + 1) & mask;
    store<u32>(tablePtr + (<usize>b << 2), s + 1);
    // the slot keeps its entry's position until the updates are drawn
    store<u32>(slotsPtr + (<usize>s << 6), b);
  }
  for (let i = 0; i < updates; i++) {
    const s = next() % <u32>slots;
    store<u32>(indexPtr + (<usize>i << 2), load<u32>(slotsPtr + (<usize>s << 6)));
  }
  memory.fill(slotsPtr, 0, <usize>slots << 6);
}

/** Applies the updates of the indexed pattern: the table entry, then the slot's count and sum. */
export function runIndexed(updates: i32): f64 {
  for (let i = 0; i < updates; i++) {
    const b = load<u32>(indexPtr + (<usize>i << 2));
    const s = load<u32>(tablePtr + (<usize>b << 2)) - 1;
    const p = slotsPtr + (<usize>s << 6);
    store<u32>(p, load<u32>(p) + 1);
    store<f64>(p, load<f64>(p, 8) + 1.5, 8);
  }
  return load<f64>(slotsPtr, 8);
}

let bucketsPtr: usize = 0;
let keysPtr: usize = 0;
let bucketMask: u32 = 0;
const TABLE_GROUP = 256;
const groupBucket: usize = memory.data(TABLE_GROUP * 4);
const groupKey: usize = memory.data(TABLE_GROUP * 4);
export let tableTouched: u32 = 0;

/**
 * The table pattern: keys 1..`keys` in 2^tableBits 64-byte buckets (key at 0, 0 = empty),
 * and `updates` random keys.
 */
export function setupTable(keys: i32, tableBits: i32, updates: i32): void {
  bucketsPtr = (__heap_base + 63) & ~63;
  keysPtr = bucketsPtr + (<usize>64 << tableBits);
  reserve(keysPtr + (<usize>updates << 2));
  bucketMask = (1 << tableBits) - 1;
  memory.fill(bucketsPtr, 0, <usize>64 << tableBits);
  for (let k: u32 = 1; k <= <u32>keys; k++) {
    let b = <u32>keyHash(<i32>k, 0) & bucketMask;
    while (load<u32>(bucketsPtr + (<usize>b << 6)) != 0) b = (b + 1) & bucketMask;
    store<u32>(bucketsPtr + (<usize>b << 6), k);
  }
  for (let i = 0; i < updates; i++) store<u32>(keysPtr + (<usize>i << 2), next() % <u32>keys + 1);
}

/** Applies the updates of the table pattern, in groups read ahead like the kernel's. */
export function runTable(updates: i32): f64 {
  let sum: u32 = 0;
  for (let i0 = 0; i0 < updates; i0 += TABLE_GROUP) {
    const n = min(TABLE_GROUP, updates - i0);
    for (let j = 0; j < n; j++) {
      const k = load<u32>(keysPtr + (<usize>(i0 + j) << 2));
      store<u32>(groupKey + (<usize>j << 2), k);
      store<u32>(groupBucket + (<usize>j << 2), <u32>keyHash(<i32>k, 0) & bucketMask);
    }
    for (let j = 0; j < n; j++) sum += load<u32>(bucketsPtr + (<usize>load<u32>(groupBucket + (<usize>j << 2)) << 6));
    for (let j = 0; j < n; j++) {
      const k = load<u32>(groupKey + (<usize>j << 2));
      let b = load<u32>(groupBucket + (<usize>j << 2));
      while (load<u32>(bucketsPtr + (<usize>b << 6)) != k) b = (b + 1) & bucketMask;
      const p = bucketsPtr + (<usize>b << 6);
      store<u32>(p, load<u32>(p, 4) + 1, 4);
      store<f64>(p, load<f64>(p, 8) + 1.5, 8);
    }
  }
  tableTouched = sum;
  return load<f64>(bucketsPtr, 8);
}
