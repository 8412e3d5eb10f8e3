/** Numbered CSV bodies for the durable-server tests: batch b holds rows b * rows ... (b + 1) * rows - 1, a minute apart from 2024. */
import type { Random } from '../../src/sources/random.js';

export function numberedBatchCsv(b: number, rows: number, rng: Random): string {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const n = b * rows + i;
    lines.push(`${Math.floor(rng.next() * 20_000)},${new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString()},${(1 + Math.floor(rng.next() * 20_000) / 100).toFixed(2)}`);
  }
  return lines.join('\n');
}
