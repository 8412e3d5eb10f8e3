// Per-customer state: a 64-byte hot record per customer (the fields one order touches, so an
// update costs one cache line after the index probe) and a 24-byte cold record (fields an
// order never touches), both in chunks, and the arena of string ids. Layouts: src/abi/table.mjs.
// The plain core's twin: src/core/records.ts.
import {
  CENTS, COLD_BYTES, C_ENGAGEMENTS, C_ID_LEN, C_ID_OFF, C_LAST_ENGAGED, C_SEGMENT, DAY_MS, NO_SEGMENT,
  RECORD_BYTES, RECORD_SHIFT,
  R_FIRST_TS, R_KEY_HI, R_KEY_LO, R_LAST_DAY, R_LAST_TS, R_ORDERS, R_PURCHASE_DAYS, R_SPEND_CENTS,
} from './abi';

export let numCustomers: i32 = 0;
export let cap: i32 = 0;

// Records live in chunks of CHUNK_RECORDS (4 MiB each): a GC block cannot exceed 1 GiB,
// and growth adds chunks instead of copying every record.
const CHUNK_SHIFT: i32 = 16;
export const CHUNK_RECORDS: i32 = 1 << CHUNK_SHIFT;
const CHUNK_MASK: i32 = CHUNK_RECORDS - 1;
/** The chunks' blocks (kept here so the GC keeps them) and their 64-byte-aligned bases. */
let chunkBlocks = new Array<StaticArray<u8>>(0);
let chunkBase = new StaticArray<usize>(0);
// Cold records, chunked like the records so growth adds chunks instead of copying columns
// into fresh memory (whose page faults cost more than the copy).
let coldBlocks = new Array<StaticArray<u8>>(0);
let coldBase = new StaticArray<usize>(0);
export let arena = new StaticArray<u8>(0);
export let arenaLen: i32 = 0;

// @ts-ignore: decorator
@inline export function rec(s: i32): usize {
  return unchecked(chunkBase[s >>> CHUNK_SHIFT]) + (<usize>(s & CHUNK_MASK) << RECORD_SHIFT);
}
// @ts-ignore: decorator
@inline export function cold(s: i32): usize {
  return unchecked(coldBase[s >>> CHUNK_SHIFT]) + <usize>(s & CHUNK_MASK) * COLD_BYTES;
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
@inline export function spendOf(s: i32): f64 { return load<f64>(rec(s), R_SPEND_CENTS) / CENTS; }
/** The UTC day of the first order: only snapshots need it, so it is not kept (its place holds the day list's). */
// @ts-ignore: decorator
@inline export function firstDayOf(s: i32): i32 { return <i32>Math.floor(load<f64>(rec(s), R_FIRST_TS) / DAY_MS); }
// @ts-ignore: decorator
@inline export function lastDayOf(s: i32): i32 { return load<i32>(rec(s), R_LAST_DAY); }
// @ts-ignore: decorator
@inline export function lastEngagedOf(s: i32): f64 { return load<f64>(cold(s), C_LAST_ENGAGED); }
// @ts-ignore: decorator
@inline export function engagementsOf(s: i32): u32 { return load<u32>(cold(s), C_ENGAGEMENTS); }
// @ts-ignore: decorator
@inline export function segmentOf(s: i32): u8 { return load<u8>(cold(s), C_SEGMENT); }
// @ts-ignore: decorator
@inline export function setSegment(s: i32, v: u8): void { store<u8>(cold(s), v, C_SEGMENT); }

/** Mean gap in days between consecutive purchase days (the gaps telescope to last - first). */
// @ts-ignore: decorator
@inline
export function meanGap(s: i32): f64 {
  return <f64>(lastDayOf(s) - firstDayOf(s)) / <f64>(purchaseDaysOf(s) - 1);
}

function growArray<T>(a: StaticArray<T>, n: i32, size: i32): StaticArray<T> {
  const b = new StaticArray<T>(size);
  memory.copy(changetype<usize>(b), changetype<usize>(a), <usize>n * sizeof<T>());
  return b;
}

/** No customers, no capacity. */
export function resetRecords(): void {
  numCustomers = 0;
  cap = 0;
  arenaLen = 0;
  arena = new StaticArray<u8>(0);
  chunkBlocks = new Array<StaticArray<u8>>(0);
  chunkBase = new StaticArray<usize>(0);
  coldBlocks = new Array<StaticArray<u8>>(0);
  coldBase = new StaticArray<usize>(0);
}

/**
 * Room for `size` customers: below one chunk the single chunk grows by copying, from there on whole
 * chunks are added.
 */
export function growRecords(size: i32): void {
  const n = numCustomers;
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
}

/**
 * The capacity after `current` is full: doubling up to a chunk, then one chunk at a time, so
 * memory follows the customers instead of the next power of two.
 */
export function nextCapacity(current: i32): i32 {
  return current < CHUNK_RECORDS ? current * 2 : current + CHUNK_RECORDS;
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

/** A new customer with key (lo, hi), zeroed, in no segment; returns its slot (capacity must be there). */
export function addRecord(lo: i32, hi: i32): i32 {
  const s = numCustomers++;
  const r = rec(s);
  memory.fill(r, 0, RECORD_BYTES);
  store<i32>(r, lo, R_KEY_LO);
  store<i32>(r, hi, R_KEY_HI);
  const c = cold(s);
  memory.fill(c, 0, COLD_BYTES);
  store<u8>(c, NO_SEGMENT, C_SEGMENT);
  return s;
}

/** Keeps customer s's string id (len bytes at ptr) in the arena, so exports can name it. */
export function keepId(s: i32, ptr: usize, len: i32): void {
  if (arenaLen + len > arena.length) {
    let size = arena.length * 2;
    if (size < arenaLen + len) size = arenaLen + len;
    if (size < 4096) size = 4096;
    arena = growArray<u8>(arena, arenaLen, size);
  }
  memory.copy(changetype<usize>(arena) + <usize>arenaLen, ptr, <usize>len);
  store<u32>(cold(s), <u32>arenaLen, C_ID_OFF);
  store<u32>(cold(s), <u32>len, C_ID_LEN);
  arenaLen += len;
}

/** n customers whose columns a restore writes next, and an arena of arenaSize bytes for their ids. */
export function setRestored(n: i32, arenaSize: i32): void {
  numCustomers = n;
  arena = new StaticArray<u8>(arenaSize);
  arenaLen = arenaSize;
}

/** Bytes of the record and cold chunks and the arena. */
export function recordBytes(): f64 {
  let bytes: f64 = 0;
  for (let c = 0; c < chunkBlocks.length; c++) bytes += <f64>unchecked(chunkBlocks[c]).length;
  for (let c = 0; c < coldBlocks.length; c++) bytes += <f64>unchecked(coldBlocks[c]).length;
  return bytes + <f64>arena.length;
}
