/**
 * A customer's purchase days in any arrival order: the same count, the same gap sum of
 * squares, the same state bytes, through every growth of the day list (1 to 500 days), late
 * days before the first, between two, on an existing day, and after the last.
 */
import { expect, test } from 'vitest';
import { STATE_COLUMNS } from '../../../src/abi/abi.js';
import { readState } from '../../../src/domain/state-format.js';
import { Random } from '../../../src/sources/generator/random.js';
import { allocColumnBatch } from '../../../src/batch/column-batch.js';
import { Kind } from '../../../src/domain/types.js';
import type { Kernel } from '../../../src/domain/types.js';
import { DAY, feed } from '../hand-built.js';
import type { MakeKernel } from '../kernels.js';
import { shuffled } from '../shuffle.js';

const T0 = Date.UTC(2024, 0, 1);

/** The state's gap sum of squares and purchase days of its only customer. */
function stats(bytes: Uint8Array): { purchaseDays: number; gapSumSq: number } {
  const { columns } = readState(bytes, 7);
  const col = (name: string): Uint8Array => columns[STATE_COLUMNS.findIndex((c) => c.name === name)];
  return {
    purchaseDays: new Uint32Array(col('purchaseDays').slice().buffer)[0],
    gapSumSq: new Float64Array(col('gapSumSq').slice().buffer)[0],
  };
}

/** Orders (customer id, day) to the kernel in batches of 65,536. */
function feedOrders(k: Kernel, rows: [number, number][]): void {
  for (let at = 0; at < rows.length; at += 65_536) {
    const part = rows.slice(at, at + 65_536);
    const { batch } = allocColumnBatch({ numRows: part.length, idMode: 'int', idBytesLen: 0 });
    part.forEach(([id, day], i) => {
      batch.idWords![2 * i] = id;
      batch.ts[i] = T0 + day * DAY;
      batch.amount[i] = 1;
      batch.kind[i] = Kind.order;
    });
    k.ingest(batch, 0, 1);
  }
}

/**
 * Each customer's purchase days, gap sum of squares and days, by id, sorted: a state's content
 * whatever its slot order.
 */
function customersOf(bytes: Uint8Array): string[] {
  const { columns, days } = readState(bytes, 7);
  const col = (name: string): Uint8Array => columns[STATE_COLUMNS.findIndex((c) => c.name === name)].slice();
  const ids = new Int32Array(col('keyLo').buffer);
  const pd = new Uint32Array(col('purchaseDays').buffer);
  const sumSq = new Float64Array(col('gapSumSq').buffer);
  const all = new Int32Array(days.slice().buffer);
  const out: string[] = [];
  let at = 0;
  for (let s = 0; s < ids.length; s++) {
    out.push(`${ids[s]}:${pd[s]}:${sumSq[s]}:${all.subarray(at, at + pd[s]).join(',')}`);
    at += pd[s];
  }
  return out.sort();
}

export function dayLists(make: MakeKernel): void {
  test(
    'customer after customer, each day a new mark: the journal gives way ' +
      'to the lists, with the days of time order',
    () => {
      // 100,000 customers of 4 days: past the journal's first review (2^20 entries) with a
      // mark at nearly every day, so the lists are built in mid-batch
      const rng = new Random(9);
      const byCustomer: [number, number][] = [];
      for (let c = 1; c <= 100_000; c++) {
        const days = new Set<number>();
        while (days.size < 4) days.add(Math.floor(rng.next() * 2000));
        for (const d of [...days].sort((a, b) => a - b)) byCustomer.push([c, d]);
      }
      const byTime = byCustomer.slice().sort((a, b) => a[1] - b[1] || a[0] - b[0]);
      const states = [byCustomer, byTime].map((rows) => {
        const k = make();
        feedOrders(k, rows);
        return customersOf(k.serialize());
      });
      expect(states[0].length).toBe(100_000);
      expect(states[0]).toEqual(states[1]);
    },
  );

  test.each([1, 2, 3, 5, 17, 64, 65, 500])(
    '%i distinct days in sorted, reversed, shuffled and held-back order give one state',
    (count) => {
      const rng = new Random(count);
      const days = new Set<number>();
      while (days.size < count) days.add(Math.floor(rng.next() * 3000) - 100);
      const sorted = [...days].sort((a, b) => a - b);
      let sumSq = 0;
      for (let i = 1; i < sorted.length; i++) sumSq += (sorted[i] - sorted[i - 1]) ** 2;
      // every day twice (the second on an existing day), at another hour
      const events = sorted.flatMap((d) => [
        { ts: T0 + d * DAY + 3600_000, amount: 1 },
        { ts: T0 + d * DAY + 7200_000, amount: 2 },
      ]);
      // in order but every tenth day held back to the end: the journal first, then the lists
      // built at the first late day, then inserts and appends into them
      const heldBack = [...events.filter((_, i) => i % 20 >= 2), ...events.filter((_, i) => i % 20 < 2)];
      const orders = [events, events.slice().reverse(), ...[1, 2, 3].map((seed) => shuffled(events, seed)), heldBack];
      const states = orders.map((es) => {
        const k = make();
        // one event a batch for one of the orders, the others in one batch
        if (es === orders[2]) for (const e of es) feed(k, [[e]]);
        else feed(k, [es]);
        return k.serialize();
      });
      expect(stats(states[0])).toEqual({ purchaseDays: count, gapSumSq: sumSq });
      for (const s of states.slice(1)) expect(Buffer.from(s).equals(Buffer.from(states[0]))).toBe(true);
    },
  );
}
