/**
 * A customer's purchase days in any arrival order: the same count, the same gap sum of
 * squares, the same state bytes, through every growth of the day list (1 to 500 days), late
 * days before the first, between two, on an existing day, and after the last.
 */
import { expect, test } from 'vitest';
import { STATE_COLUMNS } from '../../../src/abi/abi.js';
import { readState } from '../../../src/core/state-format.js';
import { Random } from '../../../src/sources/random.js';
import { DAY, feed } from '../../support/hand-built.js';
import type { MakeKernel } from '../../support/kernels.js';
import { shuffled } from '../../support/shuffle.js';

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

export function dayLists(make: MakeKernel): void {
  test.each([1, 2, 3, 5, 17, 64, 65, 500])('%i distinct days in sorted, reversed, shuffled and held-back order give one state', (count) => {
    const rng = new Random(count);
    const days = new Set<number>();
    while (days.size < count) days.add(Math.floor(rng.next() * 3000) - 100);
    const sorted = [...days].sort((a, b) => a - b);
    let sumSq = 0;
    for (let i = 1; i < sorted.length; i++) sumSq += (sorted[i] - sorted[i - 1]) ** 2;
    // every day twice (the second on an existing day), at another hour
    const events = sorted.flatMap((d) => [{ ts: T0 + d * DAY + 3600_000, amount: 1 }, { ts: T0 + d * DAY + 7200_000, amount: 2 }]);
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
  });
}
