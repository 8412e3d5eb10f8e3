import { expect, test } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { CoreKernel } from '../../../src/core/core-kernel.js';
import { convertBatch } from '../../../src/batch/convert.js';
import { DEFAULT_COLUMNS } from '../../../src/batch/schema.js';
import { WasmKernel } from '../../../src/kernel/wasm-kernel.js';
import { randomHistory } from '../../support/random-batches.js';

type Sketches = ReturnType<CoreKernel['sketches']>;

/** Where two kernels' sketches differ first ('' when they are the same). */
function firstDifference(a: Sketches, b: Sketches): string {
  for (const name of Object.keys(a) as (keyof Sketches)[]) {
    const x = a[name];
    const y = b[name];
    if (x.length !== y.length) return `${name}: ${x.length} buckets against ${y.length}`;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `${name}[${i}]: ${x[i]} against ${y[i]}`;
  }
  return '';
}

function ingest(k: CoreKernel | WasmKernel, b: RecordBatch): void {
  k.ingest(convertBatch(b, { names: DEFAULT_COLUMNS, keepRejects: false, firstRow: 0, source: 'test' }).columns, 0, 1);
}

// Between snapshots the WASM kernel keeps its sketches from the customers changed since the
// last build (assembly/sketch.ts); the plain core scans every customer each time. Their
// sketches must be the same after every batch, along both of the kernel's paths: updates
// when few customers changed, scans when many did (and after a restore).
test.each([false, true])(
  'sketches kept from the changed customers equal sketches from a scan (string ids: %s)',
  (stringIds) => {
    // batches of 1,000 rows over 20,000 customers: few change in each once most exist
    const small = randomHistory({ customers: 20_000, rows: 150_000, batches: 150, seed: 21, stringIds });
    // then batches that change more than 1 in 16
    const large = randomHistory({ customers: 20_000, rows: 40_000, batches: 2, seed: 22, stringIds });
    const wasm = new WasmKernel();
    const js = new CoreKernel();
    const batches = [...small.slice(0, 100), ...large, ...small.slice(100)];
    batches.forEach((b, i) => {
      ingest(wasm, b);
      ingest(js, b);
      expect(firstDifference(wasm.sketches(), js.sketches()), `after batch ${i}`).toBe('');
    });
    // a restored kernel starts with a scan, then tracks again
    const restored = new WasmKernel();
    restored.restore(wasm.serialize());
    const more = randomHistory({ customers: 20_000, rows: 5_000, batches: 5, seed: 23, stringIds });
    for (const b of more) {
      ingest(restored, b);
      ingest(js, b);
      expect(firstDifference(restored.sketches(), js.sketches())).toBe('');
    }
    expect(restored.sketchScans).toBe(1);
    // both paths were taken: scans while the customers were few and for the large batches,
    // updates for most of the small ones
    expect(wasm.sketchScans).toBeGreaterThan(2);
    expect(wasm.sketchScans).toBeLessThan(batches.length / 2);
  },
);
