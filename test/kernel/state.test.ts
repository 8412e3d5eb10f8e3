import { describe, expect, test } from 'vitest';
import { CoreKernel } from '../../src/core/core-kernel.js';
import type { Kernel } from '../../src/core/types.js';
import { convertBatch, DEFAULT_COLUMNS } from '../../src/engine/arrow-columns.js';
import { WasmKernel } from '../../src/kernel/wasm-kernel.js';
import { loadDefaultModel } from '../../src/model/model.js';
import { planOf } from '../support/hand-built.js';
import { randomHistory } from '../support/random-batches.js';
import { digest } from '../support/bytes.js';

const model = loadDefaultModel();
const make: Record<string, () => Kernel> = { js: () => new CoreKernel(), wasm: () => new WasmKernel() };

function ingestAll(k: Kernel, batches: ReturnType<typeof randomHistory>): void {
  for (const b of batches) k.ingest(convertBatch(b, { names: DEFAULT_COLUMNS, keepRejects: false, firstRow: 0, source: 'test' }).columns, 0, 1);
}

describe.each([
  ['js', 'wasm'],
  ['wasm', 'js'],
  ['wasm', 'wasm'],
])('state written by the %s kernel restores into the %s kernel', (from, to) => {
  test.each([false, true])('and goes on exactly as if it never stopped (string ids: %s)', (stringIds) => {
    const batches = randomHistory({ customers: 4000, rows: 30_000, batches: 6, seed: 11, stringIds });
    const whole = make[from]();
    ingestAll(whole, batches);

    const first = make[from]();
    ingestAll(first, batches.slice(0, 3));
    const resumed = make[to]();
    resumed.restore(first.serialize());
    expect(resumed.numCustomers).toBe(first.numCustomers);
    expect(digest(resumed.sketches())).toEqual(digest(first.sketches()));
    ingestAll(resumed, batches.slice(3));

    expect(digest(resumed.serialize())).toEqual(digest(whole.serialize()));
    expect(digest(resumed.sketches())).toEqual(digest(whole.sketches()));
    const plan = planOf(model, { asOf: Date.UTC(2026, 0, 1), cuts: [0, 1e12, 1.6e12, 1.7e12, 2, 3, 4, 5, 10, 50, 100, 500, 5, 10, 20, 40] });
    expect(digest(resumed.exportRows(plan))).toEqual(digest(whole.exportRows(plan)));
  });
});

test('a state that is not ours is refused', () => {
  expect(() => new WasmKernel().restore(new Uint8Array(64))).toThrow(/not an rfmstream kernel state/);
  expect(() => new CoreKernel().restore(new Uint8Array(64))).toThrow(/not an rfmstream kernel state/);
});
