/**
 * The plain core's purchase-day lists: each customer's distinct purchase days, ascending,
 * in a block of 2^k days of an arena (offset in the record, count = purchase days), so a
 * late order is placed among the gaps; until the first late day, a journal in arrival order
 * instead. The WASM kernel's twin, assembly/days.ts, says why the blocks, the free lists and
 * the journal; the two keep the same lists, block for block.
 */
import * as abi from '../abi/abi.js';
import { RfmError } from '../domain/errors.js';
import type { Records } from './records.js';

// The ABI's numbers as this module's own constants (see records.ts).
const {
  D_GAP_SUM_SQ,
  DAYS_CHUNK_SHIFT,
  DAYS_FIRST_SHIFT,
  DAYS_JOURNAL_SHIFT: JOURNAL_SHIFT,
  DAYS_MIN_CLASS,
  RECORD_DOUBLE_SHIFT: DOUBLE_SHIFT,
  RECORD_WORD_SHIFT: WORD_SHIFT,
  W_DAYS_OFF,
  W_LAST_DAY,
  W_PURCHASE_DAYS,
} = abi;

const CHUNK_DAYS = 1 << DAYS_CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_DAYS - 1;
const NONE = -1;
const JOURNAL_CHUNK = 1 << JOURNAL_SHIFT;
const JOURNAL_MASK = JOURNAL_CHUNK - 1;
/**
 * The first chunk's first array, in entries: the first arena or journal chunk grows by
 * doubling up to its full size, as the WASM kernel's does, so an engine of a few customers
 * does not fill 8 MiB (bench/NOTES.md 57, 64); the chunks after it come whole (section 66).
 */
const FIRST_ENTRIES = 1 << DAYS_FIRST_SHIFT;

/** The array of `chunk` grown to hold index `end - 1` (a power of two, at most `full`). */
function grown(chunk: Int32Array, end: number, full: number): Int32Array {
  if (end <= chunk.length) return chunk;
  let length = chunk.length;
  while (length < end) length *= 2;
  const bigger = new Int32Array(Math.min(length, full));
  bigger.set(chunk);
  return bigger;
}

/** A journal entry that is no slot: the next entry is the day of the slots after it. */
const JOURNAL_MARK = -1;

/** log2 of the block that holds n days (n >= 1). */
function classOf(n: number): number {
  return n <= 1 << DAYS_MIN_CLASS ? DAYS_MIN_CLASS : 32 - Math.clz32(n - 1);
}

export class DayLists {
  /** The arena's chunks; the first is there from the start, as the read-ahead in ingest needs. */
  chunks: Int32Array[] = [new Int32Array(FIRST_ENTRIES)];
  private used = 0;
  private readonly freeHead = new Int32Array(DAYS_CHUNK_SHIFT + 1).fill(NONE);
  /** The lists are built; before, the journal holds every new purchase day (assembly/days.ts says how). */
  listed = false;
  private journalChunks: Int32Array[] = [];
  private journalLen = 0;
  private journalDay = 0;
  private journalMarks = 0;
  private journalReview = JOURNAL_CHUNK;

  private journalPush(v: number): void {
    const c = this.journalLen >>> JOURNAL_SHIFT;
    const i = this.journalLen++ & JOURNAL_MASK;
    if (c === this.journalChunks.length)
      this.journalChunks.push(new Int32Array(c === 0 ? FIRST_ENTRIES : JOURNAL_CHUNK));
    else if (i === this.journalChunks[c].length)
      this.journalChunks[c] = grown(this.journalChunks[c], i + 1, JOURNAL_CHUNK);
    this.journalChunks[c][i] = v;
  }

  private journal(s: number, day: number): void {
    if (day !== this.journalDay || this.journalLen === 0) {
      this.journalPush(JOURNAL_MARK);
      this.journalPush(day);
      this.journalDay = day;
      this.journalMarks++;
    }
    this.journalPush(s);
  }

  /** Builds the lists once marks are over half the journal (assembly/days.ts's reviewJournal). */
  private reviewJournal(r: Records): void {
    if (this.listed || this.journalLen < this.journalReview) return;
    if (this.journalMarks * 4 > this.journalLen) this.buildLists(r);
    else this.journalReview += JOURNAL_CHUNK;
  }

  /** Every customer's list from the journal, once (assembly/days.ts's buildLists). */
  buildLists(r: Records): void {
    if (this.listed) return;
    this.listed = true;
    const n = r.numCustomers;
    for (let s = 0; s < n; s++) {
      const pd = r.purchaseDays(s);
      if (pd > 0) r.u32[(s << WORD_SHIFT) + W_DAYS_OFF] = this.alloc(classOf(pd));
    }
    const filled = new Uint32Array(n);
    let day = 0;
    for (let i = 0; i < this.journalLen; i++) {
      const s = this.journalChunks[i >>> JOURNAL_SHIFT][i & JOURNAL_MASK];
      if (s === JOURNAL_MARK) {
        i++;
        day = this.journalChunks[i >>> JOURNAL_SHIFT][i & JOURNAL_MASK];
        continue;
      }
      this.set(r.u32[(s << WORD_SHIFT) + W_DAYS_OFF] + filled[s]++, day);
    }
    this.dropJournal();
  }

  /** A restore writes the lists themselves. */
  startLists(): void {
    this.listed = true;
    this.dropJournal();
  }

  private dropJournal(): void {
    this.journalChunks = [];
    this.journalLen = 0;
    this.journalMarks = 0;
    this.journalReview = JOURNAL_CHUNK;
  }

  private get(at: number): number {
    return this.chunks[at >>> DAYS_CHUNK_SHIFT][at & CHUNK_MASK];
  }

  private set(at: number, day: number): void {
    this.chunks[at >>> DAYS_CHUNK_SHIFT][at & CHUNK_MASK] = day;
  }

  private alloc(k: number): number {
    if (k > DAYS_CHUNK_SHIFT)
      throw new RfmError('RFM_ERR_INPUT', `a customer has more than ${CHUNK_DAYS} purchase days`);
    const head = this.freeHead[k];
    if (head !== NONE) {
      this.freeHead[k] = this.get(head);
      return head;
    }
    const size = 1 << k;
    let at = this.used;
    if ((at & CHUNK_MASK) + size > CHUNK_DAYS) at = (at + CHUNK_MASK) & ~CHUNK_MASK;
    const c = at >>> DAYS_CHUNK_SHIFT;
    if (c >= this.chunks.length) this.chunks.push(new Int32Array(c === 0 ? FIRST_ENTRIES : CHUNK_DAYS));
    this.chunks[c] = grown(this.chunks[c], (at & CHUNK_MASK) + size, CHUNK_DAYS);
    this.used = at + size;
    return at;
  }

  private release(at: number, k: number): void {
    this.set(at, this.freeHead[k]);
    this.freeHead[k] = at;
  }

  /** Where the last day of customer s's list lies in the arena (its first slot when it has none yet). */
  lastDayIndex(r: Records, s: number): number {
    const w = s << WORD_SHIFT;
    const n = r.u32[w + W_PURCHASE_DAYS];
    return r.u32[w + W_DAYS_OFF] + (n > 0 ? n - 1 : 0);
  }

  /** Customer s's first purchase day. */
  first(r: Records, s: number, day: number): void {
    const w = s << WORD_SHIFT;
    this.reviewJournal(r);
    if (this.listed) {
      const at = this.alloc(DAYS_MIN_CLASS);
      this.set(at, day);
      r.u32[w + W_DAYS_OFF] = at;
    } else {
      this.journal(s, day);
    }
    r.u32[w + W_PURCHASE_DAYS] = 1;
    r.i32[w + W_LAST_DAY] = day;
  }

  /** The list of customer s, moved to a block twice as large when it is full (n days). */
  private roomFor(r: Records, s: number, n: number): number {
    const w = s << WORD_SHIFT;
    const at = r.u32[w + W_DAYS_OFF];
    if (n < 1 << DAYS_MIN_CLASS || (n & (n - 1)) !== 0) return at;
    const k = classOf(n);
    const to = this.alloc(k + 1);
    for (let i = 0; i < n; i++) this.set(to + i, this.get(at + i));
    this.release(at, k);
    r.u32[w + W_DAYS_OFF] = to;
    return to;
  }

  /** Adds purchase day `day` to customer s (who has a first day), if new, as assembly/days.ts's addDay. */
  add(r: Records, s: number, day: number): void {
    const w = s << WORD_SHIFT;
    const d = s << DOUBLE_SHIFT;
    const n = r.u32[w + W_PURCHASE_DAYS];
    const last = r.i32[w + W_LAST_DAY];
    if (day > last) {
      this.reviewJournal(r);
      if (this.listed) this.set(this.roomFor(r, s, n) + n, day);
      else this.journal(s, day);
      const g = day - last;
      r.f64[d + D_GAP_SUM_SQ] += g * g;
      r.u32[w + W_PURCHASE_DAYS] = n + 1;
      r.i32[w + W_LAST_DAY] = day;
      return;
    }
    this.buildLists(r);
    // late: binary search within the block (contiguous in one chunk)
    const at = r.u32[w + W_DAYS_OFF];
    const chunk = this.chunks[at >>> DAYS_CHUNK_SHIFT];
    const base = at & CHUNK_MASK;
    let lo = 0;
    let len = n;
    while (len > 1) {
      const half = len >>> 1;
      lo = chunk[base + lo + half - 1] < day ? lo + half : lo;
      len -= half;
    }
    const next = chunk[base + lo];
    if (next === day) return;
    const delta = lo === 0 ? (next - day) * (next - day) : -2 * (day - chunk[base + lo - 1]) * (next - day);
    const to = this.roomFor(r, s, n);
    const into = this.chunks[to >>> DAYS_CHUNK_SHIFT];
    const from = to & CHUNK_MASK;
    into.copyWithin(from + lo + 1, from + lo, from + n);
    into[from + lo] = day;
    r.f64[d + D_GAP_SUM_SQ] += delta;
    r.u32[w + W_PURCHASE_DAYS] = n + 1;
  }

  /** Customer s's days (count n) into out from index `into`. */
  copy(r: Records, s: number, n: number, out: Int32Array, into: number): void {
    const at = r.u32[(s << WORD_SHIFT) + W_DAYS_OFF];
    for (let i = 0; i < n; i++) out[into + i] = this.get(at + i);
  }

  /** A restored customer's n days, from src at `from`. */
  restore(r: Records, s: number, n: number, src: Int32Array, from: number): void {
    if (n === 0) return;
    const at = this.alloc(classOf(n));
    for (let i = 0; i < n; i++) this.set(at + i, src[from + i]);
    r.u32[(s << WORD_SHIFT) + W_DAYS_OFF] = at;
  }
}
