// Per-customer state (records + cold columns, see layout.ts), the hash index and the live
// sketches. Mirrors src/core/core-kernel.ts line for line where it matters for results.
import {
  DAY_BUCKETS, DAY_MS, ORDERS_BUCKETS, dayIndexBucket, moneyBucket, moneyBuckets, ordersBucket,
} from './buckets';
import { bytesKey, keyHash, keyHiOut, keyLoOut, shardOf } from './hash';
import {
  RECORD_BYTES, RECORD_SHIFT, R_FIRST_TS, R_FIRST_DAY, R_GAP_SUM_SQ, R_KEY_HI, R_KEY_LO, R_LAST_DAY, R_LAST_TS,
  R_MAX_ORDER, R_ORDERS, R_PURCHASE_DAYS, R_SPEND,
} from './layout';

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

// Records live in chunks of CHUNK_RECORDS (4 MiB each): a GC block cannot exceed 1 GiB,
// and growth adds chunks instead of copying every record.
const CHUNK_SHIFT: i32 = 16;
const CHUNK_RECORDS: i32 = 1 << CHUNK_SHIFT;
const CHUNK_MASK: i32 = CHUNK_RECORDS - 1;
/** The chunks' blocks (kept here so the GC keeps them) and their 64-byte-aligned bases. */
let chunkBlocks = new Array<StaticArray<u8>>(0);
let chunkBase = new StaticArray<usize>(0);
// Cold fields (see layout.ts) in 24-byte cold records, chunked like the records so growth
// adds chunks instead of copying columns into fresh memory (whose page faults cost more
// than the copy): lastEngaged f64 @0, engagements u32 @8, idOff u32 @12, idLen u32 @16, segment u8 @20.
const COLD_BYTES: usize = 24;
let coldBlocks = new Array<StaticArray<u8>>(0);
let coldBase = new StaticArray<usize>(0);
export let arena = new StaticArray<u8>(0);
export let arenaLen: i32 = 0;

// Index entry: (tag << indexBits) | (slot + 1), 0 = empty. Slots stay below half
// the index's length, so slot + 1 fits in indexBits bits and the bits above hold a few bits
// of the key's hash: a probe that meets another customer's entry moves on without reading
// that customer's record (a cache miss at 10^7 customers) in all but 1 in 2^(32 - indexBits).
let index = new StaticArray<i32>(0);
let indexMask: i32 = 0;
let indexBits: i32 = 0;

export let skLastDay = new StaticArray<u32>(0);
export let skOrders = new StaticArray<u32>(0);
export let skSpend = new StaticArray<u32>(0);
export let skAov = new StaticArray<u32>(0);
export let skGap = new StaticArray<u32>(0);

// ---- record fields ------------------------------------------------------------------
// @ts-ignore: decorator
@inline export function rec(s: i32): usize {
  return unchecked(chunkBase[s >>> CHUNK_SHIFT]) + (<usize>(s & CHUNK_MASK) << RECORD_SHIFT);
}
// @ts-ignore: decorator
@inline export function keyLoOf(s: i32): i32 { return load<i32>(rec(s), R_KEY_LO); }
// @ts-ignore: decorator
@inline export function keyHiOf(s: i32): i32 { return load<i32>(rec(s), R_KEY_HI); }
// @ts-ignore: decorator
@inline export function ordersOf(s: i32): u32 { return load<u32>(rec(s), R_ORDERS); }
// @ts-ignore: decorator
@inline export function purchaseDaysOf(s: i32): u32 { return load<u32>(rec(s), R_PURCHASE_DAYS); }
// @ts-ignore: decorator
@inline export function lastTsOf(s: i32): f64 { return load<f64>(rec(s), R_LAST_TS); }
// @ts-ignore: decorator
@inline export function spendOf(s: i32): f64 { return load<f64>(rec(s), R_SPEND); }
// @ts-ignore: decorator
@inline export function cold(s: i32): usize {
  return unchecked(coldBase[s >>> CHUNK_SHIFT]) + <usize>(s & CHUNK_MASK) * COLD_BYTES;
}
// @ts-ignore: decorator
@inline export function lastEngagedOf(s: i32): f64 { return load<f64>(cold(s), 0); }
// @ts-ignore: decorator
@inline export function engagementsOf(s: i32): u32 { return load<u32>(cold(s), 8); }
// @ts-ignore: decorator
@inline export function segmentOf(s: i32): u8 { return load<u8>(cold(s), 20); }
// @ts-ignore: decorator
@inline export function setSegment(s: i32, v: u8): void { store<u8>(cold(s), v, 20); }
// @ts-ignore: decorator
@inline export function firstDayOf(s: i32): i32 { return load<i32>(rec(s), R_FIRST_DAY); }
// @ts-ignore: decorator
@inline export function lastDayOf(s: i32): i32 { return load<i32>(rec(s), R_LAST_DAY); }

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
  chunkBlocks = new Array<StaticArray<u8>>(0);
  chunkBase = new StaticArray<usize>(0);
  coldBlocks = new Array<StaticArray<u8>>(0);
  coldBase = new StaticArray<usize>(0);
  index = new StaticArray<i32>(0);
  sketchesValid = true;
  stopTracking();
  changed = new StaticArray<u32>(0);
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
  // below one chunk, the single chunk grows by copying; from there on, whole chunks are added
  const chunks = (size + CHUNK_RECORDS - 1) >> CHUNK_SHIFT;
  const bases = new StaticArray<usize>(chunks);
  for (let c = 0; c < chunks; c++) {
    if (c < chunkBlocks.length && cap >= CHUNK_RECORDS) {
      unchecked((bases[c] = chunkBase[c]));
      continue;
    }
    const records = min(size, CHUNK_RECORDS);
    const block = new StaticArray<u8>(records * <i32>RECORD_BYTES + <i32>RECORD_BYTES);
    const base = (changetype<usize>(block) + RECORD_BYTES - 1) & ~(RECORD_BYTES - 1);
    if (c == 0 && n > 0) memory.copy(base, unchecked(chunkBase[0]), <usize>n << RECORD_SHIFT);
    if (c < chunkBlocks.length) unchecked((chunkBlocks[c] = block));
    else chunkBlocks.push(block);
    unchecked((bases[c] = base));
  }
  chunkBase = bases;
  const colds = new StaticArray<usize>(chunks);
  for (let c = 0; c < chunks; c++) {
    if (c < coldBlocks.length && cap >= CHUNK_RECORDS) {
      unchecked((colds[c] = coldBase[c]));
      continue;
    }
    const block = new StaticArray<u8>(min(size, CHUNK_RECORDS) * <i32>COLD_BYTES);
    const base = changetype<usize>(block);
    if (c == 0 && n > 0) memory.copy(base, unchecked(coldBase[0]), <usize>n * COLD_BYTES);
    if (c < coldBlocks.length) unchecked((coldBlocks[c] = block));
    else coldBlocks.push(block);
    unchecked((colds[c] = base));
  }
  coldBase = colds;
  cap = size;
  // the index stays at most half full; it doubles (and is rebuilt) only when the records
  // outgrow it, not with every chunk
  if (cap * 2 > index.length) {
    let indexSize = max(index.length, 2048);
    while (indexSize < cap * 2) indexSize <<= 1;
    rebuildIndex(indexSize);
  }
}

/** Record capacity for n customers: powers of two up to a chunk, whole chunks after. */
export function capacityFor(n: i32): i32 {
  if (n <= CHUNK_RECORDS) {
    let size = 1024;
    while (size < n) size <<= 1;
    return size;
  }
  return ((n + CHUNK_RECORDS - 1) >> CHUNK_SHIFT) << CHUNK_SHIFT;
}

/** A fresh index of `size` entries for the customers held. Per growth of the index, or restore. */
export function rebuildIndex(size: i32): void {
  index = new StaticArray<i32>(size);
  indexMask = size - 1;
  indexBits = ctz(size);
  const mask = indexMask;
  let sum = touched;
  // customers go in by groups: their hashes, then a loop of nothing but loads of their home
  // entries (the misses overlap, as in ingestRows), then the inserts
  for (let s0 = 0; s0 < numCustomers; s0 += REBUILD_GROUP) {
    const n = min(REBUILD_GROUP, numCustomers - s0);
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

const REBUILD_GROUP: i32 = 256;
/** rebuildIndex's own: it runs inside ingestRows (when the state grows) with a group in flight. */
const rebuildHash = new StaticArray<i32>(REBUILD_GROUP);

/**
 * The entry bits above the slot: the hash mixed by a multiply, so every bit of it counts
 * (the top bits alone pick the shard). The index has 2^11 to 2^30 entries, so the shift is
 * below 32.
 */
// @ts-ignore: decorator
@inline
function tagOf(h: i32): i32 {
  return <i32>(<u32>(h * 0x9e3779b1) >>> indexBits) << indexBits;
}

function slotOf(lo: i32, hi: i32, h: i32): i32 {
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
    // records grow by doubling up to a chunk, then by one chunk at a time: memory follows
    // the customers instead of the next power of two
    grow(cap < CHUNK_RECORDS ? cap * 2 : cap + CHUNK_RECORDS);
    return slotOf(lo, hi, h);
  }
  const s = numCustomers++;
  unchecked((index[b] = tag | (s + 1)));
  const r = rec(s);
  memory.fill(r, 0, RECORD_BYTES);
  store<i32>(r, lo, R_KEY_LO);
  store<i32>(r, hi, R_KEY_HI);
  const c = cold(s);
  memory.fill(c, 0, COLD_BYTES);
  store<u8>(c, NO_SEGMENT, 20);
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
  store<u32>(cold(s), <u32>arenaLen, 12);
  store<u32>(cold(s), <u32>len, 16);
  arenaLen += len;
}

// @ts-ignore: decorator
@inline
export function meanGap(s: i32): f64 {
  return <f64>(lastDayOf(s) - firstDayOf(s)) / <f64>(purchaseDaysOf(s) - 1);
}

/** Adds customer s's values to the sketches (delta 1) or takes them out (delta -1, as u32). */
// @ts-ignore: decorator
@inline
function sketchMove(s: i32, delta: u32): void {
  const o = ordersOf(s);
  const sp = spendOf(s);
  const bd = dayIndexBucket(lastDayOf(s));
  unchecked((skLastDay[bd] += delta));
  const bo = ordersBucket(<i32>o);
  unchecked((skOrders[bo] += delta));
  const bs = moneyBucket(sp, subBits);
  unchecked((skSpend[bs] += delta));
  const ba = moneyBucket(sp / <f64>o, subBits);
  unchecked((skAov[ba] += delta));
  if (purchaseDaysOf(s) >= 2) {
    const bg = moneyBucket(meanGap(s), subBits);
    unchecked((skGap[bg] += delta));
  }
}

/** False once an event has changed the state since the sketches were built. */
let sketchesValid = true;

// Between snapshots the sketches are kept up to date cheaply when few customers change (a
// live engine's snapshot every quarter second): a customer's first event since the last
// build takes its values out of the sketches (its record is at hand then) and marks it in
// `changed`; the next build puts the changed customers and the ones added since back in, at
// their values then, instead of scanning every customer. Once more than 1 in CHANGED_SHARE
// have changed, a scan is cheaper than a miss per changed customer: tracking stops and the
// next build is a full one. Nothing is tracked before the first build, so a replay pays
// one comparison a row.
const CHANGED_SHARE: i32 = 16;
/** Slots below this are tracked (the customers at the last build); 0: no tracking. */
let trackedBelow: i32 = 0;
let numChanged: i32 = 0;
/** One bit a tracked slot: changed since the last build. */
let changed = new StaticArray<u32>(0);
/** Some bit of `changed` may be set. */
let anyChanged = false;

function startTracking(): void {
  trackedBelow = numCustomers;
  numChanged = 0;
  const words = (numCustomers + 31) >>> 5;
  if (changed.length < words) changed = new StaticArray<u32>(words + (words >>> 1));
  // a build after tracking stopped finds the bits of then still set
  else if (anyChanged) memory.fill(changetype<usize>(changed), 0, <usize>changed.length << 2);
  anyChanged = false;
}

function stopTracking(): void {
  trackedBelow = 0;
}

/** Customer s (record r) is about to change: its first change since the build takes it out of the sketches. */
function noteChange(s: i32, r: usize): void {
  const w = s >>> 5;
  const bit: u32 = 1 << (s & 31);
  const word = unchecked(changed[w]);
  if ((word & bit) != 0) return;
  unchecked((changed[w] = word | bit));
  anyChanged = true;
  if (load<u32>(r, R_ORDERS) > 0) sketchMove(s, -1);
  if (++numChanged > trackedBelow / CHANGED_SHARE) stopTracking();
}

/** The sketches brought up to date from the changed and added customers, when tracked and few. */
function updateSketches(): bool {
  if (trackedBelow == 0 || numChanged + (numCustomers - trackedBelow) > trackedBelow / CHANGED_SHARE) return false;
  const words = (trackedBelow + 31) >>> 5;
  for (let w = 0; w < words; w++) {
    let word = unchecked(changed[w]);
    if (word == 0) continue;
    unchecked((changed[w] = 0));
    while (word != 0) {
      const s = (w << 5) + <i32>ctz(word);
      if (ordersOf(s) > 0) sketchMove(s, 1);
      word &= word - 1;
    }
  }
  for (let s = trackedBelow; s < numCustomers; s++) if (ordersOf(s) > 0) sketchMove(s, 1);
  // every bit read is cleared: the next tracking need not clear them again
  anyChanged = false;
  return true;
}

/**
 * Makes the sketches the histograms of the current values when events came in since the
 * last time: from the changed customers alone (see above), or else by one pass over the
 * customers, which the caller makes in ranges (sketchRange, then endSketches). Per
 * snapshot. Building them here rather than moving each customer's counts on every event
 * halves the cost of an event (measured: 11.5 -> 21.5 M events/s with the state in cache),
 * for one scan per snapshot, which classification makes anyway. Returns true when the
 * sketches are cleared for that pass, false when they are current.
 */
export function beginSketches(): bool {
  if (sketchesValid) return false;
  if (updateSketches()) {
    endSketches();
    return false;
  }
  stopTracking();
  clearSketches();
  return true;
}

/** Adds customers [from, to) to the sketches (a rebuild's part, see beginSketches). */
export function sketchRange(from: i32, to: i32): void {
  for (let s = from; s < to; s++) if (ordersOf(s) > 0) sketchMove(s, 1);
}

/** Marks the sketches current once every range is in, and starts tracking changes. */
export function endSketches(): void {
  sketchesValid = true;
  startTracking();
}

/** Applies one event to customer s, whose record is at r. */
// @ts-ignore: decorator
@inline
function apply(s: i32, r: usize, k: u8, t: f64, a: f64): void {
  if (k == KIND_ORDER && a >= 0) {
    const o = load<u32>(r, R_ORDERS);
    store<f64>(r, load<f64>(r, R_SPEND) + a, R_SPEND);
    const day = <i32>Math.floor(t / DAY_MS);
    if (o == 0) {
      store<f64>(r, t, R_FIRST_TS);
      store<f64>(r, t, R_LAST_TS);
      store<i32>(r, day, R_FIRST_DAY);
      store<i32>(r, day, R_LAST_DAY);
      store<u32>(r, 1, R_PURCHASE_DAYS);
      store<f64>(r, a, R_MAX_ORDER);
    } else {
      if (a > load<f64>(r, R_MAX_ORDER)) store<f64>(r, a, R_MAX_ORDER);
      const firstDay = load<i32>(r, R_FIRST_DAY);
      const lastDay = load<i32>(r, R_LAST_DAY);
      // a late order inside the known span counts for orders and spend, not for cadence
      if (day > lastDay) {
        const g = <f64>(day - lastDay);
        store<f64>(r, load<f64>(r, R_GAP_SUM_SQ) + g * g, R_GAP_SUM_SQ);
        store<u32>(r, load<u32>(r, R_PURCHASE_DAYS) + 1, R_PURCHASE_DAYS);
      } else if (day < firstDay) {
        const g = <f64>(firstDay - day);
        store<f64>(r, load<f64>(r, R_GAP_SUM_SQ) + g * g, R_GAP_SUM_SQ);
        store<u32>(r, load<u32>(r, R_PURCHASE_DAYS) + 1, R_PURCHASE_DAYS);
      }
      if (t < load<f64>(r, R_FIRST_TS)) {
        store<f64>(r, t, R_FIRST_TS);
        store<i32>(r, day, R_FIRST_DAY);
      }
      if (t > load<f64>(r, R_LAST_TS)) {
        store<f64>(r, t, R_LAST_TS);
        store<i32>(r, day, R_LAST_DAY);
      }
    }
    store<u32>(r, o + 1, R_ORDERS);
  } else if (k == KIND_ORDER || k == KIND_REFUND) {
    store<f64>(r, load<f64>(r, R_SPEND) - Math.abs(a), R_SPEND);
  } else {
    const c = cold(s);
    const e = load<u32>(c, 8) + 1;
    store<u32>(c, e, 8);
    if (t > load<f64>(c, 0) || e == 1) store<f64>(c, t, 0);
  }
}

/** Rows looked up together: their index slots and records are read ahead of the updates. */
const GROUP: i32 = 256;
const groupRow = new StaticArray<i32>(GROUP);
const groupLo = new StaticArray<i32>(GROUP);
const groupHi = new StaticArray<i32>(GROUP);
const groupHash = new StaticArray<i32>(GROUP);
const groupSlot = new StaticArray<i32>(GROUP);
const groupAddr = new StaticArray<usize>(GROUP);
/** Sum of the read-ahead loads, kept so the optimizer cannot drop them. */
export let touched: i32 = 0;

/**
 * Applies the rows of one batch whose customer falls in `shard` of `numShards` (every shard
 * is given every row). Returns 0, or 1 when the batch's id mode differs from the state's. Per batch.
 *
 * Rows go in groups of GROUP of this shard's rows: first their keys and hashes, then a tight
 * loop reads every row's index slot; the probes (index entries now in cache) find each row's
 * record, and another tight loop reads those records; then the rows are applied in order. The
 * reads of a group do not depend on each other, so their cache misses overlap instead of
 * queueing one behind the other (WASM has no prefetch instruction; a load whose result is
 * kept does the same). A load must retire in order, so the misses in flight at once are
 * about as many as the loop iterations that fit in the CPU's reorder window: a loop of
 * nothing but the loads keeps several times more in flight than a loop that probes too
 * (bench/NOTES.md, section 25). Same as the plain core.
 */
export function ingestRows(
  rows: i32, mode: i32, shard: i32, numShards: i32,
  idWordsPtr: usize, idOffsetsPtr: usize, idBytesPtr: usize,
  tsPtr: usize, amountPtr: usize, kindPtr: usize,
): i32 {
  if (rows == 0) return 0;
  if (idMode == ID_NONE) idMode = mode;
  else if (idMode != mode) return 1;
  sketchesValid = false;
  const isUtf8 = mode == ID_UTF8;
  let sum = touched;
  let tracked = trackedBelow;
  let i = 0;
  while (i < rows) {
    // 1. keys and hashes of the next GROUP rows of this shard, without a branch on whether
    // a row is this shard's (with two shards half the rows are not, at random): every row is
    // written at n, and n moves on only for a row kept
    let n = 0;
    for (; i < rows && n < GROUP; i++) {
      let lo: i32;
      let hi: i32;
      if (isUtf8) {
        const start = load<i32>(idOffsetsPtr + (<usize>i << 2));
        const stop = load<i32>(idOffsetsPtr + (<usize>(i + 1) << 2));
        bytesKey(idBytesPtr + <usize>start, stop - start);
        lo = keyLoOut;
        hi = keyHiOut;
      } else {
        lo = load<i32>(idWordsPtr + (<usize>i << 3));
        hi = load<i32>(idWordsPtr + (<usize>i << 3), 4);
      }
      const h = keyHash(lo, hi);
      unchecked((groupRow[n] = i));
      unchecked((groupLo[n] = lo));
      unchecked((groupHi[n] = hi));
      unchecked((groupHash[n] = h));
      n += i32(load<u8>(kindPtr + <usize>i) != KIND_SKIP) & i32(numShards == 1 || shardOf(h, numShards) == shard);
    }
    // 2. read ahead each row's index slot; find the first entry with the row's tag; read
    // ahead the records those entries point at
    const mask = indexMask;
    for (let j = 0; j < n; j++) sum += unchecked(index[unchecked(groupHash[j]) & mask]);
    for (let j = 0; j < n; j++) {
      const h = unchecked(groupHash[j]);
      const tag = tagOf(h);
      let b = h & mask;
      let s = -1;
      while (true) {
        const e = unchecked(index[b]);
        if (e == 0) break;
        if ((e & ~mask) == tag) {
          s = (e & mask) - 1;
          break;
        }
        b = (b + 1) & mask;
      }
      unchecked((groupSlot[j] = s));
      unchecked((groupAddr[j] = rec(max(s, 0))));
    }
    // the records, in a loop of their own (see above)
    for (let j = 0; j < n; j++) sum += load<i32>(unchecked(groupAddr[j]));
    // 3. apply, in row order; a slot found in step 2 is taken when its key is the row's
    // (a tag can match another customer's, and a customer new in this group has none yet)
    const groupCap = cap;
    for (let j = 0; j < n; j++) {
      const row = unchecked(groupRow[j]);
      const before = numCustomers;
      const lo = unchecked(groupLo[j]);
      const hi = unchecked(groupHi[j]);
      let s = unchecked(groupSlot[j]);
      // the address noted in step 2 holds unless an insert of this group grew the records
      // (below a chunk, growing copies them)
      let r = cap == groupCap ? unchecked(groupAddr[j]) : rec(max(s, 0));
      if (s < 0 || load<i32>(r, R_KEY_LO) != lo || load<i32>(r, R_KEY_HI) != hi) {
        s = slotOf(lo, hi, unchecked(groupHash[j]));
        r = rec(s);
      }
      if (isUtf8 && numCustomers != before) {
        const start = load<i32>(idOffsetsPtr + (<usize>row << 2));
        const stop = load<i32>(idOffsetsPtr + (<usize>(row + 1) << 2));
        keepId(s, idBytesPtr + <usize>start, stop - start);
      }
      if (s < tracked) {
        noteChange(s, r);
        tracked = trackedBelow;
      }
      apply(s, r, load<u8>(kindPtr + <usize>row), load<f64>(tsPtr + (<usize>row << 3)), load<f64>(amountPtr + (<usize>row << 3)));
    }
  }
  touched = sum;
  return 0;
}

export function clearSketches(): void {
  skLastDay.fill(0);
  skOrders.fill(0);
  skSpend.fill(0);
  skAov.fill(0);
  skGap.fill(0);
}

export function indexSize(): i32 {
  return index.length;
}

export function setRestored(n: i32, mode: i32, arenaSize: i32): void {
  sketchesValid = false;
  stopTracking();
  numCustomers = n;
  idMode = mode;
  arena = new StaticArray<u8>(arenaSize);
  arenaLen = arenaSize;
}

// ---- record fields as columns, for serialization and exports ---------------------------
// The state format (src/core/state-format.ts) stores columns; these hold them on the way
// out (gatherColumns) and on the way in (scatterColumns). Per export or restore, not per batch.
export let colF64 = new StaticArray<StaticArray<f64>>(6);
export let colI32 = new StaticArray<StaticArray<i32>>(4);
/** engagements, idOff, idLen (columns 10..12), and segment (13). */
export let colU32 = new StaticArray<StaticArray<u32>>(3);
export let colSegment = new StaticArray<u8>(0);
const F64_FIELDS: StaticArray<usize> = [R_FIRST_TS, R_LAST_TS, R_SPEND, R_MAX_ORDER, R_GAP_SUM_SQ];
const LAST_ENGAGED_COLUMN = 5;
const I32_FIELDS: StaticArray<usize> = [R_KEY_LO, R_KEY_HI, R_ORDERS, R_PURCHASE_DAYS];

/** Room for n entries in every record column. */
export function sizeColumns(n: i32): void {
  for (let c = 0; c < 6; c++) unchecked((colF64[c] = new StaticArray<f64>(n)));
  for (let c = 0; c < 4; c++) unchecked((colI32[c] = new StaticArray<i32>(n)));
  for (let c = 0; c < 3; c++) unchecked((colU32[c] = new StaticArray<u32>(n)));
  colSegment = new StaticArray<u8>(n);
}

export function gatherColumns(): void {
  const n = numCustomers;
  sizeColumns(n);
  const le = unchecked(colF64[LAST_ENGAGED_COLUMN]);
  const en = unchecked(colU32[0]);
  const off = unchecked(colU32[1]);
  const len = unchecked(colU32[2]);
  for (let s = 0; s < n; s++) {
    const c = cold(s);
    unchecked((le[s] = load<f64>(c, 0)));
    unchecked((en[s] = load<u32>(c, 8)));
    unchecked((off[s] = load<u32>(c, 12)));
    unchecked((len[s] = load<u32>(c, 16)));
    unchecked((colSegment[s] = load<u8>(c, 20)));
  }
  for (let c = 0; c < 5; c++) {
    const col = unchecked(colF64[c]);
    const off = unchecked(F64_FIELDS[c]);
    for (let s = 0; s < n; s++) unchecked((col[s] = load<f64>(rec(s) + off)));
  }
  for (let c = 0; c < 4; c++) {
    const col = unchecked(colI32[c]);
    const off = unchecked(I32_FIELDS[c]);
    for (let s = 0; s < n; s++) unchecked((col[s] = load<i32>(rec(s) + off)));
  }
}

export function scatterColumns(): void {
  const n = numCustomers;
  const le = unchecked(colF64[LAST_ENGAGED_COLUMN]);
  const en = unchecked(colU32[0]);
  const off = unchecked(colU32[1]);
  const len = unchecked(colU32[2]);
  for (let s = 0; s < n; s++) {
    const c = cold(s);
    store<f64>(c, unchecked(le[s]), 0);
    store<u32>(c, unchecked(en[s]), 8);
    store<u32>(c, unchecked(off[s]), 12);
    store<u32>(c, unchecked(len[s]), 16);
    store<u8>(c, unchecked(colSegment[s]), 20);
  }
  for (let c = 0; c < 5; c++) {
    const col = unchecked(colF64[c]);
    const off = unchecked(F64_FIELDS[c]);
    for (let s = 0; s < n; s++) store<f64>(rec(s) + off, unchecked(col[s]));
  }
  for (let c = 0; c < 4; c++) {
    const col = unchecked(colI32[c]);
    const off = unchecked(I32_FIELDS[c]);
    for (let s = 0; s < n; s++) store<i32>(rec(s) + off, unchecked(col[s]));
  }
  for (let s = 0; s < n; s++) {
    const r = rec(s);
    store<i32>(r, <i32>Math.floor(load<f64>(r, R_FIRST_TS) / DAY_MS), R_FIRST_DAY);
    store<i32>(r, <i32>Math.floor(load<f64>(r, R_LAST_TS) / DAY_MS), R_LAST_DAY);
  }
}

/** Bytes the state holds now: record and cold chunks, the index, the id arena. Per benchmark. */
export function stateBytes(): f64 {
  let bytes: f64 = 0;
  for (let c = 0; c < chunkBlocks.length; c++) bytes += <f64>unchecked(chunkBlocks[c]).length;
  for (let c = 0; c < coldBlocks.length; c++) bytes += <f64>unchecked(coldBlocks[c]).length;
  return bytes + <f64>index.length * 4 + <f64>arena.length + <f64>changed.length * 4;
}
