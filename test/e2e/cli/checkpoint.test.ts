/**
 * `rfm replay --checkpoint DIR`: killed with SIGKILL at random points, each run resuming
 * from the last checkpoint, it ends with the report and customer list of an uninterrupted
 * run, byte for byte; SIGINT writes a checkpoint and exits 0; a checkpoint of another run,
 * or a damaged one, is refused saying why.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { Random } from '../../../src/sources/generator/random.js';
import { CLI, runCli, tempDir } from '../../support/cli.js';

const dir = tempDir();
const history = join(dir, 'history.arrow');
const file = (name: string): string => join(dir, name);

/** The outputs of a run, to compare byte for byte. */
const outputs = (tag: string): string[] => ['--json', file(`${tag}.json`), '--customers', file(`${tag}.csv`), '-q'];
const same = (a: string, b: string): void => {
  expect(readFileSync(file(`${a}.json`)).equals(readFileSync(file(`${b}.json`))), `${a}.json against ${b}.json`).toBe(
    true,
  );
  expect(readFileSync(file(`${a}.csv`)).equals(readFileSync(file(`${b}.csv`))), `${a}.csv against ${b}.csv`).toBe(true);
};

/**
 * Starts a run and kills it with `signal` at its `events`-th change to the checkpoint
 * directory (a file written, renamed or deleted), unless it ended first: a point of its
 * progress, inside a checkpoint's writing or between two, whatever the machine's speed.
 */
function runUntil(
  args: string[],
  ck: string,
  events: number,
  signal: NodeJS.Signals,
): Promise<{ killed: boolean; code: number | null; stderr: string }> {
  mkdirSync(ck, { recursive: true });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let stderr = '';
    let killed = false;
    let seen = 0;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const watcher = watch(ck, () => {
      if (++seen === events) killed = child.kill(signal);
    });
    child.on('close', (code) => {
      watcher.close();
      resolve({ killed: killed && (code === null || signal !== 'SIGKILL'), code, stderr });
    });
  });
}

beforeAll(async () => {
  const r = await runCli(['generate', '--customers', '100000', '--orders', '3000000', '--seed', '4', '-o', history]);
  expect(r.code, r.stderr).toBe(0);
  const plain = await runCli(['replay', history, '--workers', '2', ...outputs('plain')]);
  expect(plain.code, plain.stderr).toBe(0);
}, 120_000);

describe('rfm replay --checkpoint', () => {
  test('SIGKILL at 5 or more random points, each run resuming from the last ' +
    "checkpoint: the uninterrupted run's report and customers", async () => {
    const ck = file('ck-kill');
    const args = [
      'replay',
      history,
      '--workers',
      '2',
      '--checkpoint',
      ck,
      '--checkpoint-every',
      '100000',
      ...outputs('killed'),
    ];
    const rng = new Random(17);
    const resumedAt: number[] = [];
    let kills = 0;
    for (let attempt = 0; attempt < 30 && (kills < 6 || resumedAt.length < 4); attempt++) {
      const r = await runUntil(args, ck, 1 + Math.floor(rng.next() * 40), 'SIGKILL');
      const m = /resuming from the checkpoint in .*: ([\d,]+) batches/.exec(r.stderr);
      if (m) resumedAt.push(Number(m[1].replace(/,/g, '')));
      if (!r.killed) break;
      kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(5);
    // each resume starts where the one before got to, or later
    expect(resumedAt.length).toBeGreaterThanOrEqual(3);
    expect(resumedAt).toEqual([...resumedAt].sort((a, b) => a - b));
    expect(resumedAt[resumedAt.length - 1]).toBeGreaterThan(0);
    const last = await runCli(args, { timeoutMs: 120_000 });
    expect(last.code, last.stderr).toBe(0);
    same('killed', 'plain');
    // one generation of state files, the older ones deleted
    expect(readdirSync(ck).filter((f) => f.endsWith('.bin'))).toHaveLength(2);
  }, 240_000);

  test('SIGINT finishes the batch, writes a checkpoint and exits 0; a CSV resumes to the same report', async () => {
    // the same history as CSV: the parallel reader gives the same batches on every read
    const csv = file('history.csv');
    const lines = ['customer_id,ts,amount'];
    const rng = new Random(5);
    // 600,000 lines (25 MB: the parallel reader), a checkpoint every 20,000 orders
    for (let i = 0; i < 600_000; i++)
      lines.push(
        `${Math.floor(rng.next() * 50_000)},${new Date(Date.UTC(2024, 0, 1) + i * 50_000).toISOString()},` +
          `${(1 + rng.next() * 200).toFixed(2)}`,
      );
    writeFileSync(csv, lines.join('\n') + '\n');
    const plain = await runCli(['replay', csv, '--workers', '2', ...outputs('csv-plain')]);
    expect(plain.code, plain.stderr).toBe(0);
    const ck = file('ck-int');
    const args = [
      'replay',
      csv,
      '--workers',
      '2',
      '--checkpoint',
      ck,
      '--checkpoint-every',
      '20000',
      ...outputs('csv-int'),
    ];
    // SIGINT after the first checkpoint's files appear: mid-run on any machine
    const stopped = await runUntil(args, ck, 3, 'SIGINT');
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toMatch(/stopped; the checkpoint in .* holds [\d,]+ batches: run the same command to go on/);
    const resumed = await runCli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming from the checkpoint/);
    same('csv-int', 'csv-plain');
  }, 120_000);

  test('repeated order ids: a run restarted from a checkpoint counts each ' +
    'repeat once, as the uninterrupted run', async () => {
    // every tenth row repeats the order before; the checkpoints fall between the reader's batches
    const csv = file('repeats.csv');
    const lines = ['order_id,customer_id,ts,amount'];
    const rng = new Random(9);
    for (let i = 0; i < 400_000; i++)
      lines.push(
        `${i % 10 === 9 ? i - 1 : i},${Math.floor(rng.next() * 20_000)},` +
          `${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},5`,
      );
    writeFileSync(csv, lines.join('\n') + '\n');
    const plain = await runCli(['replay', csv, '--workers', '2', ...outputs('repeats-plain')]);
    expect(plain.code, plain.stderr).toBe(0);
    const args = [
      'replay',
      csv,
      '--workers',
      '2',
      '--checkpoint',
      file('ck-repeats'),
      '--checkpoint-every',
      '50000',
      ...outputs('repeats-restarted'),
    ];
    const r = await runCli(args, { env: { RFM_FAULT_KILL_WORKER: '1:4' }, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming from the checkpoint in .*: [1-9][\d,]* batches/);
    expect(JSON.parse(readFileSync(file('repeats-plain.json'), 'utf8')).counted.duplicates).toBe(40_000);
    same('repeats-restarted', 'repeats-plain');
  }, 120_000);

  test('a worker killed mid-run is restarted from the last checkpoint: the ' +
    "uninterrupted run's report and customers", async () => {
    // the fault hook ends a shard's worker thread just after its Nth batch is sent (counted
    // over the process): shard 2 dies in the first run, shard 1 in the run restarted from it
    const ck = file('ck-worker');
    const args = [
      'replay',
      history,
      '--workers',
      '2',
      '--checkpoint',
      ck,
      '--checkpoint-every',
      '100000',
      ...outputs('worker'),
    ];
    const r = await runCli(args, { env: { RFM_FAULT_KILL_WORKER: '1:5,0:9' }, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const lost = [
      ...r.stderr.matchAll(
        new RegExp(
          String.raw`shard (\d) of 2 is lost: its worker thread stopped \(exit code \d+\); ` +
            'restarting every shard from the last checkpoint',
          'g',
        ),
      ),
    ].map((m) => m[1]);
    expect(lost).toEqual(['2', '1']);
    const resumed = [...r.stderr.matchAll(/resuming from the checkpoint in .*: ([\d,]+) batches/g)].map((m) =>
      Number(m[1].replace(/,/g, '')),
    );
    expect(resumed).toHaveLength(2);
    expect(resumed[0]).toBeGreaterThan(0);
    expect(resumed[1]).toBeGreaterThan(resumed[0]);
    same('worker', 'plain');

    // without --checkpoint the replay cannot go on: it says which shard, and how to survive it
    const bare = await runCli(['replay', history, '--workers', '2', '-q'], { env: { RFM_FAULT_KILL_WORKER: '1:3' } });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(
      new RegExp(
        'shard 2 of 2 is lost: its worker thread stopped .*' +
          String.raw`with --checkpoint DIR it restarts from the last checkpoint\) \[RFM_ERR_WORKER\]`,
      ),
    );
    // a worker that dies at every restart from one checkpoint ends the run, the checkpoint kept:
    // it dies at every ingest task from the second on, since a loaded machine may send a task
    // or two more before the death is seen, and a plan of single counts (2, 4, 6) then misses one
    const everyTask = Array.from({ length: 60 }, (_, i) => `0:${i + 2}`).join(',');
    const again = await runCli(['replay', history, '--workers', '2', '--checkpoint', file('ck-again'), '-q'], {
      env: { RFM_FAULT_KILL_WORKER: everyTask },
    });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/3 restarts from the same checkpoint failed, so the replay stops/);
  }, 180_000);

  test('a checkpoint of another run is refused saying why, and stdin cannot resume', async () => {
    // a small history of its own: what is checked is the checkpoint's files, not the replay
    const small = file('small.arrow');
    expect(
      (await runCli(['generate', '--customers', '2000', '--orders', '50000', '--seed', '6', '-o', small])).code,
    ).toBe(0);
    const ck = file('ck-other');
    const first = await runCli(['replay', small, '--workers', '2', '--checkpoint', ck, '-q']);
    expect(first.code, first.stderr).toBe(0);
    const other = await runCli(['replay', small, '--workers', '2', '--checkpoint', ck, '--max-amount', '500', '-q']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(
      /the checkpoint in .* is of another run \(maxAmount: 1000000000000 then, 500 now\).*\[RFM_ERR_OPTION\]/,
    );
    const fewer = await runCli(['replay', small, '--workers', '1', '--checkpoint', ck, '-q']);
    expect(fewer.stderr).toMatch(/workers: 2 then, 1 now/);
    // damaged, cut short or of an older format: test/unit/engine/checkpoint-dir.test.ts
    // options that cannot resume
    const stdin = await runCli(['replay', '-', '--checkpoint', ck, '-q']);
    expect(stdin.stderr).toMatch(/--checkpoint cannot be used here: stdin/);
  }, 120_000);
});
