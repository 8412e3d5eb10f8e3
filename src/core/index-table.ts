/**
 * The plain core's hash index from customer key to record slot: open addressing, linear
 * probing, load <= 1/2, entries (hash tag << indexBits) | (slot + 1), 0 = empty. The WASM
 * kernel's twin, assembly/index-table.ts, says why the tag.
 */
import * as abi from '../abi/abi.js';
import { askHugePages } from '../native/huge-pages.js';
import { keyHash } from './hash.js';
import type { Records } from './records.js';

// The ABI's numbers as this module's own constants: V8 folds those into the code, not
// imported bindings (measured on the plain core's ingest: 15.9 -> 18.7 M rows/s).
const { GROUP, HASH_TAG, W_KEY_HI, W_KEY_LO, RECORD_WORD_SHIFT: WORD_SHIFT } = abi;

export class IndexTable {
  index: Int32Array = new Int32Array(0);
  mask = 0;
  private bits = 0;
  /** rebuild's own: it runs inside ingest (when the state grows) with a group in flight. */
  private readonly rebuildHash = new Int32Array(GROUP);
  /** Sum of the read-ahead loads, kept so nothing optimizes them away. */
  private touched = 0;

  constructor(private readonly records: Records) {}

  /** Room for `cap` customers, and a fresh index twice that size. */
  growTo(cap: number): void {
    this.records.grow(cap);
    this.rebuild(cap * 2);
  }

  /** A fresh index for the customers held, in groups as assembly/index-table.ts does it. */
  rebuild(size: number): void {
    const index = (this.index = new Int32Array(size));
    askHugePages(index.buffer);
    const mask = (this.mask = size - 1);
    this.bits = 31 - Math.clz32(size);
    const hashes = this.rebuildHash;
    const i32 = this.records.i32;
    const n = this.records.numCustomers;
    let touched = this.touched;
    for (let s0 = 0; s0 < n; s0 += GROUP) {
      const m = Math.min(GROUP, n - s0);
      for (let j = 0; j < m; j++)
        hashes[j] = keyHash(i32[((s0 + j) << WORD_SHIFT) + W_KEY_LO], i32[((s0 + j) << WORD_SHIFT) + W_KEY_HI]);
      for (let j = 0; j < m; j++) touched = (touched + index[hashes[j] & mask]) | 0;
      for (let j = 0; j < m; j++) {
        const h = hashes[j];
        let b = h & mask;
        while (index[b] !== 0) b = (b + 1) & mask;
        index[b] = this.tagOf(h) | (s0 + j + 1);
      }
    }
    this.touched = touched;
  }

  /** The entry bits above the slot, as assembly/index-table.ts computes them. */
  tagOf(h: number): number {
    return ((Math.imul(h, HASH_TAG) >>> this.bits) << this.bits) | 0;
  }

  /** The slot of the first entry on h's probe path with h's tag, or -1: a guess the caller checks. */
  firstTagged(h: number): number {
    const index = this.index;
    const mask = this.mask;
    const tag = this.tagOf(h);
    let b = h & mask;
    for (;;) {
      const e = index[b];
      if (e === 0) return -1;
      if ((e & ~mask) === tag) return (e & mask) - 1;
      b = (b + 1) & mask;
    }
  }

  /** Slot of a key, inserting a new customer when absent. */
  slotOf(lo: number, hi: number, h: number): number {
    const mask = this.mask;
    const i32 = this.records.i32;
    const tag = this.tagOf(h);
    let b = h & mask;
    for (;;) {
      const e = this.index[b];
      if (e === 0) break;
      if ((e & ~mask) === tag) {
        const w = ((e & mask) - 1) << WORD_SHIFT;
        if (i32[w + W_KEY_LO] === lo && i32[w + W_KEY_HI] === hi) return (e & mask) - 1;
      }
      b = (b + 1) & mask;
    }
    if (this.records.numCustomers === this.records.cap) {
      this.growTo(this.records.cap * 2);
      return this.slotOf(lo, hi, h);
    }
    const s = this.records.add(lo, hi);
    this.index[b] = tag | (s + 1);
    return s;
  }
}
