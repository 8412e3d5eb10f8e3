/**
 * The fit histograms the prediction models are fitted on (assembly/fit-histograms.ts): the
 * WASM kernel keeps them from the customers changed since the last build, the plain core
 * scans every customer each time; after every batch they must be the same, along both of the
 * kernel's paths (updates when few customers changed, scans when many did, and after a
 * restore), with the sketches tracked too (the two share ingest's compare). Then through the
 * engine, sharded: the decoded histograms are what the export of every customer gives
 * (src/predict/summary.ts, the reference), so the fit needs no export.
 */
import { expect, test } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { CoreKernel } from '../../../src/core/core-kernel.js';
import { convertBatch } from '../../../src/batch/convert.js';
import { DEFAULT_COLUMNS } from '../../../src/batch/schema.js';
import { Engine } from '../../../src/engine/engine.js';
import { WasmKernel } from '../../../src/kernel/wasm-kernel.js';
import { fitDataOf } from '../../../src/predict/kernel-histograms.js';
import { dayOf, summarize } from '../../../src/predict/summary.js';
import type { FitData } from '../../../src/predict/summary.js';
import type { FitHistograms } from '../../../src/domain/types.js';
import { ingestBatches } from '../../support/engine.js';
import { randomHistory } from '../../support/random-batches.js';

function ingest(k: CoreKernel | WasmKernel, b: RecordBatch): void {
  k.ingest(convertBatch(b, { names: DEFAULT_COLUMNS, keepRejects: false, firstRow: 0, source: 'test' }).columns, 0, 1);
}

/** One histogram's entries in key order, as "key count" lines: a shard's entries come in no order. */
function lines(keys: Float64Array, counts: Float64Array): string[] {
  return Array.from(keys, (k, i) => [k, counts[i]] as const)
    .sort((x, y) => x[0] - y[0])
    .map(([k, c]) => `${k} ${c}`);
}

/** The same keys (each once) with the same counts, in any order. */
function sameEntries(gk: Float64Array, gc: Float64Array, wk: Float64Array, wc: Float64Array): boolean {
  if (gk.length !== wk.length) return false;
  const want = new Map<number, number>();
  for (const [i, k] of wk.entries()) want.set(k, wc[i]);
  const seen = new Set<number>();
  return want.size === wk.length && gk.every((k, i) => want.get(k) === gc[i] && seen.size < seen.add(k).size);
}

/**
 * Both histograms equal, entry for entry. Compared by a map, 152 times a test (deep equality
 * of sorted "key count" lines took most of the file's time); a difference shows as those lines.
 */
function expectSameEntries(got: FitHistograms, want: FitHistograms, what: string): void {
  for (const [keys, counts] of [
    ['tripleKeys', 'tripleCounts'],
    ['spendKeys', 'spendCounts'],
  ] as const) {
    if (sameEntries(got[keys], got[counts], want[keys], want[counts])) continue;
    expect(lines(got[keys], got[counts]), `${keys} ${what}`).toEqual(lines(want[keys], want[counts]));
    expect.fail(`${keys} ${what}: a key twice`);
  }
}

test.each([false, true])(
  'fit histograms kept from the changed customers equal a scan (string ids: %s)',
  (stringIds) => {
    const small = randomHistory({
      customers: 20_000,
      rows: 150_000,
      batches: 150,
      seed: 31,
      stringIds,
      shuffleRate: 0.2,
    });
    const large = randomHistory({ customers: 20_000, rows: 40_000, batches: 2, seed: 32, stringIds });
    const wasm = new WasmKernel();
    const js = new CoreKernel();
    const batches = [...small.slice(0, 100), ...large, ...small.slice(100)];
    batches.forEach((b, i) => {
      ingest(wasm, b);
      ingest(js, b);
      // the sketches now and then, so both trackers run at once
      if (i % 3 === 0) wasm.sketches();
      const w = wasm.fitHistograms();
      expectSameEntries(w, js.fitHistograms(), `after batch ${i}`);
      if (i === batches.length - 1) {
        expect(w.tripleKeys.length).toBeGreaterThan(1000);
        expect(w.spendKeys.length).toBeGreaterThan(1000);
      }
    });
    const restored = new WasmKernel();
    restored.restore(wasm.serialize());
    for (const b of randomHistory({ customers: 20_000, rows: 5_000, batches: 5, seed: 33, stringIds })) {
      ingest(restored, b);
      ingest(js, b);
      expectSameEntries(restored.fitHistograms(), js.fitHistograms(), 'after the restore');
    }
    expect(restored.fitScans).toBe(1);
    expect(wasm.fitScans).toBeGreaterThan(2);
    expect(wasm.fitScans).toBeLessThan(batches.length / 2);
  },
);

/** A FitData as plain arrays, to compare. */
function plain(d: FitData): unknown {
  const t = d.triples.inUnit(7);
  const s = d.spend.data();
  return {
    customers: d.triples.customers,
    repeaters: d.triples.repeaters,
    withoutSpend: d.repeatersWithoutSpend,
    x: [...t.x],
    tx: [...t.tx],
    T: [...t.T],
    count: [...t.count],
    spendX: [...s.x],
    m: [...s.m],
    spendCount: [...s.count],
  };
}

test.each(['wasm', 'js'] as const)(
  "the engine's histograms decode to what the export gives (%s, 2 shards)",
  async (core) => {
    const asOf = Date.UTC(2026, 0, 1);
    const engine = new Engine({ core, workers: 2, asOf });
    try {
      await ingestBatches(
        engine,
        randomHistory({ customers: 5_000, rows: 60_000, batches: 12, seed: 34, shuffleRate: 0.3 }),
      );
      const h = await engine.fitHistograms();
      expect(h.shards).toHaveLength(2);
      expect(h.asOf).toBe(asOf);
      const exp = await engine.customers('sketch');
      const fromKernels = fitDataOf(h.shards, dayOf(asOf));
      const fromExport = summarize(exp.parts, dayOf(asOf));
      expect(fromKernels.triples.customers).toBeGreaterThan(4000);
      // refunds leave some repeat customers with nothing spent on their repeat days
      expect(fromKernels.repeatersWithoutSpend).toBeGreaterThan(0);
      expect(plain(fromKernels)).toEqual(plain(fromExport));
    } finally {
      await engine.close();
    }
  },
);
