// The customers changed since a build of a histogram kept from them (sketch.ts, fit-histograms.ts):
// one bit a slot below `below` (the customers at the build). A tracked customer's first event
// since the build is marked (its owner takes its old values out then, its record at hand);
// the next build puts the marked and the added customers back in at their values then. Once
// more than 1 in CHANGED_SHARE have changed, a scan is cheaper than a miss per changed
// customer: tracking stops and the next build is a full one. Nothing is tracked before the
// first build, so a replay pays one comparison a row.
const CHANGED_SHARE: i32 = 16;

export class Changes {
  /** Slots below this are tracked; 0: no tracking. */
  below: i32 = 0;
  private count: i32 = 0;
  private bits: StaticArray<u32> = new StaticArray<u32>(0);
  /** Some bit may be set. */
  private any: bool = false;

  /** Tracks the first n slots, none marked. */
  start(n: i32): void {
    this.below = n;
    this.count = 0;
    const words = (n + 31) >>> 5;
    if (this.bits.length < words) this.bits = new StaticArray<u32>(words + (words >>> 1));
    // a build after tracking stopped finds the bits of then still set
    else if (this.any) memory.fill(changetype<usize>(this.bits), 0, <usize>this.bits.length << 2);
    this.any = false;
  }

  stop(): void {
    this.below = 0;
  }

  /** No tracking and no marks (a fresh state). */
  reset(): void {
    this.below = 0;
    this.count = 0;
    this.bits = new StaticArray<u32>(0);
    this.any = false;
  }

  /** Marks tracked slot s: true the first time since the build (the caller takes it out then). */
  mark(s: i32): bool {
    const w = s >>> 5;
    const bit: u32 = 1 << (s & 31);
    const word = unchecked(this.bits[w]);
    if ((word & bit) != 0) return false;
    unchecked((this.bits[w] = word | bit));
    this.any = true;
    if (++this.count > this.below / CHANGED_SHARE) this.below = 0;
    return true;
  }

  /** Whether the marks (and the slots added since, of n now) are few enough to update from. */
  few(n: i32): bool {
    const b = this.below;
    return b != 0 && this.count + (n - b) <= b / CHANGED_SHARE;
  }

  /** Passes every marked slot, then every slot from `below` to n, to `add`, and clears the marks. */
  replay(n: i32, add: (s: i32) => void): void {
    const b = this.below;
    const words = (b + 31) >>> 5;
    for (let w = 0; w < words; w++) {
      let word = unchecked(this.bits[w]);
      if (word == 0) continue;
      unchecked((this.bits[w] = 0));
      while (word != 0) {
        add((w << 5) + <i32>ctz(word));
        word &= word - 1;
      }
    }
    for (let s = b; s < n; s++) add(s);
    // every bit read is cleared: the next start need not clear them again
    this.any = false;
  }

  /** Bytes the marks hold. */
  bytes(): f64 {
    return <f64>this.bits.length * 4;
  }
}
