/**
 * Per-customer state of the plain core: a 64-byte record per customer (the fields one order
 * touches, one cache line; layout: src/abi/table.mjs), read through three views of one
 * buffer, and cold columns for the fields an order never touches. The WASM kernel's twin:
 * assembly/records.ts (which keeps the cold fields in cold records instead).
 */
import * as abi from '../abi/abi.js';
import { askHugePages } from '../native/huge-pages.js';

// The ABI's numbers as this module's own constants: V8 folds those into the code, not
// imported bindings (measured on the plain core's ingest: 15.9 -> 18.7 M rows/s).
const {
  CENTS,
  D_FIRST_TS,
  D_LAST_TS,
  D_SPEND_CENTS,
  DAY_MS,
  NO_SEGMENT,
  RECORD_BYTES,
  RECORD_DOUBLE_SHIFT: DOUBLE_SHIFT,
  RECORD_WORD_SHIFT: WORD_SHIFT,
  W_KEY_HI,
  W_KEY_LO,
  W_LAST_DAY,
  W_ORDERS,
  W_PURCHASE_DAYS,
} = abi;

export class Records {
  numCustomers = 0;
  cap = 0;
  i32: Int32Array = new Int32Array(0);
  u32: Uint32Array = new Uint32Array(0);
  f64: Float64Array = new Float64Array(0);
  lastEngaged: Float64Array = new Float64Array(0);
  firstDayCents: Float64Array = new Float64Array(0);
  engagements: Uint32Array = new Uint32Array(0);
  idOff: Uint32Array = new Uint32Array(0);
  idLen: Uint32Array = new Uint32Array(0);
  segment: Uint8Array = new Uint8Array(0);
  /** utf8 ids, kept once per customer so exports can name the customer. */
  arena: Uint8Array = new Uint8Array(0);
  arenaLen = 0;

  /** Room for `cap` customers (the index is the caller's: IndexTable.growTo). */
  grow(cap: number): void {
    const n = this.numCustomers;
    const buffer = new ArrayBuffer(cap * RECORD_BYTES);
    // the same hint the WASM kernel's memory gets: the baseline keeps the same footing
    askHugePages(buffer);
    const f64 = new Float64Array(buffer);
    f64.set(this.f64.subarray(0, n << DOUBLE_SHIFT));
    this.f64 = f64;
    this.i32 = new Int32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    const grown = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, b: T): T => {
      b.set(a.subarray(0, n));
      return b;
    };
    this.lastEngaged = grown(this.lastEngaged, new Float64Array(cap));
    this.firstDayCents = grown(this.firstDayCents, new Float64Array(cap));
    this.engagements = grown(this.engagements, new Uint32Array(cap));
    this.idOff = grown(this.idOff, new Uint32Array(cap));
    this.idLen = grown(this.idLen, new Uint32Array(cap));
    this.segment = grown(this.segment, new Uint8Array(cap));
    this.cap = cap;
  }

  /** A new customer with key (lo, hi), zeroed, in no segment; returns its slot (capacity must be there). */
  add(lo: number, hi: number): number {
    const s = this.numCustomers++;
    this.f64.fill(0, s << DOUBLE_SHIFT, (s + 1) << DOUBLE_SHIFT);
    this.i32[(s << WORD_SHIFT) + W_KEY_LO] = lo;
    this.i32[(s << WORD_SHIFT) + W_KEY_HI] = hi;
    this.lastEngaged[s] = 0;
    this.firstDayCents[s] = 0;
    this.engagements[s] = 0;
    this.idOff[s] = 0;
    this.idLen[s] = 0;
    this.segment[s] = NO_SEGMENT;
    return s;
  }

  /** Keeps customer s's string id (bytes [start, end)) in the arena. */
  keepId(s: number, bytes: Uint8Array, start: number, end: number): void {
    const len = end - start;
    if (this.arenaLen + len > this.arena.length) {
      const next = new Uint8Array(Math.max(this.arena.length * 2, this.arenaLen + len, 4096));
      next.set(this.arena.subarray(0, this.arenaLen));
      this.arena = next;
    }
    this.arena.set(bytes.subarray(start, end), this.arenaLen);
    this.idOff[s] = this.arenaLen;
    this.idLen[s] = len;
    this.arenaLen += len;
  }

  orders(s: number): number {
    return this.u32[(s << WORD_SHIFT) + W_ORDERS];
  }

  purchaseDays(s: number): number {
    return this.u32[(s << WORD_SHIFT) + W_PURCHASE_DAYS];
  }

  spend(s: number): number {
    return this.f64[(s << DOUBLE_SHIFT) + D_SPEND_CENTS] / CENTS;
  }

  lastTs(s: number): number {
    return this.f64[(s << DOUBLE_SHIFT) + D_LAST_TS];
  }

  firstTs(s: number): number {
    return this.f64[(s << DOUBLE_SHIFT) + D_FIRST_TS];
  }

  lastDay(s: number): number {
    return this.i32[(s << WORD_SHIFT) + W_LAST_DAY];
  }

  /** The UTC day of the first order: only snapshots need it, so it is not kept (assembly/records.ts). */
  firstDay(s: number): number {
    return Math.floor(this.firstTs(s) / DAY_MS);
  }

  /** Mean gap in days between consecutive purchase days (the gaps telescope to last - first). */
  meanGap(s: number): number {
    return (this.lastDay(s) - this.firstDay(s)) / (this.purchaseDays(s) - 1);
  }
}
