// Events into the state: the input buffers JS writes a batch into, and the row loop that
// finds each row's customer and applies the event. The plain core's twin: src/core/ingest.ts.
import {
  CENTS, C_ENGAGEMENTS, C_FIRST_DAY_CENTS, C_LAST_ENGAGED, DAY_MS, GROUP, ID_NONE, ID_UTF8, KIND_ORDER,
  KIND_REFUND, KIND_SKIP,
  R_FIRST_TS, R_KEY_HI, R_KEY_LO, R_LAST_DAY, R_LAST_TS, R_MAX_ORDER, R_ORDERS, R_SPEND_CENTS,
} from './abi';
import { addDay, firstPurchaseDay, lastDayAddress, listed } from './days';
import { bytesKey, keyHash, keyHiOut, keyLoOut, shardOf } from './hash';
import { firstTagged, index, indexMask, slotOf } from './index-table';
import { fitChanges, noteFitChange, staleFit } from './fit-histograms';
import { cap, cold, keepId, numCustomers, rec } from './records';
import { noteChange, sketchChanges, staleSketches } from './sketch';
import { classChanges, noteClassChange } from './classes';

export let idMode: i32 = ID_NONE;

export function resetIngest(): void {
  idMode = ID_NONE;
}

export function setIdMode(mode: i32): void {
  idMode = mode;
}

// ---- input: one batch at a time ------------------------------------------------------------
let inIdWords = new StaticArray<i32>(0);
let inIdOffsets = new StaticArray<i32>(0);
let inIdBytes = new StaticArray<u8>(0);
let inTs = new StaticArray<f64>(0);
let inAmount = new StaticArray<f64>(0);
let inKind = new StaticArray<u8>(0);

/** Makes room for a batch of `rows` rows and `idBytes` bytes of string ids. Per batch. */
export function reserveInput(rows: i32, idBytes: i32): void {
  if (inTs.length < rows) {
    inIdWords = new StaticArray<i32>(rows * 2);
    inIdOffsets = new StaticArray<i32>(rows + 1);
    inTs = new StaticArray<f64>(rows);
    inAmount = new StaticArray<f64>(rows);
    inKind = new StaticArray<u8>(rows);
  }
  if (inIdBytes.length < idBytes) inIdBytes = new StaticArray<u8>(idBytes);
}

export function inputIdWords(): usize { return changetype<usize>(inIdWords); }
export function inputIdOffsets(): usize { return changetype<usize>(inIdOffsets); }
export function inputIdBytes(): usize { return changetype<usize>(inIdBytes); }
export function inputTs(): usize { return changetype<usize>(inTs); }
export function inputAmount(): usize { return changetype<usize>(inAmount); }
export function inputKind(): usize { return changetype<usize>(inKind); }

/**
 * Applies the reserved input's rows [from, to) of this shard. Returns 1 if the id mode
 * differs from the state's. Per part of a batch: the caller applies a large batch in parts,
 * since V8 runs the first call of a WASM function in baseline code to its end.
 */
export function ingest(from: i32, to: i32, mode: i32, shard: i32, numShards: i32): i32 {
  const at = <usize>from;
  return ingestRows(
    to - from, mode, shard, numShards,
    changetype<usize>(inIdWords) + (at << 3), changetype<usize>(inIdOffsets) + (at << 2), changetype<usize>(inIdBytes),
    changetype<usize>(inTs) + (at << 3), changetype<usize>(inAmount) + (at << 3), changetype<usize>(inKind) + at,
  );
}

/** Applies one event to customer s, whose record is at r. */
// @ts-ignore: decorator
@inline
function apply(s: i32, r: usize, k: u8, t: f64, a: f64): void {
  if (k == KIND_ORDER && a >= 0) {
    const o = load<u32>(r, R_ORDERS);
    store<f64>(r, load<f64>(r, R_SPEND_CENTS) + Math.round(a * CENTS), R_SPEND_CENTS);
    const day = <i32>Math.floor(t / DAY_MS);
    if (o == 0) {
      store<f64>(r, t, R_FIRST_TS);
      store<f64>(r, t, R_LAST_TS);
      firstPurchaseDay(s, r, day);
      store<f64>(r, a, R_MAX_ORDER);
      store<f64>(cold(s), Math.round(a * CENTS), C_FIRST_DAY_CENTS);
    } else {
      if (a > load<f64>(r, R_MAX_ORDER)) store<f64>(r, a, R_MAX_ORDER);
      // the first day's orders: an order a day or more after the first one is never of it,
      // so most orders stop at this compare and never touch the cold record
      const first = load<f64>(r, R_FIRST_TS);
      if (t < first + DAY_MS) {
        const firstDay = <i32>Math.floor(first / DAY_MS);
        if (day < firstDay) store<f64>(cold(s), Math.round(a * CENTS), C_FIRST_DAY_CENTS);
        else if (day == firstDay)
          store<f64>(cold(s), load<f64>(cold(s), C_FIRST_DAY_CENTS) + Math.round(a * CENTS), C_FIRST_DAY_CENTS);
      }
      // a new day goes into the customer's day list: appended when it is the latest, placed
      // among the others when late (days.ts), so the cadence is the same in any order
      if (day != load<i32>(r, R_LAST_DAY)) addDay(s, r, day);
      if (t < load<f64>(r, R_FIRST_TS)) store<f64>(r, t, R_FIRST_TS);
      if (t > load<f64>(r, R_LAST_TS)) store<f64>(r, t, R_LAST_TS);
    }
    store<u32>(r, o + 1, R_ORDERS);
  } else if (k == KIND_ORDER || k == KIND_REFUND) {
    store<f64>(r, load<f64>(r, R_SPEND_CENTS) - Math.round(Math.abs(a) * CENTS), R_SPEND_CENTS);
  } else {
    const c = cold(s);
    const e = load<u32>(c, C_ENGAGEMENTS) + 1;
    store<u32>(c, e, C_ENGAGEMENTS);
    if (t > load<f64>(c, C_LAST_ENGAGED) || e == 1) store<f64>(c, t, C_LAST_ENGAGED);
  }
}

/**
 * Customer s (record r) is about to change: the sketches and the fit histograms take it out
 * if they track it. Called only when one of them tracks s, and through a reference, which
 * the optimizer does not inline: the row loop's code stays what it was without the fit
 * histograms, but for a max and a store (bench/NOTES.md, section 51).
 */
function noteChanges(s: i32, r: usize): void {
  if (s < sketchChanges.below) noteChange(s, r);
  if (s < fitChanges.below) noteFitChange(s, r);
  if (s < classChanges.below) noteClassChange(s, r);
}

// called through a reference, which the optimizer does not inline
let noteChangesRef: (s: i32, r: usize) => void = noteChanges;

// Rows looked up together: their index slots and records are read ahead of the updates.
const groupRow = new StaticArray<i32>(GROUP);
const groupLo = new StaticArray<i32>(GROUP);
const groupHi = new StaticArray<i32>(GROUP);
const groupHash = new StaticArray<i32>(GROUP);
const groupSlot = new StaticArray<i32>(GROUP);
const groupAddr = new StaticArray<usize>(GROUP);
/** Sum of the read-ahead loads, kept so the optimizer cannot drop them. */
let touched: i32 = 0;

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
  staleSketches();
  staleFit();
  const isUtf8 = mode == ID_UTF8;
  let sum = touched;
  // slots below this are tracked by the sketches, the fit histograms or the kept classes
  let tracked = max(max(sketchChanges.below, fitChanges.below), classChanges.below);
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
        // words 2i and 2i + 1, as ColumnBatch.idWords holds them
        lo = load<i32>(idWordsPtr + (<usize>(2 * i) << 2));
        hi = load<i32>(idWordsPtr + (<usize>(2 * i + 1) << 2));
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
      const s = firstTagged(unchecked(groupHash[j]));
      unchecked((groupSlot[j] = s));
      unchecked((groupAddr[j] = rec(max(s, 0))));
    }
    // the records, in a loop of their own (see above); then, once the day lists are built,
    // the last day of each one's list, where a new purchase day goes (its own miss, overlapped
    // the same way)
    for (let j = 0; j < n; j++) sum += load<i32>(unchecked(groupAddr[j]));
    if (listed) for (let j = 0; j < n; j++) sum += load<i32>(lastDayAddress(unchecked(groupAddr[j])));
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
        noteChangesRef(s, r);
        tracked = max(max(sketchChanges.below, fitChanges.below), classChanges.below);
      }
      const at = <usize>row << 3;
      apply(s, r, load<u8>(kindPtr + <usize>row), load<f64>(tsPtr + at), load<f64>(amountPtr + at));
    }
  }
  touched = sum;
  return 0;
}
