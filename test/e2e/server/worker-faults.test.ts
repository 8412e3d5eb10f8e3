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
import { Random } from '../../../src/sources/generator/random.js';
import { startCli, tempDir } from '../../support/cli.js';
import { expectServerHoldsReplayOf, numberedBatchCsv } from '../../support/numbered-batches.js';

const dir = tempDir();
const BATCHES = 60;
const ROWS = 2000;

const batchCsv = (b: number, rng: Random): string => numberedBatchCsv(b, ROWS, rng);

const post = (port: string, body: string, key: string): Promise<Response> =>
  fetch(`http://127.0.0.1:${port}/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', 'idempotency-key': key },
    body: `customer_id,ts,amount\n${body}\n`,
  });

test('workers killed under rfm serve --data: every request answered 200 ' +
  'once, the state that of one replay of them all', async () => {
  const rng = new Random(31);
  const bodies = Array.from({ length: BATCHES }, (_, b) => batchCsv(b, rng));
  const args = [
    'serve',
    '--port',
    '0',
    '--workers',
    '2',
    '--interval',
    '50',
    '--data',
    join(dir, 'data'),
    '--checkpoint-every',
    '300ms',
    '--no-figures',
  ];
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
      // a pause now and then: --checkpoint-every 300ms takes one at the next request after it,
      // so that there are checkpoints between the deaths (a pause of the clock the option reads)
      if (b % 10 === 9) await new Promise((r) => setTimeout(r, 350));
    }
    const lost = [
      ...stderr.matchAll(
        /shard (\d) of 2 is lost: its worker thread stopped \(exit code \d+\); restarting every shard from/g,
      ),
    ].map((m) => m[1]);
    expect(lost).toEqual(['2', '1']);
    expect(stderr.match(/restarted in [\d.]+ s: the checkpoint and [\d,]+ logged requests after it/g)).toHaveLength(2);

    await expectServerHoldsReplayOf(port, bodies, BATCHES * ROWS, dir);
  } finally {
    child.kill('SIGKILL');
  }
}, 120_000);

test('without --data a lost shard stops the server, naming it', async () => {
  const { child, url } = await startCli(['serve', '--port', '0', '--workers', '2', '--no-figures'], {
    RFM_FAULT_KILL_WORKER: '1:2',
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const port = new URL(url).port;
  const rng = new Random(3);
  for (let b = 0; b < 3; b++) await post(port, batchCsv(b, rng), `b${b}`).catch(() => undefined);
  expect(await exited).toBe(2);
  expect(stderr).toMatch(
    new RegExp(
      String.raw`shard 2 of 2 is lost: its worker thread stopped .*; the server stops rather than serve what is left ` +
        String.raw`\(with --data DIR it restarts the shards from DIR and goes on\) \[RFM_ERR_WORKER\]`,
    ),
  );
}, 60_000);

/** GET path's status, Retry-After and error. */
async function read(
  port: string,
  path: string,
): Promise<{ status: number; retryAfter: string | null; error?: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  const body = r.headers.get('content-type')?.includes('json') ? ((await r.json()) as { error?: string }) : {};
  return { status: r.status, retryAfter: r.headers.get('retry-after'), error: body.error };
}

test('while the state is put back every read says 503 with Retry-After; a ' +
  'restart that fails for good stays 503', async () => {
  const rng = new Random(7);
  const bodies = Array.from({ length: 12 }, (_, b) => batchCsv(b, rng));
  // a long log (no checkpoint): shard 2 dies at its 10th batch, the restart takes a while
  const one = await startCli(
    [
      'serve',
      '--port',
      '0',
      '--workers',
      '2',
      '--data',
      join(dir, 'restore'),
      '--checkpoint-every',
      '1h',
      '--no-figures',
    ],
    { RFM_FAULT_KILL_WORKER: '1:10' },
  );
  const port = new URL(one.url).port;
  try {
    for (let b = 0; b < 9; b++) expect((await post(port, bodies[b], `r${b}`)).status).toBe(200);
    // the death is seen as the batch is applied, the restart runs after: health is asked until it
    // has been 503 and is 200 again
    const dying = post(port, bodies[9], 'r9');
    const seen: { status: number; retryAfter: string | null; error?: string }[] = [];
    for (let polls = 0; polls < 20_000; polls++) {
      seen.push(await read(port, '/health'));
      if (seen.some((s) => s.status === 503) && seen[seen.length - 1].status === 200) break;
    }
    expect((await dying).status).toBe(200);
    expect(seen).toContainEqual({
      status: 503,
      retryAfter: '2',
      error: expect.stringContaining('the state is being put back'),
    });
    expect(seen[seen.length - 1]).toMatchObject({ status: 200 });
  } finally {
    one.child.kill('SIGKILL');
  }

  // the 10th batch kills shard 2, and so does every batch after it: each restart's replay of the log dies too
  const always = Array.from({ length: 400 }, (_, k) => `1:${10 + k}`).join(',');
  const two = await startCli(
    [
      'serve',
      '--port',
      '0',
      '--workers',
      '2',
      '--data',
      join(dir, 'broken'),
      '--checkpoint-every',
      '1h',
      '--no-figures',
    ],
    { RFM_FAULT_KILL_WORKER: always },
  );
  const port2 = new URL(two.url).port;
  try {
    for (let b = 0; b < 9; b++) expect((await post(port2, bodies[b], `b${b}`)).status).toBe(200);
    // the death is seen as the batch is applied: its answer may go before the restarts fail
    expect([200, 503]).toContain((await post(port2, bodies[9], 'b9')).status);
    let health = await read(port2, '/health');
    for (let polls = 0; polls < 20_000 && !health.error?.includes('cannot restart'); polls++)
      health = await read(port2, '/health');
    for (const path of ['/health', '/report.html', '/predictions']) {
      expect(await read(port2, path)).toMatchObject({
        status: 503,
        error: expect.stringContaining('cannot restart the engine from'),
      });
    }
    // it does not come back by itself: a later request is refused the same way
    const later = await post(port2, bodies[10], 'b10');
    expect(later.status).toBe(503);
    expect(await read(port2, '/health')).toMatchObject({ status: 503 });
  } finally {
    two.child.kill('SIGKILL');
  }
}, 120_000);
