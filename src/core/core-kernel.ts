/**
 * The plain TypeScript core: the same per-customer state, sketches and classification as
 * the WASM kernel (assembly/), written as well as plain JS allows (typed-array columns, no
 * per-row objects), so that it is both the reference the kernel is checked against and a
 * fair baseline for the kernel's speed. Keep it in step with assembly/state.ts.
 */
import {
  DAY_BUCKETS, DAY_MS, ORDERS_BUCKETS, dayIndexBucket, moneyBucket, moneyBuckets, ordersBucket,
} from './buckets.js';
import { bytesKeyInto, keyHash, shardOf } from './hash.js';
import {
  MODE_SKETCH, P_AS_OF, P_CUTS, P_MEDIAN_SPEND, P_MODE, P_NUM_RETENTION, P_STORE_GAP, P_SUB_BITS,
  totalsLayout,
} from './plan.js';
import { Field, Kind, Op } from './types.js';
import type { ColumnBatch, CustomerRows, ExactValues, IdMode, Kernel, Sketches } from './types.js';
import { readState, writeState } from './state-format.js';
import { askHugePages } from '../kernel/huge-pages.js';

const NO_SEGMENT = 255;

// Record layout, as in assembly/layout.ts: 64 bytes per customer, one cache line per order.
// Int32 word offsets (record s starts at word s << 4) and Float64 offsets (s << 3):
const W_KEY_LO = 0;
const W_KEY_HI = 1;
const W_ORDERS = 2;
const W_PURCHASE_DAYS = 3;
const D_FIRST_TS = 2;
const D_LAST_TS = 3;
const D_SPEND = 4;
const D_MAX_ORDER = 5;
const D_GAP_SUM_SQ = 6;
/** UTC days of firstTs and lastTs, kept so an order needs one division, not three. */
const W_FIRST_DAY = 14;
const W_LAST_DAY = 15;
/** Stored order of the record fields (state-format.ts): f64 fields, then 32-bit ones. */
const F64_FIELDS = [D_FIRST_TS, D_LAST_TS, D_SPEND, D_MAX_ORDER, D_GAP_SUM_SQ];
const I32_FIELDS = [W_KEY_LO, W_KEY_HI, W_ORDERS, W_PURCHASE_DAYS];

/** Rows looked up together: their index slots and records are read ahead of the updates. */
const GROUP = 256;

export class CoreKernel implements Kernel {
  readonly subBits: number;
  numCustomers = 0;
  private idMode: IdMode | null = null;
  private cap = 0;
  // records: three views of one buffer
  private i32: Int32Array = new Int32Array(0);
  private u32: Uint32Array = new Uint32Array(0);
  private f64: Float64Array = new Float64Array(0);
  // cold columns
  private lastEngaged: Float64Array = new Float64Array(0);
  private engagements: Uint32Array = new Uint32Array(0);
  private idOff: Uint32Array = new Uint32Array(0);
  private idLen: Uint32Array = new Uint32Array(0);
  private segment: Uint8Array = new Uint8Array(0);
  // utf8 ids, kept once per customer so exports can name the customer
  private arena: Uint8Array = new Uint8Array(0);
  private arenaLen = 0;
  // open-addressing index: (hash tag << indexBits) | (slot + 1), 0 = empty; load <= 1/2
  // (see tagOf and assembly/state.ts)
  private index: Int32Array = new Int32Array(0);
  private indexMask = 0;
  private indexBits = 0;
  // sketches, built when a snapshot asks (buildSketches)
  private skLastDay: Uint32Array = new Uint32Array(DAY_BUCKETS);
  private skOrders: Uint32Array = new Uint32Array(ORDERS_BUCKETS);
  private skSpend: Uint32Array;
  private skAov: Uint32Array;
  private skGap: Uint32Array;
  private readonly keyScratch = new Int32Array(2);
  private readonly groupRow = new Int32Array(GROUP);
  private readonly groupLo = new Int32Array(GROUP);
  private readonly groupHi = new Int32Array(GROUP);
  private readonly groupHash = new Int32Array(GROUP);
  private readonly groupSlot = new Int32Array(GROUP);
  private readonly groupWord = new Int32Array(GROUP);
  /** rebuildIndex's own: it runs inside ingest (when the state grows) with a group in flight. */
  private readonly rebuildHash = new Int32Array(GROUP);
  /** Sum of the read-ahead loads, kept so nothing optimizes them away. */
  private touched = 0;

  constructor(subBits = 7) {
    this.subBits = subBits;
    const nb = moneyBuckets(subBits);
    this.skSpend = new Uint32Array(nb);
    this.skAov = new Uint32Array(nb);
    this.skGap = new Uint32Array(nb);
    this.grow(1024);
  }

  private grow(cap: number): void {
    const n = this.numCustomers;
    const buffer = new ArrayBuffer(cap * 64);
    // the same hint the WASM kernel's memory gets: the baseline keeps the same footing
    askHugePages(buffer);
    const f64 = new Float64Array(buffer);
    f64.set(this.f64.subarray(0, n * 8));
    this.f64 = f64;
    this.i32 = new Int32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    const grown = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, b: T): T => {
      b.set(a.subarray(0, n));
      return b;
    };
    this.lastEngaged = grown(this.lastEngaged, new Float64Array(cap));
    this.engagements = grown(this.engagements, new Uint32Array(cap));
    this.idOff = grown(this.idOff, new Uint32Array(cap));
    this.idLen = grown(this.idLen, new Uint32Array(cap));
    this.segment = grown(this.segment, new Uint8Array(cap));
    this.cap = cap;
    this.rebuildIndex(cap * 2);
  }

  /** A fresh index for the customers held, in groups as assembly/state.ts does it. */
  private rebuildIndex(size: number): void {
    const index = (this.index = new Int32Array(size));
    askHugePages(index.buffer);
    const mask = (this.indexMask = size - 1);
    this.indexBits = 31 - Math.clz32(size);
    const hashes = this.rebuildHash;
    let touched = this.touched;
    for (let s0 = 0; s0 < this.numCustomers; s0 += GROUP) {
      const n = Math.min(GROUP, this.numCustomers - s0);
      for (let j = 0; j < n; j++) hashes[j] = keyHash(this.i32[((s0 + j) << 4) + W_KEY_LO], this.i32[((s0 + j) << 4) + W_KEY_HI]);
      for (let j = 0; j < n; j++) touched = (touched + index[hashes[j] & mask]) | 0;
      for (let j = 0; j < n; j++) {
        const h = hashes[j];
        let b = h & mask;
        while (index[b] !== 0) b = (b + 1) & mask;
        index[b] = this.tagOf(h) | (s0 + j + 1);
      }
    }
    this.touched = touched;
  }

  /** The entry bits above the slot, as assembly/state.ts computes them. */
  private tagOf(h: number): number {
    return ((Math.imul(h, 0x9e3779b1) >>> this.indexBits) << this.indexBits) | 0;
  }

  /** Slot of a key, inserting a new customer when absent. */
  private slotOf(lo: number, hi: number, h: number): number {
    const mask = this.indexMask;
    const i32 = this.i32;
    const tag = this.tagOf(h);
    let b = h & mask;
    for (;;) {
      const e = this.index[b];
      if (e === 0) break;
      if ((e & ~mask) === tag) {
        const w = ((e & mask) - 1) << 4;
        if (i32[w + W_KEY_LO] === lo && i32[w + W_KEY_HI] === hi) return (e & mask) - 1;
      }
      b = (b + 1) & mask;
    }
    if (this.numCustomers === this.cap) {
      this.grow(this.cap * 2);
      return this.slotOf(lo, hi, h);
    }
    const s = this.numCustomers++;
    this.index[b] = tag | (s + 1);
    this.f64.fill(0, s << 3, (s + 1) << 3);
    this.i32[(s << 4) + W_KEY_LO] = lo;
    this.i32[(s << 4) + W_KEY_HI] = hi;
    this.lastEngaged[s] = 0;
    this.engagements[s] = 0;
    this.idOff[s] = 0;
    this.idLen[s] = 0;
    this.segment[s] = NO_SEGMENT;
    return s;
  }

  private keepId(s: number, bytes: Uint8Array, start: number, end: number): void {
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

  /** False once an event has changed the state since the sketches were built. */
  private sketchesValid = true;

  /**
   * Makes the sketches the histograms of the current values, by one pass over the customers
   * when events came in since the last time (see beginSketches in assembly/state.ts for why).
   */
  private buildSketches(): void {
    if (this.sketchesValid) return;
    this.skLastDay.fill(0);
    this.skOrders.fill(0);
    this.skSpend.fill(0);
    this.skAov.fill(0);
    this.skGap.fill(0);
    for (let s = 0; s < this.numCustomers; s++) if (this.u32[(s << 4) + W_ORDERS] > 0) this.sketchAdd(s);
    this.sketchesValid = true;
  }

  private sketchAdd(s: number): void {
    const o = this.u32[(s << 4) + W_ORDERS];
    const sp = this.f64[(s << 3) + D_SPEND];
    this.skLastDay[dayIndexBucket(this.i32[(s << 4) + W_LAST_DAY])]++;
    this.skOrders[ordersBucket(o)]++;
    this.skSpend[moneyBucket(sp, this.subBits)]++;
    this.skAov[moneyBucket(sp / o, this.subBits)]++;
    if (this.u32[(s << 4) + W_PURCHASE_DAYS] >= 2) this.skGap[moneyBucket(this.meanGap(s), this.subBits)]++;
  }

  /** Mean gap in days between consecutive purchase days (the gaps telescope to last - first). */
  private meanGap(s: number): number {
    return (this.i32[(s << 4) + W_LAST_DAY] - this.i32[(s << 4) + W_FIRST_DAY]) / (this.u32[(s << 4) + W_PURCHASE_DAYS] - 1);
  }

  ingest(batch: ColumnBatch, shard: number, numShards: number): void {
    if (batch.numRows === 0) return;
    if (this.idMode === null) this.idMode = batch.idMode;
    else if (this.idMode !== batch.idMode) {
      throw new TypeError(`customer ids changed from ${this.idMode} to ${batch.idMode} between batches`);
    }
    const { ts, amount, kind, idWords, idOffsets, idBytes } = batch;
    const isUtf8 = batch.idMode === 'utf8';
    this.sketchesValid = false;
    const key = this.keyScratch;
    const { groupRow, groupLo, groupHi, groupHash, groupSlot, groupWord } = this;
    const rows = batch.numRows;
    let touched = this.touched;
    let i = 0;
    while (i < rows) {
      // 1. keys and hashes of the next GROUP rows of this shard, without a branch on the
      // row's shard: every row is written at n, n moves on for a row kept (assembly/state.ts)
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
        n += (kind[i] !== Kind.skip ? 1 : 0) & (numShards === 1 || shardOf(h, numShards) === shard ? 1 : 0);
      }
      // 2. read ahead each row's index slot; find the first entry with the row's tag; read
      // ahead the records those entries point at, in a loop of their own (assembly/state.ts)
      const index = this.index;
      const mask = this.indexMask;
      const i32 = this.i32;
      for (let j = 0; j < n; j++) touched = (touched + index[groupHash[j] & mask]) | 0;
      for (let j = 0; j < n; j++) {
        const h = groupHash[j];
        const tag = this.tagOf(h);
        let b = h & mask;
        let s = -1;
        for (;;) {
          const e = index[b];
          if (e === 0) break;
          if ((e & ~mask) === tag) {
            s = (e & mask) - 1;
            break;
          }
          b = (b + 1) & mask;
        }
        groupSlot[j] = s;
        groupWord[j] = Math.max(s, 0) << 4;
      }
      for (let j = 0; j < n; j++) touched = (touched + i32[groupWord[j]]) | 0;
      // 3. apply, in row order; a slot found in step 2 is taken when its key is the row's
      // (a tag can match another customer's, and a customer new in this group has none yet)
      for (let j = 0; j < n; j++) {
        const row = groupRow[j];
        const before = this.numCustomers;
        const lo = groupLo[j];
        const hi = groupHi[j];
        let s = groupSlot[j];
        if (s < 0 || this.i32[(s << 4) + W_KEY_LO] !== lo || this.i32[(s << 4) + W_KEY_HI] !== hi) {
          s = this.slotOf(lo, hi, groupHash[j]);
        }
        if (isUtf8 && this.numCustomers !== before) this.keepId(s, idBytes!, idOffsets![row], idOffsets![row + 1]);
        this.apply(s, kind[row], ts[row], amount[row]);
      }
    }
    this.touched = touched | 0;
  }

  private apply(s: number, k: number, t: number, a: number): void {
    const w = s << 4;
    const d = s << 3;
    const f64 = this.f64;
    const u32 = this.u32;
    const i32 = this.i32;
    if (k === Kind.order && a >= 0) {
      const o = u32[w + W_ORDERS];
      f64[d + D_SPEND] += a;
      const day = Math.floor(t / DAY_MS);
      if (o === 0) {
        f64[d + D_FIRST_TS] = t;
        f64[d + D_LAST_TS] = t;
        i32[w + W_FIRST_DAY] = day;
        i32[w + W_LAST_DAY] = day;
        u32[w + W_PURCHASE_DAYS] = 1;
        f64[d + D_MAX_ORDER] = a;
      } else {
        if (a > f64[d + D_MAX_ORDER]) f64[d + D_MAX_ORDER] = a;
        const firstDay = i32[w + W_FIRST_DAY];
        const lastDay = i32[w + W_LAST_DAY];
        // a late order strictly inside the known span can't be placed among the gaps: it
        // counts for orders and spend but not for purchase days or cadence
        if (day > lastDay) {
          const g = day - lastDay;
          f64[d + D_GAP_SUM_SQ] += g * g;
          u32[w + W_PURCHASE_DAYS]++;
        } else if (day < firstDay) {
          const g = firstDay - day;
          f64[d + D_GAP_SUM_SQ] += g * g;
          u32[w + W_PURCHASE_DAYS]++;
        }
        if (t < f64[d + D_FIRST_TS]) {
          f64[d + D_FIRST_TS] = t;
          i32[w + W_FIRST_DAY] = day;
        }
        if (t > f64[d + D_LAST_TS]) {
          f64[d + D_LAST_TS] = t;
          i32[w + W_LAST_DAY] = day;
        }
      }
      u32[w + W_ORDERS] = o + 1;
    } else if (k === Kind.order || k === Kind.refund) {
      f64[d + D_SPEND] -= Math.abs(a);
    } else {
      const e = ++this.engagements[s];
      if (t > this.lastEngaged[s] || e === 1) this.lastEngaged[s] = t;
    }
  }

  sketches(): Sketches {
    this.buildSketches();
    return {
      lastDay: this.skLastDay.slice(),
      orders: this.skOrders.slice(),
      spend: this.skSpend.slice(),
      aov: this.skAov.slice(),
      meanGap: this.skGap.slice(),
    };
  }

  exactValues(): ExactValues {
    let n = 0;
    let ng = 0;
    for (let s = 0; s < this.numCustomers; s++) {
      if (this.u32[(s << 4) + W_ORDERS] > 0) {
        n++;
        if (this.u32[(s << 4) + W_PURCHASE_DAYS] >= 2) ng++;
      }
    }
    const v: ExactValues = {
      lastTs: new Float64Array(n), orders: new Float64Array(n), spend: new Float64Array(n),
      aov: new Float64Array(n), meanGap: new Float64Array(ng),
    };
    let j = 0;
    let g = 0;
    for (let s = 0; s < this.numCustomers; s++) {
      const o = this.u32[(s << 4) + W_ORDERS];
      if (o === 0) continue;
      const sp = this.f64[(s << 3) + D_SPEND];
      v.lastTs[j] = this.f64[(s << 3) + D_LAST_TS];
      v.orders[j] = o;
      v.spend[j] = sp;
      v.aov[j] = sp / o;
      j++;
      if (this.u32[(s << 4) + W_PURCHASE_DAYS] >= 2) v.meanGap[g++] = this.meanGap(s);
    }
    return v;
  }

  classify(plan: Float64Array, commit: boolean): Float64Array {
    const c = new Classifier(plan);
    const layout = totalsLayout(c.numSegments, c.numRetention, c.numAudiences, moneyBuckets(c.subBits));
    const out = new Float64Array(layout.length);
    const migRow = c.numSegments + 1;
    for (let s = 0; s < this.numCustomers; s++) {
      const o = this.u32[(s << 4) + W_ORDERS];
      if (o === 0 && this.engagements[s] === 0) continue;
      c.run(this.fieldsOf(s));
      if (o > 0) {
        const spend = this.f64[(s << 3) + D_SPEND];
        const cents = Math.round(spend * 100);
        out[0]++;
        if (c.segment === c.numSegments) out[1]++;
        else {
          out[layout.segments + 2 * c.segment]++;
          out[layout.segments + 2 * c.segment + 1] += cents;
        }
        out[layout.retention + 2 * c.retention]++;
        out[layout.retention + 2 * c.retention + 1] += cents;
        const prev = this.segment[s] === NO_SEGMENT ? c.numSegments : this.segment[s];
        out[layout.migration + prev * migRow + c.segment]++;
        out[layout.spendCents + moneyBucket(spend, c.subBits)] += cents;
        if (commit) this.segment[s] = c.segment;
      } else {
        out[2]++;
      }
      for (let a = 0; a < c.numAudiences; a++) if (c.audience[a]) out[layout.audiences + a]++;
    }
    return out;
  }

  /** The record fields as columns of n entries, in stored order (f64 ones, then 32-bit ones). */
  private recordColumns(): { f64: Float64Array[]; i32: Int32Array[] } {
    const n = this.numCustomers;
    const f64 = F64_FIELDS.map((off) => {
      const col = new Float64Array(n);
      for (let s = 0; s < n; s++) col[s] = this.f64[(s << 3) + off];
      return col;
    });
    f64.push(this.lastEngaged.slice(0, n));
    const i32 = I32_FIELDS.map((off) => {
      const col = new Int32Array(n);
      for (let s = 0; s < n; s++) col[s] = this.i32[(s << 4) + off];
      return col;
    });
    return { f64, i32 };
  }

  exportRows(plan: Float64Array): CustomerRows {
    const n = this.numCustomers;
    const c = new Classifier(plan);
    const cols = this.recordColumns();
    const u32 = (a: Int32Array): Uint32Array => new Uint32Array(a.buffer);
    const rows: CustomerRows = {
      numRows: n,
      idMode: this.idMode ?? 'int',
      idWords: null, idOffsets: null, idBytes: null,
      orders: u32(cols.i32[2]), purchaseDays: u32(cols.i32[3]),
      spend: cols.f64[2], firstTs: cols.f64[0], lastTs: cols.f64[1],
      engagements: this.engagements.slice(0, n),
      r: new Uint8Array(n), f: new Uint8Array(n), m: new Uint8Array(n), aovScore: new Uint8Array(n),
      retention: new Uint8Array(n), segment: new Uint8Array(n),
    };
    if (this.idMode === 'utf8') {
      const offsets = new Int32Array(n + 1);
      const bytes = new Uint8Array(this.arenaLen);
      let at = 0;
      for (let s = 0; s < n; s++) {
        offsets[s] = at;
        bytes.set(this.arena.subarray(this.idOff[s], this.idOff[s] + this.idLen[s]), at);
        at += this.idLen[s];
      }
      offsets[n] = at;
      rows.idOffsets = offsets;
      rows.idBytes = bytes;
    } else {
      const words = new Int32Array(2 * n);
      for (let s = 0; s < n; s++) {
        words[2 * s] = cols.i32[0][s];
        words[2 * s + 1] = cols.i32[1][s];
      }
      rows.idWords = words;
    }
    for (let s = 0; s < n; s++) {
      if (rows.orders[s] === 0) {
        rows.retention[s] = NO_SEGMENT;
        rows.segment[s] = NO_SEGMENT;
        continue;
      }
      c.run(this.fieldsOf(s));
      rows.r[s] = c.r;
      rows.f[s] = c.f;
      rows.m[s] = c.m;
      rows.aovScore[s] = c.aov;
      rows.retention[s] = c.retention;
      rows.segment[s] = c.segment;
    }
    return rows;
  }

  private fieldsOf(s: number): CustomerFields {
    const f = scratchFields;
    const w = s << 4;
    const d = s << 3;
    f.orders = this.u32[w + W_ORDERS];
    f.purchaseDays = this.u32[w + W_PURCHASE_DAYS];
    f.spend = this.f64[d + D_SPEND];
    f.firstTs = this.f64[d + D_FIRST_TS];
    f.lastTs = this.f64[d + D_LAST_TS];
    f.gapSumSq = this.f64[d + D_GAP_SUM_SQ];
    f.engagements = this.engagements[s];
    f.lastEngaged = this.lastEngaged[s];
    f.firstDay = this.i32[w + W_FIRST_DAY];
    f.lastDay = this.i32[w + W_LAST_DAY];
    return f;
  }

  serialize(): Uint8Array {
    const n = this.numCustomers;
    const { f64, i32 } = this.recordColumns();
    const bytes = (a: Float64Array | Int32Array | Uint32Array | Uint8Array): Uint8Array =>
      new Uint8Array(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT);
    const columns = [...f64, ...i32, this.engagements, this.idOff, this.idLen, this.segment].map(bytes);
    return writeState({ idMode: this.idMode, numCustomers: n, arenaLen: this.arenaLen, subBits: this.subBits }, columns, this.arena);
  }

  restore(bytes: Uint8Array): void {
    const { header, columns, arena } = readState(bytes, this.subBits);
    const n = header.numCustomers;
    let cap = 1024;
    while (cap < n) cap *= 2;
    this.numCustomers = 0;
    this.grow(cap);
    this.idMode = header.idMode;
    F64_FIELDS.forEach((off, c) => {
      const col = new Float64Array(columns[c].slice().buffer);
      for (let s = 0; s < n; s++) this.f64[(s << 3) + off] = col[s];
    });
    this.lastEngaged.set(new Float64Array(columns[5].slice().buffer));
    I32_FIELDS.forEach((off, c) => {
      const col = new Int32Array(columns[6 + c].slice().buffer);
      for (let s = 0; s < n; s++) this.i32[(s << 4) + off] = col[s];
    });
    [this.engagements, this.idOff, this.idLen, this.segment].forEach((a, c) => {
      new Uint8Array(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT).set(columns[10 + c]);
    });
    this.arena = arena.slice();
    this.arenaLen = header.arenaLen;
    this.numCustomers = n;
    this.rebuildIndex(cap * 2);
    this.sketchesValid = false;
    for (let s = 0; s < n; s++) {
      this.i32[(s << 4) + W_FIRST_DAY] = Math.floor(this.f64[(s << 3) + D_FIRST_TS] / DAY_MS);
      this.i32[(s << 4) + W_LAST_DAY] = Math.floor(this.f64[(s << 3) + D_LAST_TS] / DAY_MS);
    }
  }
}

/** The fields a rule can read, for one customer. */
interface CustomerFields {
  orders: number;
  purchaseDays: number;
  spend: number;
  firstTs: number;
  lastTs: number;
  gapSumSq: number;
  engagements: number;
  lastEngaged: number;
  firstDay: number;
  lastDay: number;
}
const scratchFields: CustomerFields = {
  orders: 0, purchaseDays: 0, spend: 0, firstTs: 0, lastTs: 0, gapSumSq: 0, engagements: 0, lastEngaged: 0, firstDay: 0, lastDay: 0,
};

/** fv slot of sum(gap)^2: the gap_cv comparison's right side is value^2 times it. */
const FV_SPAN_SQ = 13;

/** A decoded plan and the classification of the customer it last ran on. */
class Classifier {
  readonly asOf: number;
  readonly isSketch: boolean;
  readonly subBits: number;
  readonly cuts: Float64Array;
  readonly medianSpend: number;
  readonly storeGap: number;
  readonly numRetention: number;
  readonly limits: Float64Array;
  readonly lostRetention: number;
  readonly lostR: number;
  readonly numSegments: number;
  readonly lostTarget: Int32Array;
  readonly matchable: Uint8Array;
  /** Per segment/audience: its first condition (in condField/condOp/condValue) and their count. */
  readonly segStart: Int32Array;
  readonly segLen: Int32Array;
  readonly numAudiences: number;
  readonly audStart: Int32Array;
  readonly audLen: Int32Array;
  // the result for the last customer
  r = 0; f = 0; m = 0; aov = 0; retention = 0; segment = 0;
  readonly audience: Uint8Array;
  /** Condition i: field condField[i], op condOp[i], value condValue[i], in plan order. */
  private readonly condField: Int32Array;
  private readonly condOp: Int32Array;
  private readonly condValue: Float64Array;
  /** The customer's value of every field (see fillFields); slot FV_SPAN_SQ holds sum(gap)^2. */
  private readonly fv = new Float64Array(14);
  // the customer being classified
  private c: CustomerFields = scratchFields;

  constructor(plan: Float64Array) {
    this.asOf = plan[P_AS_OF];
    this.isSketch = plan[P_MODE] === MODE_SKETCH;
    this.subBits = plan[P_SUB_BITS];
    this.cuts = plan.slice(P_CUTS, P_CUTS + 16);
    this.medianSpend = plan[P_MEDIAN_SPEND];
    this.storeGap = plan[P_STORE_GAP];
    this.numRetention = plan[P_NUM_RETENTION];
    let at = P_NUM_RETENTION + 1;
    this.limits = plan.slice(at, at + this.numRetention - 1);
    at += this.numRetention - 1;
    this.lostRetention = plan[at++];
    this.lostR = plan[at++];
    this.numSegments = plan[at++];
    let numConds = 0;
    this.condField = new Int32Array(Math.floor(plan.length / 3));
    this.condOp = new Int32Array(Math.floor(plan.length / 3));
    this.condValue = new Float64Array(Math.floor(plan.length / 3));
    const decode = (count: number): void => {
      for (let j = 0; j < count; j++, numConds++, at += 3) {
        this.condField[numConds] = plan[at];
        this.condOp[numConds] = plan[at + 1];
        this.condValue[numConds] = plan[at + 2];
      }
    };
    this.lostTarget = new Int32Array(this.numSegments);
    this.matchable = new Uint8Array(this.numSegments);
    this.segStart = new Int32Array(this.numSegments);
    this.segLen = new Int32Array(this.numSegments);
    for (let i = 0; i < this.numSegments; i++) {
      this.lostTarget[i] = plan[at++];
      this.matchable[i] = plan[at++];
      this.segLen[i] = plan[at++];
      this.segStart[i] = numConds;
      decode(this.segLen[i]);
    }
    this.numAudiences = plan[at++];
    this.audStart = new Int32Array(this.numAudiences);
    this.audLen = new Int32Array(this.numAudiences);
    this.audience = new Uint8Array(this.numAudiences);
    for (let i = 0; i < this.numAudiences; i++) {
      this.audLen[i] = plan[at++];
      this.audStart[i] = numConds;
      decode(this.audLen[i]);
    }
  }

  private score(v: number, dim: number): number {
    const base = dim * 4;
    let sc = 1;
    for (let k = 0; k < 4; k++) if (v >= this.cuts[base + k]) sc++;
    return sc;
  }

  run(c: CustomerFields): void {
    this.c = c;
    if (c.orders > 0) {
      const aovValue = c.spend / c.orders;
      if (this.isSketch) {
        this.r = this.score(dayIndexBucket(c.lastDay), 0);
        this.f = this.score(ordersBucket(c.orders), 1);
        this.m = this.score(moneyBucket(c.spend, this.subBits), 2);
        this.aov = this.score(moneyBucket(aovValue, this.subBits), 3);
      } else {
        this.r = this.score(c.lastTs, 0);
        this.f = this.score(c.orders, 1);
        this.m = this.score(c.spend, 2);
        this.aov = this.score(aovValue, 3);
      }
      const n = c.purchaseDays - 1;
      const gap = n > 0 ? this.span() / n : this.storeGap;
      const ratio = this.recencyDays() / gap;
      let ret = this.numRetention - 1;
      for (let i = 0; i < this.numRetention - 1; i++) {
        if (ratio <= this.limits[i]) {
          ret = i;
          break;
        }
      }
      this.retention = ret;
      this.fillFields();
      if (ret === this.lostRetention) {
        const seg = this.match(this.lostR);
        this.segment = seg < this.numSegments && this.lostTarget[seg] >= 0 ? this.lostTarget[seg] : seg;
      } else {
        this.segment = this.match(this.r);
      }
    } else {
      this.r = this.f = this.m = this.aov = 0;
      this.retention = NO_SEGMENT;
      this.segment = NO_SEGMENT;
      this.fillFields();
    }
    this.fv[Field.r] = this.r;
    for (let a = 0; a < this.numAudiences; a++) {
      this.audience[a] = this.all(this.audStart[a], this.audLen[a]) ? 1 : 0;
    }
  }

  private span(): number {
    return this.c.lastDay - this.c.firstDay;
  }

  private recencyDays(): number {
    return (this.asOf - this.c.lastTs) / DAY_MS;
  }

  /** First matchable segment whose conditions all hold, with r taken as given. */
  private match(r: number): number {
    this.fv[Field.r] = r;
    for (let i = 0; i < this.numSegments; i++) {
      if (this.matchable[i] && this.all(this.segStart[i], this.segLen[i])) return i;
    }
    return this.numSegments;
  }

  private fillFields(): void {
    const c = this.c;
    const fv = this.fv;
    const n = c.purchaseDays > 0 ? c.purchaseDays - 1 : 0;
    const sum = c.orders > 0 ? this.span() : 0;
    fv[Field.f] = this.f;
    fv[Field.m] = this.m;
    fv[Field.aov] = this.aov;
    fv[Field.orders] = c.orders;
    fv[Field.purchaseDays] = c.purchaseDays;
    // gap_cv OP c, without division: n*sum(g^2) - sum(g)^2 OP c^2 * sum(g)^2
    fv[Field.gapCv] = n * c.gapSumSq - sum * sum;
    fv[FV_SPAN_SQ] = sum * sum;
    fv[Field.retention] = c.orders > 0 ? this.retention : NO_SEGMENT;
    fv[Field.spendOverMedian] = c.spend - this.medianSpend;
    fv[Field.engagedSinceOrder] = c.engagements > 0 && (c.orders === 0 || c.lastEngaged > c.lastTs) ? 1 : 0;
    fv[Field.engagements] = c.engagements;
    fv[Field.recencyDays] = c.orders > 0 ? this.recencyDays() : Infinity;
    fv[Field.spend] = c.spend;
  }

  private all(start: number, len: number): boolean {
    for (let j = start; j < start + len; j++) if (!this.test(j)) return false;
    return true;
  }

  private test(i: number): boolean {
    const field = this.condField[i];
    const value = this.condValue[i];
    if (field < 0 || field > Field.spend) return false;
    const lhs = this.fv[field];
    const rhs = field === Field.gapCv ? value * value * this.fv[FV_SPAN_SQ] : value;
    switch (this.condOp[i]) {
      case Op.lt: return lhs < rhs;
      case Op.le: return lhs <= rhs;
      case Op.eq: return lhs === rhs;
      case Op.ne: return lhs !== rhs;
      case Op.ge: return lhs >= rhs;
      case Op.gt: return lhs > rhs;
      default: return false;
    }
  }
}
