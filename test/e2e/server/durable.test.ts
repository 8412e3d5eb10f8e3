/**
 * `rfm serve --data DIR`: a client POSTs numbered batches with idempotency keys while the
 * server is killed with SIGKILL at random moments and started again on the same DIR; the
 * client retries what was not answered. At the end the engine holds every batch exactly once:
 * the report of one replay of all of them.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { Random } from '../../../src/sources/generator/random.js';
import { startCli, tempDir } from '../../support/cli.js';
import { expectServerHoldsReplayOf, numberedBatchCsv } from '../../support/numbered-batches.js';

const dir = tempDir();
const BATCHES = 150;
const ROWS = 2000;

const batchCsv = (b: number, rng: Random): string => numberedBatchCsv(b, ROWS, rng);

test('SIGKILL at random moments, restarts on the same DIR, retries by key: ' +
  'every batch counted exactly once', async () => {
  const rng = new Random(23);
  const bodies = Array.from({ length: BATCHES }, (_, b) => batchCsv(b, rng));
  const data = join(dir, 'data');
  const args = (port: string): string[] => [
    'serve',
    '--port',
    port,
    '--workers',
    '2',
    '--interval',
    '50',
    '--data',
    data,
    '--checkpoint-every',
    '1s',
    '--no-figures',
  ];
  const started = await startCli(args('0'));
  let server: ChildProcessWithoutNullStreams = started.child;
  const url = started.url;
  const port = new URL(url).port;
  let kills = 0;
  let posting = true;
  const answered: { accepted: number; rejected: number; repeated?: boolean }[] = [];
  // the killer: SIGKILL, then the same command on the same port, again and again
  const killer = (async () => {
    const pick = new Random(5);
    while (posting && kills < 8) {
      await new Promise((r) => setTimeout(r, 300 + Math.floor(pick.next() * 700)));
      if (!posting) break;
      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));
      kills++;
      ({ child: server } = await startCli(args(port)));
    }
  })();
  const poster = async (b: number): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'text/csv', 'idempotency-key': `batch-${b}` },
          body: `customer_id,ts,amount\n${bodies[b]}\n`,
        });
        if (r.status === 200) {
          answered[b] = (await r.json()) as (typeof answered)[number];
          return;
        }
        expect(r.status, await r.text()).toBe(200);
      } catch (e) {
        // the server was killed under the request, or is not up yet: retry with the same key
        if ((e as Error).name === 'AssertionError') throw e;
      }
      expect(attempt).toBeLessThan(500);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  // four clients at a time, each batch until it is answered
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < BATCHES) await poster(next++);
    }),
  );
  // enough kills: keep going until five happened (the posting may outrun the killer)
  while (kills < 5) {
    await new Promise((r) => setTimeout(r, 100));
    for (let b = 0; b < 10; b++) await poster(b);
  }
  posting = false;
  await killer;
  try {
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(answered.every((a) => a.accepted === ROWS && a.rejected === 0)).toBe(true);
    // every batch once: the report of one replay of all of them
    await expectServerHoldsReplayOf(port, bodies, BATCHES * ROWS, dir);
  } finally {
    server!.kill('SIGKILL');
  }
}, 180_000);
