/** The integer set of repeated order ids (number-set.ts) holds what a JavaScript Set holds, through its growth. */
import { expect, test } from 'vitest';
import { NumberSet } from '../../src/batch/number-set.js';

test('adds answer as a Set does: 0, negatives, 2^53 - 1, every tenth id, through many doublings', () => {
  const set = new NumberSet(4);
  const ref = new Set<number>();
  const ids = [0, -1, 1, -0, 2 ** 53 - 1, -(2 ** 53 - 1), 4294967296, 4294967295];
  for (let i = 0; i < 200_000; i++) ids.push(i % 3 === 0 ? 10 * i : Math.floor(Math.sin(i) * 1e12));
  for (const id of [...ids, ...ids.slice(0, 5000)]) expect(set.add(id)).toBe(!ref.has(id) && ref.add(id) !== undefined);
  expect(set.size).toBe(ref.size);
});
