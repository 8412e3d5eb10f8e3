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
    const key = id === 0 ? ZERO : id;
    const slots = this.slots;
    const mask = this.mask;
    let i = slotOf(key) & mask;
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
