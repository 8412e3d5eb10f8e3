// The kernel's facade: flat functions over linear memory, called by src/kernel/wasm-kernel.ts
// (their list and signatures: kernelExports in src/abi/table.mjs). JS owns the loop over
// batches; the kernel owns the loop over rows. No I/O here.
//
// Memory: every buffer lives in a StaticArray held by a global, so the GC keeps it and
// never moves it; JS reads and writes through the pointers these functions return, and
// rebuilds its views after any call that may grow memory (all of them but the getters).
import { SK_AOV, SK_LAST_DAY, SK_ORDERS, SK_SPEND } from './abi';
import { gatherColumns, scatterColumns, sizeColumns, sizeDays } from './columns';
import { arenaDayBytes, resetDays } from './days';
import { growTo, indexBytes, rebuildIndex, resetIndex, index } from './index-table';
import { idMode, resetIngest, setIdMode } from './ingest';
import { planBuffer } from './plan';
import { arenaLen, capacityFor, numCustomers, recordBytes, resetRecords, setRestored } from './records';
import * as fit from './fit-histograms';
import { classBytes, resetClasses } from './classes';
import * as sketch from './sketch';
import { skAov, skGap, skLastDay, skOrders, skSpend, subBits } from './sketch';
import { totals } from './totals';

export { classifyBegin, classifyEnd, classifyRange } from './classify';
export { columnPtr, dayCount, exactGapCount, exactPtr, exactValues, exportRows } from './columns';
export {
  ingest, inputAmount, inputIdBytes, inputIdOffsets, inputIdWords, inputKind, inputTs, reserveInput,
} from './ingest';

/** Starts an empty state with the given money sub-bucket bits: at init and before a restore. */
export function init(bits: i32): void {
  resetIngest();
  resetRecords();
  resetIndex();
  resetDays();
  sketch.resetSketches(bits);
  fit.resetFit();
  resetClasses();
  growTo(1024);
}

export function customers(): i32 {
  return numCustomers;
}

// ---- sketches: per snapshot ------------------------------------------------------------
// In three steps so the caller runs the scan in ranges: V8 runs a WASM function's first call
// in baseline code to its end, so one call over every customer would run a whole snapshot's
// scan unoptimized. Classification goes the same way (classifyBegin).
let sketchScans: i32 = 0;

/**
 * Brings the sketches up to date; returns the number of customers to pass to sketchRange, or
 * -1 when the sketches are current (perhaps brought up to date from the customers changed
 * since, without a scan).
 */
export function sketchBegin(): i32 {
  if (!sketch.sketchBegin()) return -1;
  sketchScans++;
  return numCustomers;
}

export function sketchRange(from: i32, to: i32): void {
  sketch.sketchRange(from, to);
}

export function sketchEnd(): void {
  sketch.sketchEnd();
}

/** Full scans the sketches took so far (for tests: the others were updates from changes). */
export function sketchScanCount(): i32 {
  return sketchScans;
}

export function sketchPtr(which: i32): usize {
  switch (which) {
    case SK_LAST_DAY: return changetype<usize>(skLastDay);
    case SK_ORDERS: return changetype<usize>(skOrders);
    case SK_SPEND: return changetype<usize>(skSpend);
    case SK_AOV: return changetype<usize>(skAov);
    default: return changetype<usize>(skGap);
  }
}

export function sketchLen(which: i32): i32 {
  switch (which) {
    case SK_LAST_DAY: return skLastDay.length;
    case SK_ORDERS: return skOrders.length;
    case SK_SPEND: return skSpend.length;
    case SK_AOV: return skAov.length;
    default: return skGap.length;
  }
}

// ---- fit histograms: per prediction (fit-histograms.ts) ------------------------------------
// In three steps, as the sketches.
let fitScans: i32 = 0;

/** Brings the fit histograms up to date; returns the customers to pass to fitRange, or -1 when current. */
export function fitBegin(): i32 {
  if (!fit.fitBegin()) return -1;
  fitScans++;
  return numCustomers;
}

export function fitRange(from: i32, to: i32): void {
  fit.fitRange(from, to);
}

export function fitEnd(): void {
  fit.fitEnd();
}

/** Full scans the fit histograms took so far (for tests: the others were updates from changes). */
export function fitScanCount(): i32 {
  return fitScans;
}

export function fitOut(): void {
  fit.fitOut();
}

export function fitPtr(which: i32): usize {
  return changetype<usize>(fit.fitArray(which));
}

export function fitLen(which: i32): i32 {
  return fit.fitArray(which).length;
}

// ---- classification --------------------------------------------------------------------
/** Room for a plan of `len` f64s; JS writes the plan there. Per snapshot. */
export function reservePlan(len: i32): usize {
  return planBuffer(len);
}

export function totalsPtr(): usize { return changetype<usize>(totals); }

/** Copies the record fields into the state columns, for columnPtr. Per export or serialize. */
export function exportColumns(): void {
  gatherColumns();
}

export function arenaBytes(): i32 { return arenaLen; }
export function stateBytes(): f64 { return recordBytes() + indexBytes() + arenaDayBytes() + sketch.sketchBytes() + classBytes(); }
export function currentIdMode(): i32 { return idMode; }

// ---- restore: JS writes the columns in, then the kernel rebuilds index and sketches ------
/**
 * Sizes the state for n customers, an id arena of arenaSize bytes and `days` purchase days; JS then
 * fills the columns.
 */
export function restoreBegin(n: i32, mode: i32, arenaSize: i32, days: i32): void {
  init(subBits);
  growTo(capacityFor(n));
  sketch.invalidateSketches();
  setRestored(n, arenaSize);
  setIdMode(mode);
  sizeColumns(n);
  sizeDays(days);
}

/** Rebuilds the records' day lists and the index from the restored columns (the sketches on the next snapshot). */
export function restoreEnd(): void {
  scatterColumns();
  rebuildIndex(index.length);
}
