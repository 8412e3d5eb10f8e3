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

/** The entries as "key count" lines in key order: a shard's entries come in no order. */
function entries(h: FitHistograms): { triples: string[]; spend: string[] } {
  const lines = (keys: Float64Array, counts: Float64Array): string[] =>
    Array.from(keys, (k, i) => [k, counts[i]] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([k, c]) => `${k} ${c}`);
  return { triples: lines(h.tripleKeys, h.tripleCounts), spend: lines(h.spendKeys, h.spendCounts) };
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
      const w = entries(wasm.fitHistograms());
      expect(w, `after batch ${i}`).toEqual(entries(js.fitHistograms()));
      if (i === batches.length - 1) {
        expect(w.triples.length).toBeGreaterThan(1000);
        expect(w.spend.length).toBeGreaterThan(1000);
      }
    });
    const restored = new WasmKernel();
    restored.restore(wasm.serialize());
    for (const b of randomHistory({ customers: 20_000, rows: 5_000, batches: 5, seed: 33, stringIds })) {
      ingest(restored, b);
      ingest(js, b);
      expect(entries(restored.fitHistograms())).toEqual(entries(js.fitHistograms()));
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
