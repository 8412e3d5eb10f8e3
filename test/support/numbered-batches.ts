/**
 * Numbered CSV bodies for the durable-server tests: batch b holds rows b * rows ... (b + 1) * rows
 * - 1, a minute apart from 2024.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Random } from '../../src/sources/generator/random.js';
import { runCli } from './cli.js';
import { LiveClient } from './live-client.js';

export function numberedBatchCsv(b: number, rows: number, rng: Random): string {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const n = b * rows + i;
    lines.push(
      `${Math.floor(rng.next() * 20_000)},${new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString()},` +
        `${(1 + Math.floor(rng.next() * 20_000) / 100).toFixed(2)}`,
    );
  }
  return lines.join('\n');
}

/**
 * The live server on `port` holds exactly the bodies, once each: its snapshot (once it holds
 * every order) has the customers, revenue, segments and groups of one rfm replay of them all.
 */
export async function expectServerHoldsReplayOf(
  port: string,
  bodies: string[],
  orders: number,
  dir: string,
): Promise<void> {
  const all = join(dir, 'all.csv');
  writeFileSync(all, `customer_id,ts,amount\n${bodies.join('\n')}\n`);
  const out = join(dir, 'replay.json');
  const replay = await runCli(['replay', all, '--workers', '2', '--json', out, '-q']);
  expect(replay.code, replay.stderr).toBe(0);
  const expected = JSON.parse(readFileSync(out, 'utf8'));
  const client = await LiveClient.connect(`ws://127.0.0.1:${port}/live`);
  const s = await client.snapshotWhere((m) => m.orders === orders);
  client.close();
  expect(s.orders).toBe(expected.orders);
  expect(s.customers).toBe(expected.customers);
  expect(s.revenue).toBeCloseTo(expected.revenue, 2);
  expect(s.segments).toEqual(expected.segments);
  expect(s.groups).toEqual(expected.groups);
}
