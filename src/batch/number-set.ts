/**
 * A set of integers (order ids that are numbers, the usual kind): open addressing over one
 * Float64Array, 8 bytes a slot, grown at 70 % full. An insert is a hash and, at 10^7 keys,
 * a cache miss: some 110-160 ns against the 600 ns of a ByteSet (byte-set.ts: a hash of the
 * bytes, a 20-byte slot, an arena write), which cost a replay three times its time (bench/
 * NOTES.md 54). The table asks for huge pages: at 4 KiB a page fault per first touch of
 * each page was half the cost.
 */
import { askHugePages } from '../native/huge-pages.js';

/** A slot no key is in (fresh memory is zeros: the table is never filled, its pages touched as keys land). */
const EMPTY = 0;
/** The key 0 as it is kept: no integer key is it. */
const ZERO = 0.5;
/** Keys a table holds before it doubles, per slot. */
const LOAD = 0.7;
/** Keys whose slots are loaded together before they go in (addAll). */
const GROUP = 32;

/** A zeroed table of n slots, on huge pages where the system gives them. */
function table(n: number): Float64Array {
  const t = new Float64Array(n);
  askHugePages(t.buffer);
  return t;
}

export class NumberSet {
  private mask: number;
  private slots: Float64Array;
  size = 0;

  constructor(capacity = 1024) {
    let n = 16;
    while (n * LOAD < capacity) n *= 2;
    this.mask = n - 1;
    this.slots = table(n);
  }

  /** Adds an integer (|id| < 2^53); false when it was in the set already. */
  add(id: number): boolean {
    return this.addHashed(id, slotOf(id === 0 ? ZERO : id));
  }

  /** add, with the key's slotOf already made. */
  addHashed(id: number, hash: number): boolean {
    const key = id === 0 ? ZERO : id;
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const k = slots[i];
      if (k === EMPTY) break;
      if (k === key) return false;
      i = (i + 1) & mask;
    }
    slots[i] = key;
    if (++this.size > LOAD * (mask + 1)) this.grow();
    return true;
  }

  /**
   * Adds ids[rows[0..count)] in order: fresh[row] = 1 for a key new to the set, else 0. The
   * slots of a group of keys are loaded first, independently, so their misses to memory
   * overlap (the processor runs the loads side by side), then the keys go in: one insert at
   * a time waited out each miss alone.
   */
  addAll(ids: Float64Array, rows: Int32Array, count: number, fresh: Uint8Array): void {
    const hashes = this.hashes;
    for (let start = 0; start < count; start += GROUP) {
      const end = Math.min(count, start + GROUP);
      // room for the whole group first: a grow within it would move the slots loaded
      while (this.size + GROUP > LOAD * (this.mask + 1)) this.grow();
      const slots = this.slots;
      const mask = this.mask;
      let touch = 0;
      for (let j = start; j < end; j++) {
        const id = ids[rows[j]];
        const h = slotOf(id === 0 ? ZERO : id);
        hashes[j - start] = h;
        touch += slots[h & mask];
      }
      this.sink = touch;
      for (let j = start; j < end; j++) {
        const row = rows[j];
        fresh[row] = this.addHashed(ids[row], hashes[j - start]) ? 1 : 0;
      }
    }
  }

  private readonly hashes = new Int32Array(GROUP);
  /** Where the group's loads go, so they are not optimized away. */
  sink = 0;

  private grow(): void {
    const old = this.slots;
    const mask = 2 * (this.mask + 1) - 1;
    const slots = table(mask + 1);
    for (let at = 0; at < old.length; at++) {
      const k = old[at];
      if (k === EMPTY) continue;
      let i = slotOf(k) & mask;
      while (slots[i] !== EMPTY) i = (i + 1) & mask;
      slots[i] = k;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * A 32-bit hash of an integer key: its two words through MurmurHash3's finalizer. Weaker
 * mixes clustered runs of ids (every tenth, say) under linear probing.
 */
export function slotOf(key: number): number {
  const lo = key | 0;
  const hi = Math.floor(key / 4294967296) | 0;
  let h = lo ^ Math.imul(hi ^ 0x5bd1e995, 0x27d4eb2d);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
