/**
 * Question: what does the fit cost through the engine, from the kernels' fit histograms
 * against from an export of every customer, and what does a refit cost after a few orders?
 * Customers drawn from BG/NBD (CDNOW's parameters, as predict-fit.ts) become orders, one a
 * purchase day, applied by a 2-worker WASM engine; then, timed apart: the kernels' first
 * histograms (a scan in each worker), the three fits on them, the export-and-summarize path
 * the fit took before, and the histograms again after 1,000 more orders (kept from the
 * customers changed since). Both paths must give the same BG/NBD parameters.
 * Run alone: npm run build:bench && node build/bench-dist/bench/predict-engine.js [customers]
 */
import { Engine } from '../src/engine/engine.js';
import { RecordBatchConverter } from '../src/batch/record-batches.js';
import { buildOrderBatch } from '../src/sources/batch-builder.js';
import { Random } from '../src/sources/generator/random.js';
import { fitDataOf } from '../src/predict/kernel-histograms.js';
import { fitAll } from '../src/predict/predict.js';
import type { PredictOptions } from '../src/predict/predict.js';
import { dayOf, summarize } from '../src/predict/summary.js';

const DAY = 86_400_000;
const TRUE = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const ROWS = 1 << 16;
const BASE_DAY = Date.UTC(2025, 0, 1) / DAY;
const CAL_DAYS = 273;

export interface EngineFitRun {
  customers: number;
  orders: number;
  distinctTriples: number;
  spendBins: number;
  ingestMs: number;
  /** The kernels' first histograms: a scan of every customer in each worker. */
  histogramsFirstMs: number;
  /** The three fits (BG/NBD, MBG/NBD, Gamma-Gamma) on them, decoding included. */
  fitMs: number;
  /** The path before the fit histograms: export every customer, summarize, fit. */
  exportPathMs: number;
  /** The histograms again after 1,000 orders of existing customers. */
  histogramsAfterFewMs: number;
  /** Export path over histogram path (histograms + fit). */
  exportOverHistograms: number;
  /** The three fits alone (Fits.fitMs). */
  threeFitsMs: number;
}

interface Batch {
  ids: Int32Array;
  ts: Float64Array;
  amount: Float64Array;
  n: number;
}

const emptyBatch = (): Batch => ({
  ids: new Int32Array(2 * ROWS),
  ts: new Float64Array(ROWS),
  amount: new Float64Array(ROWS),
  n: 0,
});

/** Orders of customers drawn from the model, one a purchase day, in batches of ROWS (customer after customer). */
function* orderBatches(customers: number, rng: Random): Generator<Batch> {
  let b = emptyBatch();
  const days: number[] = [];
  for (let c = 0; c < customers; c++) {
    const first = Math.floor(rng.next() * 84);
    const lambda = rng.gamma(TRUE.r) / TRUE.alpha;
    const ga = rng.gamma(TRUE.a);
    const p = ga / (ga + rng.gamma(TRUE.b));
    const spend = 10 + rng.next() * 90;
    days.length = 0;
    days.push(first);
    for (let t = first + rng.next(); ; ) {
      t += (-Math.log(1 - rng.next()) / lambda) * 7;
      if (t >= CAL_DAYS + 1) break;
      const day = Math.floor(t);
      if (day !== days[days.length - 1]) days.push(day);
      if (rng.next() < p) break;
    }
    for (let k = 0; k < days.length; k++) {
      b.ids[2 * b.n] = c;
      b.ts[b.n] = (BASE_DAY + days[k]) * DAY + 43_200_000;
      b.amount[b.n] = k === 0 ? spend : spend * (0.5 + rng.next());
      if (++b.n === ROWS) {
        yield b;
        b = emptyBatch();
      }
    }
  }
  if (b.n > 0) yield b;
}

export async function engineFitRun(customers: number): Promise<EngineFitRun> {
  const asOf = (BASE_DAY + CAL_DAYS) * DAY + DAY - 1;
  const engine = new Engine({ workers: 2, core: 'wasm', asOf });
  try {
    const converter = new RecordBatchConverter(engine.sourceOptions(), 'drawn');
    const rng = new Random(7);
    let orders = 0;
    let started = performance.now();
    for (const b of orderBatches(customers, rng)) {
      orders += b.n;
      const batch = buildOrderBatch({
        numRows: b.n,
        idWords: b.ids.subarray(0, 2 * b.n),
        ts: b.ts.subarray(0, b.n),
        amount: b.amount.subarray(0, b.n),
      });
      await engine.ingest(converter.convert(batch));
    }
    await engine.flush();
    const ingestMs = performance.now() - started;
    const o: PredictOptions = {
      calibrationEnd: asOf,
      unit: 'week',
      horizon: 52,
      discount: 0.1,
      purchaseModel: 'bgnbd',
    };

    started = performance.now();
    const h = await engine.fitHistograms();
    const histogramsFirstMs = performance.now() - started;
    started = performance.now();
    const data = fitDataOf(h.shards, dayOf(asOf));
    const fits = fitAll(data, o);
    const fitMs = performance.now() - started;

    started = performance.now();
    const exp = await engine.customers('sketch');
    const viaExport = fitAll(summarize(exp.parts, dayOf(asOf)), o);
    const exportPathMs = performance.now() - started;
    for (const k of ['r', 'alpha', 'a', 'b'] as const) {
      if (viaExport.bgnbd[k] !== fits.bgnbd[k])
        throw new Error(`BG/NBD ${k}: ${fits.bgnbd[k]} from the histograms, ${viaExport.bgnbd[k]} from the export`);
    }

    // 1,000 more orders of existing customers, on the calibration's last day
    const few = new Int32Array(2000);
    for (let i = 0; i < 1000; i++) few[2 * i] = Math.floor(rng.next() * customers);
    await engine.ingest(
      converter.convert(
        buildOrderBatch({
          numRows: 1000,
          idWords: few,
          ts: new Float64Array(1000).fill(asOf - DAY / 2),
          amount: new Float64Array(1000).fill(20),
        }),
      ),
    );
    await engine.flush();
    started = performance.now();
    await engine.fitHistograms();
    const histogramsAfterFewMs = performance.now() - started;
    return {
      customers,
      orders,
      distinctTriples: fits.distinctTriples,
      spendBins: data.spend.data().x.length,
      ingestMs,
      histogramsFirstMs,
      fitMs,
      exportPathMs,
      histogramsAfterFewMs,
      exportOverHistograms: exportPathMs / (histogramsFirstMs + fitMs),
      threeFitsMs: fits.fitMs,
    };
  } finally {
    await engine.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1_000_000);
  const r = await engineFitRun(n);
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}
