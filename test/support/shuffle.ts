import { Random } from '../../src/sources/generator/random.js';

/** A seeded Fisher-Yates shuffle: a copy of `a` in another order, the same for the same seed. */
export function shuffled<T>(a: readonly T[], seed: number): T[] {
  const rng = new Random(seed);
  const out = a.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
