/**
 * A shard's worker thread dies under `rfm serve --data DIR`: the server restarts every
 * shard from DIR (the last checkpoint and the log after it) and goes on. Every request is
 * answered 200 once, none retried, and the engine ends holding exactly what one replay of
 * all the bodies gives. Without --data there is nothing to restart from: the server stops,
 * naming the shard, instead of serving a state with a hole. (The fault hook ends a worker
 * thread just after its Nth batch is sent, see src/engine/fault-injection.ts.)
 */
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { Random } from '../../src/sources/random.js';
import { startCli, tempDir } from '../support/cli.js';
import { expectServerHoldsReplayOf, numberedBatchCsv } from '../support/numbered-batches.js';

const dir = tempDir();
const BATCHES = 60;
const ROWS = 2000;

const batchCsv = (b: number, rng: Random): string => numberedBatchCsv(b, ROWS, rng);

const post = (port: string, body: string, key: string): Promise<Response> => fetch(`http://127.0.0.1:${port}/ingest`, {
  method: 'POST', headers: { 'content-type': 'text/csv', 'idempotency-key': key }, body: `customer_id,ts,amount\n${body}\n`,
});

test('workers killed under rfm serve --data: every request answered 200 once, the state that of one replay of them all', async () => {
  const rng = new Random(31);
  const bodies = Array.from({ length: BATCHES }, (_, b) => batchCsv(b, rng));
  const args = ['serve', '--port', '0', '--workers', '2', '--interval', '50', '--data', join(dir, 'data'), '--checkpoint-every', '300ms', '--no-figures'];
  // shard 2 dies at its 12th batch, shard 1 at its 40th (the restart's replay of the log counts too)
  const { child, url } = await startCli(args, { RFM_FAULT_KILL_WORKER: '1:12,0:40' });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = new URL(url).port;
  try {
    for (let b = 0; b < BATCHES; b++) {
      const r = await post(port, bodies[b], `batch-${b}`);
      expect(r.status, await r.clone().text()).toBe(200);
      expect(await r.json()).toEqual({ accepted: ROWS, rejected: 0 });
      // a pause now and then, for checkpoints between the deaths
      if (b % 10 === 9) await new Promise((r) => setTimeout(r, 350));
    }
    const lost = [...stderr.matchAll(/shard (\d) of 2 is lost: its worker thread stopped \(exit code \d+\); restarting every shard from/g)].map((m) => m[1]);
    expect(lost).toEqual(['2', '1']);
    expect(stderr.match(/restarted in [\d.]+ s: the checkpoint and [\d,]+ logged requests after it/g)).toHaveLength(2);

    await expectServerHoldsReplayOf(port, bodies, BATCHES * ROWS, dir);
  } finally {
    child.kill('SIGKILL');
  }
}, 120_000);

test('without --data a lost shard stops the server, naming it', async () => {
  const { child, url } = await startCli(['serve', '--port', '0', '--workers', '2', '--no-figures'], { RFM_FAULT_KILL_WORKER: '1:2' });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const port = new URL(url).port;
  const rng = new Random(3);
  for (let b = 0; b < 3; b++) await post(port, batchCsv(b, rng), `b${b}`).catch(() => undefined);
  expect(await exited).toBe(2);
  expect(stderr).toMatch(/shard 2 of 2 is lost: its worker thread stopped .*; the server stops rather than serve what is left \(with --data DIR it restarts the shards from DIR and goes on\) \[RFM_ERR_WORKER\]/);
}, 60_000);
