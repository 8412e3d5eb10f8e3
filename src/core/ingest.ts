/**
 * Events into the plain core's state: the row loop that finds each row's customer (keys,
 * hashes, index slots and records read ahead in groups) and applies the event. The WASM
 * kernel's twin, assembly/ingest.ts, says why the groups.
 */
import * as abi from '../abi/abi.js';
import { bytesKeyInto, keyHash, shardOf } from './hash.js';
import type { DayLists } from './days.js';
import type { IndexTable } from './index-table.js';
import type { Records } from './records.js';
import type { ColumnBatch } from '../domain/types.js';

// The ABI's numbers as this module's own constants: V8 folds those into the code, not
// imported bindings (measured on the plain core's ingest: 15.9 -> 18.7 M rows/s).
const {
  CENTS,
  D_FIRST_TS,
  D_LAST_TS,
  D_MAX_ORDER,
  D_SPEND_CENTS,
  DAY_MS,
  GROUP,
  KIND_ORDER,
  KIND_REFUND,
  KIND_SKIP,
  DAYS_CHUNK_SHIFT,
  RECORD_DOUBLE_SHIFT: DOUBLE_SHIFT,
  RECORD_WORD_SHIFT: WORD_SHIFT,
  W_KEY_HI,
  W_KEY_LO,
  W_LAST_DAY,
  W_ORDERS,
} = abi;
const DAYS_CHUNK_MASK = (1 << DAYS_CHUNK_SHIFT) - 1;

// Rows looked up together (one thread runs one batch at a time: shared by every core).
const scratch = {
  row: new Int32Array(GROUP),
  lo: new Int32Array(GROUP),
  hi: new Int32Array(GROUP),
  hash: new Int32Array(GROUP),
  slot: new Int32Array(GROUP),
  word: new Int32Array(GROUP),
};
const keyScratch = new Int32Array(2);
/** Sum of the read-ahead loads, kept so nothing optimizes them away. */
let touched = 0;

/** Applies the rows of `batch` whose customer falls in `shard` of `numShards`. Per batch. */
export function ingestRows(
  records: Records,
  table: IndexTable,
  days: DayLists,
  batch: ColumnBatch,
  shard: number,
  numShards: number,
): void {
  const { ts, amount, kind, idWords, idOffsets, idBytes } = batch;
  const isUtf8 = batch.idMode === 'utf8';
  const key = keyScratch;
  // the scratch arrays as locals: read from the module's scope in every iteration they cost
  // ~8 % of the plain core's ingest
  const groupRow = scratch.row;
  const groupLo = scratch.lo;
  const groupHi = scratch.hi;
  const groupHash = scratch.hash;
  const groupSlot = scratch.slot;
  const groupWord = scratch.word;
  const rows = batch.numRows;
  let sum = touched;
  let i = 0;
  while (i < rows) {
    // 1. keys and hashes of the next GROUP rows of this shard, without a branch on the
    // row's shard: every row is written at n, n moves on for a row kept (assembly/ingest.ts)
    let n = 0;
    for (; i < rows && n < GROUP; i++) {
      let lo: number;
      let hi: number;
      if (isUtf8) {
        bytesKeyInto(key, idBytes!, idOffsets![i], idOffsets![i + 1]);
        lo = key[0];
        hi = key[1];
      } else {
        lo = idWords![2 * i];
        hi = idWords![2 * i + 1];
      }
      const h = keyHash(lo, hi);
      groupRow[n] = i;
      groupLo[n] = lo;
      groupHi[n] = hi;
      groupHash[n] = h;
      n += (kind[i] !== KIND_SKIP ? 1 : 0) & (numShards === 1 || shardOf(h, numShards) === shard ? 1 : 0);
    }
    // 2. read ahead each row's index slot; find the first entry with the row's tag; read
    // ahead the records those entries point at, in a loop of their own (assembly/ingest.ts)
    const index = table.index;
    const mask = table.mask;
    const i32 = records.i32;
    for (let j = 0; j < n; j++) sum = (sum + index[groupHash[j] & mask]) | 0;
    for (let j = 0; j < n; j++) {
      const s = table.firstTagged(groupHash[j]);
      groupSlot[j] = s;
      groupWord[j] = Math.max(s, 0) << WORD_SHIFT;
    }
    for (let j = 0; j < n; j++) sum = (sum + i32[groupWord[j]]) | 0;
    // once the lists are built, the last day of each one's list, where a new purchase day goes
    // (assembly/ingest.ts)
    if (days.listed) {
      const chunks = days.chunks;
      for (let j = 0; j < n; j++) {
        const at = days.lastDayIndex(records, Math.max(groupSlot[j], 0));
        sum = (sum + chunks[at >>> DAYS_CHUNK_SHIFT][at & DAYS_CHUNK_MASK]) | 0;
      }
    }
    // 3. apply, in row order; a slot found in step 2 is taken when its key is the row's
    // (a tag can match another customer's, and a customer new in this group has none yet)
    for (let j = 0; j < n; j++) {
      const row = groupRow[j];
      const before = records.numCustomers;
      const lo = groupLo[j];
      const hi = groupHi[j];
      let s = groupSlot[j];
      if (
        s < 0 ||
        records.i32[(s << WORD_SHIFT) + W_KEY_LO] !== lo ||
        records.i32[(s << WORD_SHIFT) + W_KEY_HI] !== hi
      ) {
        s = table.slotOf(lo, hi, groupHash[j]);
      }
      if (isUtf8 && records.numCustomers !== before) records.keepId(s, idBytes!, idOffsets![row], idOffsets![row + 1]);
      apply(records, days, s, kind[row], ts[row], amount[row]);
    }
  }
  touched = sum | 0;
}

/** Applies one event to customer s, as assembly/ingest.ts's apply. */
function apply(r: Records, days: DayLists, s: number, k: number, t: number, a: number): void {
  const w = s << WORD_SHIFT;
  const d = s << DOUBLE_SHIFT;
  const f64 = r.f64;
  const u32 = r.u32;
  const i32 = r.i32;
  if (k === KIND_ORDER && a >= 0) {
    const o = u32[w + W_ORDERS];
    f64[d + D_SPEND_CENTS] += Math.round(a * CENTS);
    const day = Math.floor(t / DAY_MS);
    if (o === 0) {
      f64[d + D_FIRST_TS] = t;
      f64[d + D_LAST_TS] = t;
      days.first(r, s, day);
      f64[d + D_MAX_ORDER] = a;
      r.firstDayCents[s] = Math.round(a * CENTS);
    } else {
      if (a > f64[d + D_MAX_ORDER]) f64[d + D_MAX_ORDER] = a;
      // the first day's orders (assembly/ingest.ts)
      const first = f64[d + D_FIRST_TS];
      if (t < first + DAY_MS) {
        const firstDay = Math.floor(first / DAY_MS);
        if (day < firstDay) r.firstDayCents[s] = Math.round(a * CENTS);
        else if (day === firstDay) r.firstDayCents[s] += Math.round(a * CENTS);
      }
      // a new day goes into the day list: appended when latest, placed among the others when late
      if (day !== i32[w + W_LAST_DAY]) days.add(r, s, day);
      if (t < f64[d + D_FIRST_TS]) f64[d + D_FIRST_TS] = t;
      if (t > f64[d + D_LAST_TS]) f64[d + D_LAST_TS] = t;
    }
    u32[w + W_ORDERS] = o + 1;
  } else if (k === KIND_ORDER || k === KIND_REFUND) {
    f64[d + D_SPEND_CENTS] -= Math.round(Math.abs(a) * CENTS);
  } else {
    const e = ++r.engagements[s];
    if (t > r.lastEngaged[s] || e === 1) r.lastEngaged[s] = t;
  }
}
