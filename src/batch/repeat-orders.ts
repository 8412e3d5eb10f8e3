/**
 * A repeated order counts once: overlapping exports of the same orders (a month's beside
 * a quarter's) given together must not double a customer's orders and spend. The first row
 * of an order id, in input order, is the order; a later row with the id is a repeat, marked
 * skip before the batch reaches the shards and counted as `duplicates`. A refund or an
 * engagement is one event by its order id, kind, time and amount: an order's two partial
 * refunds both count, the same refund in two files once. Exact sets on the reading thread,
 * as every row passes through it anyway: integer ids in number-set.ts, text ids and the
 * other events' keys in byte-set.ts.
 */
import { Kind } from '../domain/types.js';
import { ByteSet } from './byte-set.js';
import { NumberSet, slotOf } from './number-set.js';
import { columnBatchOver } from './column-batch.js';
import type { ConvertedInput } from './converted.js';
import type { OrderKeys } from './order-keys.js';

/** A byte no UTF-8 text holds: after it, the rest of a non-order event's key, so no order id can equal it. */
const NOT_TEXT = 0xff;
/** Integer ids whose last amount is kept (a power of two). */
const RECENT = 4096;

export class RepeatOrders {
  private readonly seen = new ByteSet(1 << 16);
  /** Order ids that are integers (most), kept as numbers: a fifth of the cost of their bytes. */
  private readonly numbers = new NumberSet(1 << 16);
  /** A batch's rows whose integer ids are orders', and whether each was new. */
  private candidates = new Int32Array(0);
  private fresh = new Uint8Array(0);
  /**
   * The last amount of recent integer ids (direct-mapped), to tell a repeat with another
   * amount: an order's line items sit together, so the row before is nearly always here.
   */
  private readonly recent = new Float64Array(2 * RECENT).fill(NaN);
  private scratch = new Uint8Array(64);
  private readonly words = new Float64Array(2);
  private readonly wordBytes = new Uint8Array(this.words.buffer);
  private readonly amountBits = new Uint32Array(new Float32Array(1).buffer);
  private readonly amountF32 = new Float32Array(this.amountBits.buffer);
  /** Repeats dropped so far. */
  dropped = 0;
  /**
   * Repeated orders whose amount is not the row before's: likely an order's line items (a
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
    const copies = [...new Set(c.parts.map((p) => p.buffer))]
      .filter((buf) => buf !== first.buffer)
      .map((buf) => columnBatchOver(buf, first.shape).kind);
    const { ids, offsets, bytes } = keys;
    const kind = b.kind;
    const n = b.numRows;
    // the orders of integer ids go into the set together, their misses to memory overlapping (number-set.ts)
    if (this.fresh.length < n) {
      this.fresh = new Uint8Array(2 * n);
      this.candidates = new Int32Array(2 * n);
    }
    let count = 0;
    for (let i = 0; i < n; i++)
      if (kind[i] === Kind.order && ids[i] === ids[i] && b.amount[i] >= 0) this.candidates[count++] = i;
    this.numbers.addAll(ids, this.candidates, count, this.fresh);
    let repeats = 0;
    for (let i = 0; i < n; i++) {
      const k = kind[i];
      const s = offsets[i];
      const e = offsets[i + 1];
      const id = ids[i];
      if (k === Kind.skip || (s === e && id !== id)) continue;
      const a = b.amount[i];
      const isOrder = k === Kind.order && a >= 0;
      let fresh: boolean;
      if (isOrder) {
        if (id === id) {
          fresh = this.fresh[i] === 1;
          // the row before of this id, if it is still in the small table of recent ones
          const r = 2 * (slotOf(id) & (RECENT - 1));
          if (!fresh && this.recent[r] === id && this.recent[r + 1] !== a) this.otherAmounts++;
          this.recent[r] = id;
          this.recent[r + 1] = a;
        } else {
          // the row before's amount (as float32 bits) rides in the set's owner word
          this.amountF32[0] = a;
          const was = this.seen.addOwned(bytes, s, e, this.amountBits[0]);
          fresh = was < 0;
          if (!fresh && was !== this.amountBits[0]) this.otherAmounts++;
        }
      } else fresh = this.addEvent(keys, i, k, b.ts[i], a);
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

  /** A refund or engagement: its order id (as text, or the number's 8 bytes), kind, time and amount as one key. */
  private addEvent(keys: OrderKeys, i: number, k: number, ts: number, amount: number): boolean {
    const s = keys.offsets[i];
    const isNumber = keys.ids[i] === keys.ids[i];
    const n = isNumber ? 8 : keys.offsets[i + 1] - s;
    if (this.scratch.length < n + 19) this.scratch = new Uint8Array(2 * (n + 19));
    const key = this.scratch;
    this.words[0] = keys.ids[i];
    if (isNumber) key.set(this.wordBytes.subarray(0, 8));
    else key.set(keys.bytes.subarray(s, s + n));
    // the byte no UTF-8 text holds ends the id; a number's key says it is one
    key[n] = NOT_TEXT;
    key[n + 1] = isNumber ? 1 : 0;
    key[n + 2] = k;
    this.words[0] = ts;
    this.words[1] = amount;
    key.set(this.wordBytes, n + 3);
    return this.seen.add(key, 0, n + 19);
  }
}
