/** The integer set of repeated order ids (number-set.ts) holds what a JavaScript Set holds, through its growth. */
import { expect, test } from 'vitest';
import { NumberSet } from '../../../src/batch/number-set.js';

test('adds answer as a Set does: 0, negatives, 2^53 - 1, every tenth id, through many doublings', () => {
  const set = new NumberSet(4);
  const ref = new Set<number>();
  const ids = [0, -1, 1, -0, 2 ** 53 - 1, -(2 ** 53 - 1), 4294967296, 4294967295];
  for (let i = 0; i < 200_000; i++) ids.push(i % 3 === 0 ? 10 * i : Math.floor(Math.sin(i) * 1e12));
  for (const id of [...ids, ...ids.slice(0, 5000)]) expect(set.add(id)).toBe(!ref.has(id) && ref.add(id) !== undefined);
  expect(set.size).toBe(ref.size);
});

test('addAll marks new keys as add does, a key twice in one batch new only the first time, through growth', () => {
  const set = new NumberSet(4);
  const ref = new Set<number>();
  for (let batch = 0; batch < 20; batch++) {
    const ids = Float64Array.from({ length: 5000 }, (_, i) =>
      i % 7 === 0 ? batch * 1000 + i - 7 : Math.floor(Math.cos(batch * 5000 + i) * 1e9),
    );
    const rows = Int32Array.from({ length: 2500 }, (_, j) => 2 * j + (batch % 2));
    const fresh = new Uint8Array(5000).fill(9);
    set.addAll(ids, rows, rows.length, fresh);
    for (const row of rows) {
      const isNew = !ref.has(ids[row]);
      ref.add(ids[row]);
      expect(fresh[row]).toBe(isNew ? 1 : 0);
    }
    // rows not given are left alone
    expect(fresh[1 - (batch % 2)]).toBe(9);
  }
  expect(set.size).toBe(ref.size);
});
