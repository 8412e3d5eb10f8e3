// The kernel's ABI: flat functions over linear memory, called by src/kernel/wasm-kernel.ts.
// JS owns the loop over batches; the kernel owns the loop over rows. No I/O here.
//
// Memory: every buffer lives in a StaticArray held by a global, so the GC keeps it and
// never moves it; JS reads and writes through the pointers these functions return, and
// rebuilds its views after any call that may grow memory (all of them but the getters).
import {
  NO_SEGMENT, arena, arenaLen, colF64, colI32, colSegment, colU32, gatherColumns, grow, idMode, ingestRows,
  lastTsOf, meanGap, numCustomers, ordersOf, purchaseDaysOf, rebuildIndex, reset, scatterColumns,
  sizeColumns, skAov, skGap, skLastDay, skOrders, skSpend, spendOf, subBits,
} from './state';
import * as state from './state';
import {
  classifyBegin, classifyEnd, classifyRange, decodePlan, outAov, outF, outM, outR, outRetention, outSegment, planBuffer, run, totals,
} from './classify';

/** Starts an empty state with the given money sub-bucket bits. Once per kernel. */
export function init(bits: i32): void {
  reset(bits);
}

export function customers(): i32 {
  return numCustomers;
}

// ---- input: one batch at a time -------------------------------------------------------
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
 * changed. Per part of a batch: the caller applies a large batch in parts, since V8 runs the
 * first call of a WASM function in baseline code to its end (see sketchesBegin).
 */
export function ingest(from: i32, to: i32, mode: i32, shard: i32, numShards: i32): i32 {
  const at = <usize>from;
  return ingestRows(
    to - from, mode, shard, numShards,
    changetype<usize>(inIdWords) + (at << 3), changetype<usize>(inIdOffsets) + (at << 2), changetype<usize>(inIdBytes),
    changetype<usize>(inTs) + (at << 3), changetype<usize>(inAmount) + (at << 3), changetype<usize>(inKind) + at,
  );
}

// ---- sketches and exact values: per snapshot ----------------------------------------------
/**
 * Brings the sketches up to date (see beginSketches), in three steps so the caller runs the
 * scan in ranges: V8 runs a WASM function's first call in baseline code to its end, so one
 * call over every customer would run a whole snapshot's scan unoptimized. Classification
 * goes the same way (classifyBegin).
 * Returns the number of customers to pass to sketchRange, or -1 when the sketches are current
 * (perhaps brought up to date from the customers changed since, without a scan).
 */
export function sketchesBegin(): i32 {
  if (!state.beginSketches()) return -1;
  sketchScans++;
  return state.numCustomers;
}

let sketchScans: i32 = 0;

/** Full scans the sketches took so far (for tests: the others were updates from changes). */
export function sketchScanCount(): i32 {
  return sketchScans;
}

export function sketchRange(from: i32, to: i32): void {
  state.sketchRange(from, to);
}

export function sketchesEnd(): void {
  state.endSketches();
}

/** 0 lastDay, 1 orders, 2 spend, 3 aov, 4 mean gap. */
export function sketchPtr(which: i32): usize {
  switch (which) {
    case 0: return changetype<usize>(skLastDay);
    case 1: return changetype<usize>(skOrders);
    case 2: return changetype<usize>(skSpend);
    case 3: return changetype<usize>(skAov);
    default: return changetype<usize>(skGap);
  }
}

export function sketchLen(which: i32): i32 {
  switch (which) {
    case 0: return skLastDay.length;
    case 1: return skOrders.length;
    case 2: return skSpend.length;
    case 3: return skAov.length;
    default: return skGap.length;
  }
}

let exLastTs = new StaticArray<f64>(0);
let exOrders = new StaticArray<f64>(0);
let exSpend = new StaticArray<f64>(0);
let exAov = new StaticArray<f64>(0);
let exGap = new StaticArray<f64>(0);
let exGapLen: i32 = 0;

/** Fills the exact-value arrays; returns how many customers have an order. */
export function exactValues(): i32 {
  let n = 0;
  let ng = 0;
  for (let s = 0; s < numCustomers; s++) {
    if (ordersOf(s) > 0) {
      n++;
      if (purchaseDaysOf(s) >= 2) ng++;
    }
  }
  exLastTs = new StaticArray<f64>(n);
  exOrders = new StaticArray<f64>(n);
  exSpend = new StaticArray<f64>(n);
  exAov = new StaticArray<f64>(n);
  exGap = new StaticArray<f64>(ng);
  exGapLen = ng;
  let j = 0;
  let g = 0;
  for (let s = 0; s < numCustomers; s++) {
    const o = ordersOf(s);
    if (o == 0) continue;
    const sp = spendOf(s);
    unchecked((exLastTs[j] = lastTsOf(s)));
    unchecked((exOrders[j] = <f64>o));
    unchecked((exSpend[j] = sp));
    unchecked((exAov[j] = sp / <f64>o));
    j++;
    if (purchaseDaysOf(s) >= 2) unchecked((exGap[g++] = meanGap(s)));
  }
  return n;
}

export function exactGapCount(): i32 { return exGapLen; }

/** 0 lastTs, 1 orders, 2 spend, 3 aov, 4 mean gap. */
export function exactPtr(which: i32): usize {
  switch (which) {
    case 0: return changetype<usize>(exLastTs);
    case 1: return changetype<usize>(exOrders);
    case 2: return changetype<usize>(exSpend);
    case 3: return changetype<usize>(exAov);
    default: return changetype<usize>(exGap);
  }
}

// ---- classification --------------------------------------------------------------------
/** Room for a plan of `len` f64s; JS writes the plan there. Per snapshot. */
export function reservePlan(len: i32): usize {
  return planBuffer(len);
}

// Classification in three steps, like the sketches' (see sketchesBegin): classifyBegin
// returns the number of customers to pass to classifyRange, classifyEnd the totals' length.
export { classifyBegin, classifyEnd, classifyRange };

export function totalsPtr(): usize { return changetype<usize>(totals); }

let exR = new StaticArray<u8>(0);
let exF = new StaticArray<u8>(0);
let exM = new StaticArray<u8>(0);
let exA = new StaticArray<u8>(0);
let exRet = new StaticArray<u8>(0);
let exSeg = new StaticArray<u8>(0);

/** Classifies every customer into the export columns (see columnPtr 20..25). Per export. */
export function exportRows(): void {
  decodePlan();
  const n = numCustomers;
  exR = new StaticArray<u8>(n);
  exF = new StaticArray<u8>(n);
  exM = new StaticArray<u8>(n);
  exA = new StaticArray<u8>(n);
  exRet = new StaticArray<u8>(n);
  exSeg = new StaticArray<u8>(n);
  for (let s = 0; s < n; s++) {
    if (ordersOf(s) == 0) {
      unchecked((exRet[s] = NO_SEGMENT));
      unchecked((exSeg[s] = NO_SEGMENT));
      continue;
    }
    run(s);
    unchecked((exR[s] = <u8>outR));
    unchecked((exF[s] = <u8>outF));
    unchecked((exM[s] = <u8>outM));
    unchecked((exA[s] = <u8>outAov));
    unchecked((exRet[s] = <u8>outRetention));
    unchecked((exSeg[s] = <u8>outSegment));
  }
}

/** Copies the record fields into columns, for columnPtr 0..9. Per export or serialize. */
export function exportColumns(): void {
  gatherColumns();
}

/**
 * Pointers to state columns in the stored order of src/core/state-format.ts:
 * 0 firstTs 1 lastTs 2 spend 3 maxOrder 4 gapSumSq 5 lastEngaged (f64; after exportColumns)
 * 6 keyLo 7 keyHi 8 orders 9 purchaseDays (32-bit; after exportColumns)
 * 10 engagements 11 idOff 12 idLen (32-bit) 13 segment (u8; all after exportColumns) 14 arena (u8);
 * 20 r 21 f 22 m 23 aov 24 retention 25 segment (after exportRows, u8)
 */
export function columnPtr(which: i32): usize {
  if (which < 6) return changetype<usize>(unchecked(colF64[which]));
  if (which < 10) return changetype<usize>(unchecked(colI32[which - 6]));
  switch (which) {
    case 10: return changetype<usize>(unchecked(colU32[0]));
    case 11: return changetype<usize>(unchecked(colU32[1]));
    case 12: return changetype<usize>(unchecked(colU32[2]));
    case 13: return changetype<usize>(colSegment);
    case 14: return changetype<usize>(arena);
    case 20: return changetype<usize>(exR);
    case 21: return changetype<usize>(exF);
    case 22: return changetype<usize>(exM);
    case 23: return changetype<usize>(exA);
    case 24: return changetype<usize>(exRet);
    default: return changetype<usize>(exSeg);
  }
}

export function arenaBytes(): i32 { return arenaLen; }
export function stateBytes(): f64 { return state.stateBytes(); }
export function currentIdMode(): i32 { return idMode; }

// ---- restore: JS writes the columns in, then the kernel rebuilds index and sketches ------
/** Sizes the state for n customers and an arena of arenaLen bytes; JS then fills the columns. */
export function restoreBegin(n: i32, mode: i32, arenaSize: i32): void {
  reset(subBits);
  grow(state.capacityFor(n));
  state.setRestored(n, mode, arenaSize);
  sizeColumns(n);
}

/** Rebuilds the index and the sketches from the restored columns. */
export function restoreEnd(): void {
  scatterColumns();
  rebuildIndex(state.indexSize());
}

