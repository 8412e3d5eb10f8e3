import { expect, test } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { convertBatch } from '../../../src/batch/convert.js';
import { DEFAULT_COLUMNS } from '../../../src/batch/schema.js';
import { CoreKernel } from '../../../src/core/core-kernel.js';
import { WasmKernel } from '../../../src/kernel/wasm-kernel.js';
import { compileModel, loadDefaultModel } from '../../../src/model/model.js';
import type { Model, ModelFile } from '../../../src/model/model.js';
import { planOf } from '../../support/hand-built.js';
import { randomHistory } from '../../support/random-batches.js';
import { Random } from '../../../src/sources/generator/random.js';

const DAY = 86_400_000;
const BASE = Date.UTC(2024, 0, 1);

/** Applies b to both kernels; returns its latest valid time. */
function ingest(kernels: (CoreKernel | WasmKernel)[], b: RecordBatch): number {
  const columns = convertBatch(b, { names: DEFAULT_COLUMNS, keepRejects: false, firstRow: 0, source: 'test' }).columns;
  for (const k of kernels) k.ingest(columns, 0, 1);
  let latest = -Infinity;
  for (const t of columns.ts) if (t > latest) latest = t;
  return latest;
}

/** The default model with recency conditions too: their crossings come due like retention's. */
function recencyModel(): Model {
  const file = JSON.parse(JSON.stringify(loadDefaultModel().file)) as ModelFile;
  file.segments.unshift({ name: 'Fresh', group: 'Core', when: ['recency_days <= 20', 'orders >= 3'] });
  file.audiences.push({ name: 'Quiet a month', when: ['recency_days > 30', 'spend > 0'] });
  return compileModel(file, 'test');
}

/** Where two totals differ first ('' when the same). */
function firstDifference(a: Float64Array, b: Float64Array): string {
  if (a.length !== b.length) return `${a.length} totals against ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `[${i}]: ${a[i]} against ${b[i]}`;
  return '';
}

// The WASM kernel keeps every customer's class between snapshots and classifies only the
// changed customers and those whose retention or recency conditions came due
// (assembly/classes.ts); the plain core classifies every customer every time. Their totals
// (segments, retention, audiences, migration, cents) must be the same after every batch,
// with the as-of time standing still, creeping, and jumping months (many retention states
// come due at once), with and without commits, and after a change of plan.
test.each([
  ['default model', loadDefaultModel()],
  ['recency conditions', recencyModel()],
] as const)('classes kept between snapshots equal a classification of every customer (%s)', (_, model) => {
  const rng = new Random(31);
  // 1,000-row batches over 20,000 customers: few change in each once most exist
  const batches = randomHistory({ customers: 20_000, rows: 200_000, batches: 200, seed: 30 });
  const cuts = [
    ...[150, 300, 450, 550].map((d) => BASE + d * DAY),
    ...[1, 2, 3, 5],
    ...[10, 50, 200, 1000],
    ...[10, 25, 100, 250],
  ];
  const wasm = new WasmKernel();
  const js = new CoreKernel();
  // the as-of time follows the orders (a live engine's watermark, ~3 days a batch here),
  // standing, a few hours on, or now and then months ahead of them
  let asOf = BASE;
  let planned: Float64Array;
  batches.forEach((b, i) => {
    asOf = Math.max(asOf, ingest([wasm, js], b));
    const step = rng.next();
    asOf += step < 0.3 ? 0 : step < 0.95 ? Math.floor(rng.next() * 8 * 3_600_000) : 90 * DAY;
    // a plan of other cuts now and then: every customer again
    const other = i % 50 === 25;
    const c = other ? cuts.map((x, j) => (j === 5 ? 3 : x)) : cuts;
    planned = planOf(model, { asOf, cuts: c, medianSpend: 40 });
    const commit = rng.next() < 0.5;
    // as a snapshot does: the sketches first (kept only after ones brought up to date from few changes)
    wasm.sketches();
    const w = wasm.classify(planned, commit);
    const j = js.classify(planned, commit);
    expect(firstDifference(w, j), `after batch ${i}, commit ${commit}`).toBe('');
  });
  // the update was the usual path: full classifications for the first, the first after
  // each change of plan, and whichever came after a batch that changed too many
  expect(wasm.classifyScans).toBeGreaterThan(4);
  expect(wasm.classifyScans).toBeLessThan(batches.length / 4);
});

test('a restored kernel classifies every customer once, then keeps classes again', () => {
  const model = loadDefaultModel();
  // 100-row batches: few customers change in each
  const batches = randomHistory({ customers: 5_000, rows: 30_000, batches: 300, seed: 32 });
  const cuts = [0, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4].map((x, i) => (i < 4 ? BASE + x * 150 * DAY : x));
  const wasm = new WasmKernel();
  const js = new CoreKernel();
  const plan = (k: number): Float64Array => planOf(model, { asOf: BASE + (600 + k) * DAY, cuts });
  for (const b of batches.slice(0, 200)) ingest([wasm, js], b);
  wasm.sketches();
  wasm.classify(plan(0), true);
  js.classify(plan(0), true);
  const restored = new WasmKernel();
  restored.restore(wasm.serialize());
  batches.slice(200).forEach((b, i) => {
    ingest([restored, js], b);
    restored.sketches();
    expect(firstDifference(restored.classify(plan(i + 1), true), js.classify(plan(i + 1), true))).toBe('');
  });
  expect(restored.classifyScans).toBe(2);
});
