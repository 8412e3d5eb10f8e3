/**
 * The live cultivation and core-retention figures across a restart of `rfm serve --data`:
 * the checkpoint keeps the figures' tracker (each customer's first time in a Core segment,
 * the Core marks of the last measurements), so a server killed and started again on the
 * same DIR shows, after the rest of the orders, the figures of one that never stopped.
 * Before, the tracker started over: the cohorts of before the restart read low.
 */
import { expect, test } from 'vitest';
import { LiveEngine } from '../../../src/server/live.js';
import { startServer } from '../../../src/server/server.js';
import type { RunningServer } from '../../../src/server/server.js';
import { Random } from '../../../src/sources/generator/random.js';
import { tempDir } from '../../support/cli.js';

const IDENTITY = { workers: 1 };

/** 40 bodies of 500 orders over ten months of 2024, in time order, customers coming back. */
function bodies(): string[] {
  const rng = new Random(12);
  const out: string[] = [];
  for (let b = 0; b < 40; b++) {
    const lines = ['customer_id,ts,amount'];
    for (let i = 0; i < 500; i++) {
      const n = b * 500 + i;
      const customer = Math.floor(rng.next() * Math.min(3000, 200 + n / 4));
      lines.push(
        `${customer},${new Date(Date.UTC(2024, 0, 1) + (n * 26_000_000) / 20).toISOString()},` +
          `${(5 + rng.next() * 200).toFixed(2)}`,
      );
    }
    out.push(lines.join('\n') + '\n');
  }
  return out;
}

async function serve(dir: string): Promise<{ live: LiveEngine; server: RunningServer }> {
  const live = new LiveEngine({ workers: 1 }, 50);
  const server = await startServer(live, {
    port: 0,
    host: '127.0.0.1',
    data: { dir, identity: IDENTITY, checkpointEveryMs: 0 },
  });
  live.start();
  return { live, server };
}

const post = async (s: RunningServer, body: string): Promise<void> => {
  const r = await fetch(s.url + 'ingest', { method: 'POST', headers: { 'content-type': 'text/csv' }, body });
  expect(r.status, await r.clone().text()).toBe(200);
};

test('killed and restarted on the same DIR, the live figures go on as if it never stopped', async () => {
  const all = bodies();
  const straight = await serve(tempDir());
  for (const b of all) await post(straight.server, b);
  const expected = (await straight.live.snapshot()).figures!;
  await straight.server.close();
  await straight.live.close();
  expect(expected.cultivation!.cohorts.length).toBeGreaterThan(5);
  expect(expected.coreRetention).not.toBeNull();

  const dir = tempDir();
  const first = await serve(dir);
  for (const b of all.slice(0, 25)) await post(first.server, b);
  // kill-like: the engine gone, no last checkpoint (one was written after every request)
  await first.live.close();
  const again = await serve(dir);
  for (const b of all.slice(25)) await post(again.server, b);
  const got = (await again.live.snapshot()).figures!;
  await again.server.close();
  await again.live.close();
  await first.server.close().catch(() => undefined);
  expect(got).toEqual(expected);
}, 120_000);
