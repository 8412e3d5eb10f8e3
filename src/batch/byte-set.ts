/**
 * A set of byte strings (the order ids an import has seen), in typed arrays: open
 * addressing on a 64-bit hash, the bytes kept in one arena and compared on a hash match, so
 * membership is exact. A JavaScript Set of a million id strings cost a replay of a
 * Shopify export 2.8 of its 8.7 s, most of it the collector moving the strings it keeps
 * (bench/NOTES.md 46); this holds no object per id.
 */
import { askHugePages } from '../native/huge-pages.js';
/** Words per slot. */
const STRIDE = 5;

export class ByteSet {
  private mask: number;
  /** Per slot: the first hash word (+1, 0: empty), the second, the key's start and length in the arena, its owner. */
  private slots: Uint32Array;
  private arena: Uint8Array;
  private arenaUsed = 0;
  size = 0;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.mask = n - 1;
    this.slots = new Uint32Array(STRIDE * n);
    askHugePages(this.slots.buffer as ArrayBuffer);
    this.arena = new Uint8Array(16 * capacity);
  }

  /** Adds bytes[s, e); false when they were in the set already. */
  add(bytes: Uint8Array, s: number, e: number): boolean {
    return this.addOwned(bytes, s, e, 0) < 0;
  }

  /**
   * Adds bytes[s, e) with an owner (a file's number, say): -1 when they are new, else the
   * owner they had, which the new one replaces (so one order's rows in a second file count
   * as one repeat).
   */
  addOwned(bytes: Uint8Array, s: number, e: number, owner: number): number {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = s; i < e; i++) {
      h1 = Math.imul(h1 ^ bytes[i], 0x01000193);
      h2 = Math.imul(h2 ^ bytes[i], 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    const tag = ((h1 >>> 0) | 1) >>> 0;
    const second = h2 >>> 0;
    const n = e - s;
    const slots = this.slots;
    let i = (tag ^ (tag >>> 16)) & this.mask;
    for (;;) {
      const at = STRIDE * i;
      const t = slots[at];
      if (t === 0) break;
      if (t === tag && slots[at + 1] === second && slots[at + 3] === n && this.sameAs(slots[at + 2], bytes, s, n)) {
        const was = slots[at + 4];
        slots[at + 4] = owner;
        return was;
      }
      i = (i + 1) & this.mask;
    }
    if (this.arenaUsed + n > this.arena.length) {
      const grown = new Uint8Array(Math.max(2 * this.arena.length, this.arenaUsed + n));
      grown.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = grown;
    }
    this.arena.set(bytes.subarray(s, e), this.arenaUsed);
    const at = STRIDE * i;
    slots[at] = tag;
    slots[at + 1] = second;
    slots[at + 2] = this.arenaUsed;
    slots[at + 3] = n;
    slots[at + 4] = owner;
    this.arenaUsed += n;
    if (++this.size * 2 > this.mask + 1) this.grow();
    return -1;
  }

  private sameAs(start: number, bytes: Uint8Array, s: number, n: number): boolean {
    const a = this.arena;
    for (let k = 0; k < n; k++) if (a[start + k] !== bytes[s + k]) return false;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    const size = 2 * (this.mask + 1);
    this.mask = size - 1;
    this.slots = new Uint32Array(STRIDE * size);
    askHugePages(this.slots.buffer as ArrayBuffer);
    for (let at = 0; at < old.length; at += STRIDE) {
      const t = old[at];
      if (t === 0) continue;
      let i = (t ^ (t >>> 16)) & this.mask;
      while (this.slots[STRIDE * i] !== 0) i = (i + 1) & this.mask;
      this.slots.set(old.subarray(at, at + STRIDE), STRIDE * i);
    }
  }
}
