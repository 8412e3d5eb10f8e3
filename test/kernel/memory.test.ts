import { expect, test } from 'vitest';
import { convertBatch, DEFAULT_COLUMNS } from '../../src/engine/arrow-columns.js';
import { WasmKernel } from '../../src/kernel/wasm-kernel.js';
import { loadDefaultModel } from '../../src/model/model.js';
import { planOf } from '../support/hand-built.js';
import { randomHistory } from '../support/random-batches.js';

test('WASM memory stays flat over many batches once the state is sized', () => {
  const batches = randomHistory({ customers: 20_000, rows: 200_000, batches: 20, seed: 9 }).map(
    (b) => convertBatch(b, { names: DEFAULT_COLUMNS, keepRejects: false, firstRow: 0, source: 'test' }).columns,
  );
  const k = new WasmKernel();
  const plan = planOf(loadDefaultModel(), { asOf: Date.UTC(2026, 0, 1), cuts: [0, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4] });
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
