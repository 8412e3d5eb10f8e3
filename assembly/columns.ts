// The state as columns, on the way out (exports, serialization) and in (restore), and the
// per-customer columns of an export and of exact ranks. Per export or restore, never per
// batch. Column order: src/abi/table.mjs (stateColumns). The plain core's twin:
// src/core/columns.ts.
import {
  COL_ARENA, COL_DAYS, COL_OUT_AOV, COL_OUT_AUDIENCES, COL_OUT_F, COL_OUT_M, COL_OUT_R, COL_OUT_RETENTION,
  DAY_MS, NO_SEGMENT,
  NUM_STATE_COLUMNS, R_LAST_DAY, R_LAST_TS, SK_AOV, SK_LAST_DAY, SK_ORDERS, SK_SPEND, STATE_COLUMN_COLD,
  STATE_COLUMN_OFFSET, STATE_COLUMN_WIDTH,
} from './abi';
import { outAov, outF, outM, outR, outRetention, outSegment, run } from './classify';
import { buildLists, copyDays, restoreDays, startLists } from './days';
import { audience, decodePlan, numAudiences } from './plan';
import {
  arena, cold, engagementsOf, lastTsOf, meanGap, numCustomers, ordersOf, purchaseDaysOf, rec, spendOf,
} from './records';

/** State column c's entries, NUM_STATE_COLUMNS of them; then the export columns. */
let stateCols = new StaticArray<StaticArray<u8>>(NUM_STATE_COLUMNS);

/** Room for n entries in every state column. */
export function sizeColumns(n: i32): void {
  for (let c = 0; c < NUM_STATE_COLUMNS; c++)
    unchecked((stateCols[c] = new StaticArray<u8>(n * unchecked(STATE_COLUMN_WIDTH[c]))));
}

// @ts-ignore: decorator
@inline
function fieldAddress(c: i32, s: i32): usize {
  return (unchecked(STATE_COLUMN_COLD[c]) != 0 ? cold(s) : rec(s)) + unchecked(STATE_COLUMN_OFFSET[c]);
}

/** Every customer's purchase days, in slot order (after gatherColumns, or written by a restore). */
let days = new StaticArray<i32>(0);

export function dayCount(): i32 {
  return days.length;
}

/** Room for a restore's `count` purchase days. */
export function sizeDays(count: i32): void {
  days = new StaticArray<i32>(count);
}

/** Copies every customer's fields into the state columns, and their purchase days into one list. */
export function gatherColumns(): void {
  const n = numCustomers;
  sizeColumns(n);
  buildLists();
  let count = 0;
  for (let s = 0; s < n; s++) count += <i32>purchaseDaysOf(s);
  days = new StaticArray<i32>(count);
  let at = changetype<usize>(days);
  for (let s = 0; s < n; s++) {
    const pd = purchaseDaysOf(s);
    if (pd == 0) continue;
    copyDays(rec(s), pd, at);
    at += <usize>pd << 2;
  }
  for (let c = 0; c < NUM_STATE_COLUMNS; c++) {
    const col = changetype<usize>(unchecked(stateCols[c]));
    const w = unchecked(STATE_COLUMN_WIDTH[c]);
    if (w == 8) for (let s = 0; s < n; s++) store<u64>(col + (<usize>s << 3), load<u64>(fieldAddress(c, s)));
    else if (w == 4) for (let s = 0; s < n; s++) store<u32>(col + (<usize>s << 2), load<u32>(fieldAddress(c, s)));
    else for (let s = 0; s < n; s++) store<u8>(col + <usize>s, load<u8>(fieldAddress(c, s)));
  }
}

/** Copies the state columns and day lists (written by a restore) into the records, and derives the last days. */
export function scatterColumns(): void {
  const n = numCustomers;
  for (let c = 0; c < NUM_STATE_COLUMNS; c++) {
    const col = changetype<usize>(unchecked(stateCols[c]));
    const w = unchecked(STATE_COLUMN_WIDTH[c]);
    if (w == 8) for (let s = 0; s < n; s++) store<u64>(fieldAddress(c, s), load<u64>(col + (<usize>s << 3)));
    else if (w == 4) for (let s = 0; s < n; s++) store<u32>(fieldAddress(c, s), load<u32>(col + (<usize>s << 2)));
    else for (let s = 0; s < n; s++) store<u8>(fieldAddress(c, s), load<u8>(col + <usize>s));
  }
  let at = changetype<usize>(days);
  startLists();
  for (let s = 0; s < n; s++) {
    const r = rec(s);
    store<i32>(r, <i32>Math.floor(load<f64>(r, R_LAST_TS) / DAY_MS), R_LAST_DAY);
    const pd = purchaseDaysOf(s);
    restoreDays(r, pd, at);
    at += <usize>pd << 2;
  }
}

// The export columns: scores, retention and segment of every customer under a plan (u8).
let exR = new StaticArray<u8>(0);
let exF = new StaticArray<u8>(0);
let exM = new StaticArray<u8>(0);
let exA = new StaticArray<u8>(0);
let exRet = new StaticArray<u8>(0);
let exSeg = new StaticArray<u8>(0);
/** Bit a: the customer is in audience a (prospects included: an audience may be of them). */
let exAud = new StaticArray<u32>(0);

/** Classifies every customer into the export columns (COL_OUT_*). Per export. */
export function exportRows(): void {
  decodePlan();
  const n = numCustomers;
  exR = new StaticArray<u8>(n);
  exF = new StaticArray<u8>(n);
  exM = new StaticArray<u8>(n);
  exA = new StaticArray<u8>(n);
  exRet = new StaticArray<u8>(n);
  exSeg = new StaticArray<u8>(n);
  exAud = new StaticArray<u32>(n);
  for (let s = 0; s < n; s++) {
    if (ordersOf(s) == 0) {
      unchecked((exRet[s] = NO_SEGMENT));
      unchecked((exSeg[s] = NO_SEGMENT));
      if (engagementsOf(s) > 0) {
        run(s);
        unchecked((exAud[s] = audienceBits()));
      }
      continue;
    }
    run(s);
    unchecked((exAud[s] = audienceBits()));
    unchecked((exR[s] = <u8>outR));
    unchecked((exF[s] = <u8>outF));
    unchecked((exM[s] = <u8>outM));
    unchecked((exA[s] = <u8>outAov));
    unchecked((exRet[s] = <u8>outRetention));
    unchecked((exSeg[s] = <u8>outSegment));
  }
}

/** The audiences of the customer run() classified last, a bit each. */
function audienceBits(): u32 {
  let bits: u32 = 0;
  for (let a = 0; a < numAudiences; a++) if (unchecked(audience[a]) != 0) bits |= <u32>1 << <u32>a;
  return bits;
}

/** State column `which` (COL_*, after gatherColumns), the arena, or an export column (after exportRows). */
export function columnPtr(which: i32): usize {
  if (which < NUM_STATE_COLUMNS) return changetype<usize>(unchecked(stateCols[which]));
  switch (which) {
    case COL_ARENA: return changetype<usize>(arena);
    case COL_DAYS: return changetype<usize>(days);
    case COL_OUT_R: return changetype<usize>(exR);
    case COL_OUT_F: return changetype<usize>(exF);
    case COL_OUT_M: return changetype<usize>(exM);
    case COL_OUT_AOV: return changetype<usize>(exA);
    case COL_OUT_RETENTION: return changetype<usize>(exRet);
    case COL_OUT_AUDIENCES: return changetype<usize>(exAud);
    default: return changetype<usize>(exSeg);
  }
}

// The values exact ranks sort: customers with an order, and the mean gap of those with two
// or more purchase days (shorter than the others).
let exLastTs = new StaticArray<f64>(0);
let exOrders = new StaticArray<f64>(0);
let exSpend = new StaticArray<f64>(0);
let exAov = new StaticArray<f64>(0);
let exGap = new StaticArray<f64>(0);
let exGapLen: i32 = 0;

/** Fills the exact-value arrays; returns how many customers have an order. Per exact snapshot. */
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

/** Exact values SK_* (SK_LAST_DAY: last order times). */
export function exactPtr(which: i32): usize {
  switch (which) {
    case SK_LAST_DAY: return changetype<usize>(exLastTs);
    case SK_ORDERS: return changetype<usize>(exOrders);
    case SK_SPEND: return changetype<usize>(exSpend);
    case SK_AOV: return changetype<usize>(exAov);
    default: return changetype<usize>(exGap);
  }
}
