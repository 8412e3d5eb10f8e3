/**
 * A repeated order counts once: overlapping exports of the same orders (a month's beside
 * a quarter's) given together must not double a customer's orders and spend. The first row
 * of an order id, in input order, is the order; a later row with the id is a repeat, marked
 * skip before the batch reaches the shards and counted as `duplicates`. A refund or an
 * engagement is one event by its order id, kind, time and amount: an order's two partial
 * refunds both count, the same refund in two files once. One exact set of keys on the
 * reading thread (byte-set.ts), as every row passes through it anyway.
 */
import { Kind } from '../core/types.js';
import { ByteSet } from './byte-set.js';
import { columnBatchOver } from './column-batch.js';
import type { ConvertedInput } from './converted.js';

/** A byte no UTF-8 text holds: after it, the rest of a non-order event's key, so no order id can equal it. */
const NOT_TEXT = 0xff;

export class RepeatOrders {
  private readonly seen = new ByteSet(1 << 16);
  private scratch = new Uint8Array(64);
  private readonly words = new Float64Array(2);
  private readonly wordBytes = new Uint8Array(this.words.buffer);
  private readonly amountBits = new Uint32Array(new Float32Array(1).buffer);
  private readonly amountF32 = new Float32Array(this.amountBits.buffer);
  /** Repeats dropped so far. */
  dropped = 0;
  /**
   * Repeated orders whose amount is not the first row's: likely an order's line items (a
   * file of one row per item), which the summary says, since the rule drops them too.
   */
  otherAmounts = 0;

  /**
   * Marks the batch's repeats skip (in every shard's part) and takes them off its counts; a
   * batch without order ids passes as it is. Returns the repeats it held.
   */
  drop(c: ConvertedInput): number {
    const keys = c.orderKeys;
    if (keys === undefined) return 0;
    const first = c.parts[0];
    const b = columnBatchOver(first.buffer, first.shape);
    // a shard's own copy of the batch (not shared memory) is marked too
    const copies = [...new Set(c.parts.map((p) => p.buffer))].filter((buf) => buf !== first.buffer).map((buf) => columnBatchOver(buf, first.shape).kind);
    const { offsets, bytes } = keys;
    const kind = b.kind;
    let repeats = 0;
    for (let i = 0; i < b.numRows; i++) {
      const k = kind[i];
      const s = offsets[i];
      const e = offsets[i + 1];
      if (k === Kind.skip || s === e) continue;
      const a = b.amount[i];
      const isOrder = k === Kind.order && a >= 0;
      let fresh: boolean;
      if (isOrder) {
        // the first row's amount (as float32 bits) rides in the set's owner word
        this.amountF32[0] = a;
        const was = this.seen.addOwned(bytes, s, e, this.amountBits[0]);
        fresh = was < 0;
        if (!fresh && was !== this.amountBits[0]) this.otherAmounts++;
      } else fresh = this.addEvent(bytes, s, e, k, b.ts[i], a);
      if (fresh) continue;
      kind[i] = Kind.skip;
      for (const copy of copies) copy[i] = Kind.skip;
      repeats++;
      if (isOrder) c.orders--;
      else if (k <= Kind.refund) c.refunds--;
      else c.engagements--;
    }
    if (repeats > 0) c.duplicates = (c.duplicates ?? 0) + repeats;
    this.dropped += repeats;
    return repeats;
  }

  /** A refund or engagement: its order id, kind, time and amount as one key. */
  private addEvent(bytes: Uint8Array, s: number, e: number, k: number, ts: number, amount: number): boolean {
    const n = e - s;
    if (this.scratch.length < n + 18) this.scratch = new Uint8Array(2 * (n + 18));
    const key = this.scratch;
    key.set(bytes.subarray(s, e));
    key[n] = NOT_TEXT;
    key[n + 1] = k;
    this.words[0] = ts;
    this.words[1] = amount;
    key.set(this.wordBytes, n + 2);
    return this.seen.add(key, 0, n + 18);
  }
}
