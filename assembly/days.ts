// Each customer's distinct purchase days (UTC day numbers, ascending), so that a late order
// is placed among the gaps: purchase days, the gap sum and the gap sum of squares are then
// the same for every arrival order and every split into batches. A customer's days live in
// a block of 2^k days (k >= 1) of an arena beside the records; the record holds the block's
// offset (R_DAYS_OFF) and the count (R_PURCHASE_DAYS), so the capacity is the power of two
// at or above the count (at least 2^DAYS_MIN_CLASS). A new last day is appended; a block that
// fills moves to one twice its size, and the old one goes to a free list of its size for
// the next customer that needs one. The plain core's twin: src/core/days.ts.
//
// The lists are needed only once a late day comes: until a shard meets its first, its new
// purchase days go to a journal in arrival order (slots, and each day once), written in turn,
// and time-ordered input never pays a write at a random place beside the record's. The first
// late day, or a serialization, builds every list from the journal in one pass (each
// customer's block sized by its count, its days in journal order, which is ascending).
import {
  DAYS_CHUNK_SHIFT, DAYS_FIRST_SHIFT, DAYS_JOURNAL_SHIFT, DAYS_MIN_CLASS, R_DAYS_OFF, R_GAP_SUM_SQ, R_LAST_DAY,
  R_PURCHASE_DAYS,
} from './abi';
import { numCustomers, rec } from './records';

// The arena grows by chunks of 2^DAYS_CHUNK_SHIFT days (4 MiB); a block never straddles two
// chunks, so one customer has at most CHUNK_DAYS purchase days. The first chunk starts at
// 2^DAYS_FIRST_SHIFT days and doubles as it fills (copied, its addresses kept: an address
// is a day's place in the arena, not in memory), so an engine of a few customers holds
// kilobytes: a whole first chunk and journal were 8 of an engine's 8.7 MiB, and the GC of
// thousands of small engines a third of a test's time (bench/NOTES.md 64). The chunks after
// it come whole: grown ones left the copies they outgrew behind, 190 MB more peak RSS at
// 10^7 customers (section 66).
const CHUNK_SHIFT: u32 = DAYS_CHUNK_SHIFT;
export const CHUNK_DAYS: u32 = 1 << CHUNK_SHIFT;
const CHUNK_MASK: u32 = CHUNK_DAYS - 1;
const NONE: u32 = 0xffffffff;
const MIN_CLASS: u32 = DAYS_MIN_CLASS;
let chunkBlocks = new Array<StaticArray<i32>>(0);
let chunkBase = new StaticArray<usize>(0);
/** Days handed out so far: the arena's end. */
let used: u32 = 0;
/** Head of the free list of blocks of 2^k days (NONE: empty); a free block's first day holds the next. */
let freeHead = new StaticArray<u32>(<i32>CHUNK_SHIFT + 1);

/** The lists are built (after a late day, a serialization or a restore); before, the journal holds the days. */
export let listed = false;
// The journal: i32 entries in chunks of 2^JOURNAL_SHIFT (4 MiB). An entry is a slot (>= 0),
// whose day is the last one marked before it; a mark is JOURNAL_MARK then the day. Input in
// time order marks a day once, so a purchase day costs 4 bytes; input whose days jump from
// entry to entry (customer after customer, say) would cost 12, so once marks fill over half
// the journal the lists are built instead (reviewJournal).
const JOURNAL_SHIFT: u32 = DAYS_JOURNAL_SHIFT;
const JOURNAL_MASK: u32 = (1 << JOURNAL_SHIFT) - 1;
const JOURNAL_MARK: i32 = -1;
let journalBlocks = new Array<StaticArray<i32>>(0);
let journalBase = new StaticArray<usize>(0);
let journalLen: u32 = 0;
let journalDay: i32 = 0;
let journalMarks: u32 = 0;
/** The journal's length at which reviewJournal looks at its marks next. */
let journalReview: u32 = 1 << JOURNAL_SHIFT;

// @ts-ignore: decorator
@inline
function journalAt(i: u32): usize {
  return unchecked(journalBase[i >>> JOURNAL_SHIFT]) + (<usize>(i & JOURNAL_MASK) << 2);
}

/**
 * A chunk of `n` i32s, not zero-filled: every slot is written before it is read (a list's
 * days up to its count, the journal up to its length, and serialization copies no more), and
 * filling 4 MiB touches every page of it: 15 ms of an engine's start, the first chunk made
 * at init whatever the input (bench/NOTES.md 57).
 */
function unfilledBlock(n: i32): StaticArray<i32> {
  return changetype<StaticArray<i32>>(__new(<usize>n << 2, idof<StaticArray<i32>>()));
}

const FIRST_ENTRIES: i32 = 1 << DAYS_FIRST_SHIFT;

/** `block` grown by doubling to hold index end - 1, at most `full` entries (itself when it does). */
function grownBlock(block: StaticArray<i32>, end: i32, full: i32): StaticArray<i32> {
  if (end <= block.length) return block;
  let length = block.length;
  while (length < end) length <<= 1;
  const bigger = unfilledBlock(min(length, full));
  memory.copy(changetype<usize>(bigger), changetype<usize>(block), <usize>block.length << 2);
  return bigger;
}

/** The bases of a list of blocks, one more block pushed. */
function pushBlock(blocks: Array<StaticArray<i32>>, block: StaticArray<i32>): StaticArray<usize> {
  blocks.push(block);
  const bases = new StaticArray<usize>(blocks.length);
  for (let c = 0; c < blocks.length; c++) unchecked((bases[c] = changetype<usize>(unchecked(blocks[c]))));
  return bases;
}

function journalPush(v: i32): void {
  const c = <i32>(journalLen >>> JOURNAL_SHIFT);
  const i = <i32>(journalLen & JOURNAL_MASK);
  if (c == journalBlocks.length)
    journalBase = pushBlock(journalBlocks, unfilledBlock(c == 0 ? FIRST_ENTRIES : <i32>(1 << JOURNAL_SHIFT)));
  else if (i == unchecked(journalBlocks[c]).length) {
    const bigger = grownBlock(unchecked(journalBlocks[c]), i + 1, <i32>(1 << JOURNAL_SHIFT));
    unchecked((journalBlocks[c] = bigger));
    unchecked((journalBase[c] = changetype<usize>(bigger)));
  }
  store<i32>(journalAt(journalLen++), v);
}

/** Customer s has a new purchase day (lists not built yet). */
// @ts-ignore: decorator
@inline
function journal(s: i32, day: i32): void {
  if (day != journalDay || journalLen == 0) {
    journalPush(JOURNAL_MARK);
    journalPush(day);
    journalDay = day;
    journalMarks++;
  }
  journalPush(s);
}

/** Builds the lists if the journal is more marks than days (before a day is added: counts as they were). */
// @ts-ignore: decorator
@inline
function reviewJournal(): void {
  if (listed || journalLen < journalReview) return;
  if (journalMarks << 2 > journalLen) buildLists();
  else journalReview += 1 << JOURNAL_SHIFT;
}

function dropJournal(): void {
  journalBlocks = new Array<StaticArray<i32>>(0);
  journalBase = new StaticArray<usize>(0);
  journalLen = 0;
  journalMarks = 0;
  journalReview = 1 << JOURNAL_SHIFT;
}

/** Every customer's list from the journal, once: before the first late day or a serialization. */
export function buildLists(): void {
  if (listed) return;
  listed = true;
  const n = numCustomers;
  for (let s = 0; s < n; s++) {
    const r = rec(s);
    const pd = load<u32>(r, R_PURCHASE_DAYS);
    if (pd > 0) store<u32>(r, alloc(classOf(pd)), R_DAYS_OFF);
  }
  const filled = new StaticArray<u32>(n);
  let day: i32 = 0;
  for (let i: u32 = 0; i < journalLen; i++) {
    const s = load<i32>(journalAt(i));
    if (s == JOURNAL_MARK) {
      day = load<i32>(journalAt(++i));
      continue;
    }
    const k = unchecked(filled[s]);
    store<i32>(dayAt(load<u32>(rec(s), R_DAYS_OFF) + k), day);
    unchecked((filled[s] = k + 1));
  }
  dropJournal();
}

/** A restore writes the lists themselves. */
export function startLists(): void {
  listed = true;
  dropJournal();
}

export function resetDays(): void {
  chunkBlocks = new Array<StaticArray<i32>>(0);
  chunkBase = new StaticArray<usize>(0);
  used = 0;
  freeHead.fill(NONE);
  listed = false;
  dropJournal();
  // a first chunk, so that every day address the read-ahead in ingest makes is in memory
  alloc(MIN_CLASS);
  used = 0;
}

/** Address of day slot `at` of the arena. */
// @ts-ignore: decorator
@inline
export function dayAt(at: u32): usize {
  return unchecked(chunkBase[at >>> CHUNK_SHIFT]) + (<usize>(at & CHUNK_MASK) << 2);
}

/** log2 of the block that holds n days (n >= 1). */
// @ts-ignore: decorator
@inline
function classOf(n: u32): u32 {
  return n <= (<u32>1 << MIN_CLASS) ? MIN_CLASS : 32 - clz<u32>(n - 1);
}

/** A block of 2^k days: from its free list, else from the arena's end. */
function alloc(k: u32): u32 {
  if (k > CHUNK_SHIFT) unreachable(); // a customer with over a million purchase days
  const head = unchecked(freeHead[k]);
  if (head != NONE) {
    unchecked((freeHead[k] = <u32>load<i32>(dayAt(head))));
    return head;
  }
  const size: u32 = 1 << k;
  let at = used;
  if ((at & CHUNK_MASK) + size > CHUNK_DAYS) at = (at + CHUNK_MASK) & ~CHUNK_MASK;
  const chunk = <i32>(at >>> CHUNK_SHIFT);
  if (chunk >= chunkBlocks.length)
    chunkBase = pushBlock(chunkBlocks, unfilledBlock(chunk == 0 ? FIRST_ENTRIES : <i32>CHUNK_DAYS));
  const end = <i32>((at & CHUNK_MASK) + size);
  if (end > unchecked(chunkBlocks[chunk]).length) {
    const bigger = grownBlock(unchecked(chunkBlocks[chunk]), end, <i32>CHUNK_DAYS);
    unchecked((chunkBlocks[chunk] = bigger));
    unchecked((chunkBase[chunk] = changetype<usize>(bigger)));
  }
  used = at + size;
  return at;
}

function release(at: u32, k: u32): void {
  store<i32>(dayAt(at), <i32>unchecked(freeHead[k]));
  unchecked((freeHead[k] = at));
}

/** Where the last day of the list of the customer at r lies (its first slot when it has none yet). */
// @ts-ignore: decorator
@inline
export function lastDayAddress(r: usize): usize {
  const n = load<u32>(r, R_PURCHASE_DAYS);
  return dayAt(load<u32>(r, R_DAYS_OFF) + (n > 0 ? n - 1 : 0));
}

/** Customer s's (record r's) first purchase day: its list, of one day, or the journal's. */
export function firstPurchaseDay(s: i32, r: usize, day: i32): void {
  reviewJournal();
  if (listed) {
    const at = alloc(MIN_CLASS);
    store<i32>(dayAt(at), day);
    store<u32>(r, at, R_DAYS_OFF);
  } else {
    journal(s, day);
  }
  store<u32>(r, 1, R_PURCHASE_DAYS);
  store<i32>(r, day, R_LAST_DAY);
}

/** The list at r, moved to a block twice as large when it is full (n days). Returns its offset. */
function roomFor(r: usize, n: u32): u32 {
  const at = load<u32>(r, R_DAYS_OFF);
  if (n < (<u32>1 << MIN_CLASS) || (n & (n - 1)) != 0) return at;
  const k = classOf(n);
  const to = alloc(k + 1);
  memory.copy(dayAt(to), dayAt(at), <usize>n << 2);
  release(at, k);
  store<u32>(r, to, R_DAYS_OFF);
  return to;
}

/**
 * Adds purchase day `day` to customer s at r (who has a first day), if new: the count,
 * the gap sum of squares and the last day follow. Per order on a day other than the last.
 */
export function addDay(s: i32, r: usize, day: i32): void {
  const n = load<u32>(r, R_PURCHASE_DAYS);
  const last = load<i32>(r, R_LAST_DAY);
  if (day > last) {
    // in order: appended
    reviewJournal();
    if (listed) {
      const at = roomFor(r, n);
      store<i32>(dayAt(at + n), day);
    } else {
      journal(s, day);
    }
    const g = <f64>(day - last);
    store<f64>(r, load<f64>(r, R_GAP_SUM_SQ) + g * g, R_GAP_SUM_SQ);
    store<u32>(r, n + 1, R_PURCHASE_DAYS);
    store<i32>(r, day, R_LAST_DAY);
    return;
  }
  buildLists();
  // late: the first day at or after it, by binary search (a block is contiguous: one base)
  const base = dayAt(load<u32>(r, R_DAYS_OFF));
  // branch-free: the number of steps depends on n only, not on the days (a data-dependent
  // branch a step was most of a late order's cost)
  let lo: u32 = 0;
  let len: u32 = n;
  while (len > 1) {
    const half = len >>> 1;
    lo = select<u32>(lo + half, lo, load<i32>(base + (<usize>(lo + half - 1) << 2)) < day);
    len -= half;
  }
  const nextDay = load<i32>(base + (<usize>lo << 2));
  if (nextDay == day) return;
  // between the day before (if any) and the day after: the one gap becomes two
  const next = <f64>nextDay;
  const x = <f64>day;
  let delta: f64;
  if (lo == 0) delta = (next - x) * (next - x);
  else {
    const prev = <f64>load<i32>(base + (<usize>(lo - 1) << 2));
    delta = -2 * (x - prev) * (next - x);
  }
  const to = dayAt(roomFor(r, n));
  memory.copy(to + (<usize>(lo + 1) << 2), to + (<usize>lo << 2), <usize>(n - lo) << 2);
  store<i32>(to + (<usize>lo << 2), day);
  store<f64>(r, load<f64>(r, R_GAP_SUM_SQ) + delta, R_GAP_SUM_SQ);
  store<u32>(r, n + 1, R_PURCHASE_DAYS);
}

/** The days of the list at r (count n) into out, in order. */
export function copyDays(r: usize, n: u32, out: usize): void {
  memory.copy(out, dayAt(load<u32>(r, R_DAYS_OFF)), <usize>n << 2);
}

/** A list of n days read from src (ascending), for a restored customer at r. */
export function restoreDays(r: usize, n: u32, src: usize): void {
  if (n == 0) return;
  const k = classOf(n);
  const at = alloc(k);
  memory.copy(dayAt(at), src, <usize>n << 2);
  store<u32>(r, at, R_DAYS_OFF);
}

/** Bytes of the arena's chunks and the journal's. */
export function arenaDayBytes(): f64 {
  let entries: f64 = 0;
  for (let c = 0; c < chunkBlocks.length; c++) entries += <f64>unchecked(chunkBlocks[c]).length;
  for (let c = 0; c < journalBlocks.length; c++) entries += <f64>unchecked(journalBlocks[c]).length;
  return entries * 4;
}
