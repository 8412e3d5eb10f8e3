/**
 * Seeded random batches that hit the edges: few distinct amounts and days (ties), several
 * orders on one day, refunds, visits and email opens, events out of time order, string
 * and integer ids, and bad rows (null time, NaN amount).
 */
import type { RecordBatch } from 'apache-arrow';
import { buildOrderBatch } from '../../src/sources/batch-builder.js';
import { Random } from '../../src/sources/generator/random.js';

export interface RandomHistory {
  customers: number;
  rows: number;
  batches: number;
  seed: number;
  stringIds?: boolean;
  /** Share of rows with a bad value. */
  badRate?: number;
  /** Share of rows out of time order. */
  shuffleRate?: number;
  /**
   * Days the history spans (default 600, so every row is before the tests' as-of times of
   * 2026 and later; a fixed step per row once put most rows of the larger cases after them).
   */
  days?: number;
}

const DAY = 86_400_000;
const BASE = Date.UTC(2024, 0, 1);

export function randomHistory(o: RandomHistory): RecordBatch[] {
  const rng = new Random(o.seed);
  const perBatch = Math.ceil(o.rows / o.batches);
  const out: RecordBatch[] = [];
  let t = BASE;
  // 0, 1 or 2 steps a row: one step on average, several rows a day when rows outnumber days
  const step = Math.floor(((o.days ?? 600) * DAY) / o.rows);
  const amounts = [0, 5, 9.99, 10, 10, 25.5, 100, 250, 1000, 0.01];
  for (let b = 0; b < o.batches; b++) {
    const n = Math.min(perBatch, o.rows - b * perBatch);
    if (n <= 0) break;
    const words = new Int32Array(2 * n);
    const strings: string[] = [];
    const ts = new Float64Array(n);
    const amount = new Float64Array(n);
    const kind = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      // skewed customer choice: some customers buy far more often than others
      const c = Math.floor(Math.pow(rng.next(), 2) * o.customers);
      if (o.stringIds) strings.push(`c${c}@shop.example`);
      else {
        words[2 * i] = c * 7919 + 3;
        words[2 * i + 1] = c % 3 === 0 ? -1 : c % 5;
      }
      t += Math.floor(rng.next() * 3) * step + Math.floor(rng.next() * 1000);
      ts[i] = rng.next() < (o.shuffleRate ?? 0.05) ? t - Math.floor(rng.next() * 60) * DAY : Math.floor(t / DAY) * DAY;
      const k = rng.next();
      kind[i] = k < 0.8 ? 0 : k < 0.88 ? 1 : k < 0.95 ? 2 : 3;
      amount[i] = amounts[Math.floor(rng.next() * amounts.length)] * (kind[i] === 1 && rng.next() < 0.5 ? -1 : 1);
      if (rng.next() < (o.badRate ?? 0.01)) {
        if (rng.next() < 0.5) ts[i] = NaN;
        else amount[i] = NaN;
      }
    }
    out.push(
      buildOrderBatch({
        numRows: n,
        idWords: o.stringIds ? undefined : words,
        idStrings: o.stringIds ? strings : undefined,
        ts,
        amount,
        kind,
      }),
    );
  }
  return out;
}
