import { expect, test } from 'vitest';
import { convertBatch } from '../../../src/batch/convert.js';
import { DEFAULT_COLUMNS } from '../../../src/batch/schema.js';
import { WasmKernel } from '../../../src/kernel/wasm-kernel.js';
import { loadDefaultModel } from '../../../src/model/model.js';
import { planOf } from '../../support/hand-built.js';
import { randomHistory } from '../../support/random-batches.js';

test('WASM memory stays flat over many batches once the state is sized', () => {
  const batches = randomHistory({ customers: 20_000, rows: 200_000, batches: 20, seed: 9 }).map(
    (b) => convertBatch(b, { names: DEFAULT_COLUMNS, keepRejects: false, firstRow: 0, source: 'test' }).columns,
  );
  const k = new WasmKernel();
  const plan = planOf(loadDefaultModel(), {
    asOf: Date.UTC(2026, 0, 1),
    cuts: [0, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4],
  });
  for (const b of batches) k.ingest(b, 0, 1);
  k.classify(plan, true);
  const sized = k.memoryBytes;
  const customers = k.numCustomers;
  for (let round = 0; round < 15; round++) {
    for (const b of batches) k.ingest(b, 0, 1);
    k.classify(plan, true);
  }
  expect(k.numCustomers).toBe(customers);
  expect(k.memoryBytes).toBeLessThanOrEqual(sized * 1.25);
});

test('what a call drops is freed: 100 snapshots need no more memory than the first', () => {
  // The kernel runs AssemblyScript's minimal runtime, which never collects by itself;
  // WasmKernel collects after each call. Each snapshot allocates its plan and totals
  // (~200 KB), so 100 of them would grow memory by ~20 MB if nothing were freed.
  const [batch] = randomHistory({ customers: 5_000, rows: 20_000, batches: 1, seed: 4 }).map(
    (b) => convertBatch(b, { names: DEFAULT_COLUMNS, keepRejects: false, firstRow: 0, source: 'test' }).columns,
  );
  const k = new WasmKernel();
  const plan = planOf(loadDefaultModel(), {
    asOf: Date.UTC(2026, 0, 1),
    cuts: [0, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4],
  });
  k.ingest(batch, 0, 1);
  const first = k.classify(plan, false);
  const sized = k.memoryBytes;
  let last = first;
  for (let i = 0; i < 100; i++) last = k.classify(plan, false);
  expect(last).toEqual(first);
  expect(k.memoryBytes).toBe(sized);
});
