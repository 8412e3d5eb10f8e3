/**
 * A shard's worker thread that dies takes the shard's state with it. Piscina would start a
 * fresh, empty worker and run the next task on it: the engine went on with a hole in its
 * state (the batches after the death counted, the dead shard's customers gone). The thread's
 * exit is watched now: the engine hears of it at once, idle or busy, and refuses every call
 * after it, naming the shard. (The restart from a checkpoint is the CLI's: checkpoint.test.ts
 * for rfm replay, worker-faults.test.ts in test/server for rfm serve --data.)
 */
import type { Piscina } from 'piscina';
import { afterEach, expect, test } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { RfmError } from '../../../src/domain/errors.js';
import { generateOrders } from '../../../src/sources/generator/generator.js';
import { ingestBatches } from '../../support/engine.js';

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

/** Ends shard `shard`'s worker thread from outside, as a crash in it would. */
function killWorker(e: Engine, shard: number): Promise<number> {
  const shards = (e as unknown as { shards: { pool: Piscina }[] }).shards;
  return shards[shard].pool.threads[0].terminate();
}

const orders = (n: number, seed: number) => generateOrders({ customers: n / 10, orders: n, seed, days: 300 });

test('an idle worker that dies is heard of with no batch sent to it, and nothing after it is taken', async () => {
  engine = new Engine({ workers: 2 });
  await ingestBatches(engine, orders(20_000, 1));
  await engine.flush();
  const heard = new Promise<RfmError>((resolve) => engine!.onFault((e) => resolve(e)));
  await killWorker(engine, 1);
  // heard while idle: nothing is sent before it (the test's timeout, if never)
  const e = await heard;
  expect(e.code).toBe('RFM_ERR_WORKER');
  expect(e.message).toMatch(/shard 2 of 2 is lost: its worker thread stopped/);
  expect(engine.fault).toBe(e);
  // before, piscina's fresh worker took these and the snapshot counted them without shard 2's customers
  await expect(ingestBatches(engine, orders(2_000, 2))).rejects.toThrow(/shard 2 of 2 is lost/);
  await expect(engine.snapshot()).rejects.toThrow(/shard 2 of 2 is lost/);
});

test('a worker that dies with batches in flight fails the engine naming the shard', async () => {
  engine = new Engine({ workers: 2 });
  const faults: RfmError[] = [];
  engine.onFault((e) => faults.push(e));
  let given = 0;
  const run = (async () => {
    for (const b of orders(400_000, 3)) {
      await ingestBatches(engine!, [b]);
      if (++given === 3) void killWorker(engine!, 0);
    }
    await engine!.flush();
  })();
  await expect(run).rejects.toSatisfy(
    (e: unknown) => e instanceof RfmError && e.code === 'RFM_ERR_WORKER' && /shard 1 of 2 is lost/.test(e.message),
  );
  expect(faults).toHaveLength(1);
});

test('closing an engine is not taken for a death', async () => {
  const e = new Engine({ workers: 2 });
  const faults: RfmError[] = [];
  e.onFault((f) => faults.push(f));
  await ingestBatches(e, orders(2_000, 4));
  await e.close();
  expect(faults).toHaveLength(0);
});
