/** The live predictions are named by the state they were fitted on: asked again, unchanged, they are not refitted. */
import { expect, test } from 'vitest';
import { RecordBatchConverter } from '../../../src/batch/record-batches.js';
import { Engine } from '../../../src/engine/engine.js';
import { fitAliveModel } from '../../../src/predict/alive-model.js';
import { LivePredictions } from '../../../src/server/live-predictions.js';
import { buildOrderBatch } from '../../../src/sources/batch-builder.js';

const DAY = 86_400_000;

/** 600 orders of 200 customers over a year, most of them repeat buyers. */
function history(seed: number) {
  const n = 600;
  return buildOrderBatch({
    numRows: n,
    idWords: Int32Array.from({ length: 2 * n }, (_, i) => (i % 2 ? 0 : ((i / 2) * 7 + seed) % 200)),
    ts: Float64Array.from({ length: n }, (_, i) => Date.UTC(2025, 0, 1) + ((i * 37 + seed) % 365) * DAY),
    amount: Float64Array.from({ length: n }, (_, i) => 5 + (i % 40)),
    kind: new Int8Array(n),
  });
}

test('a batch given while a fit waits for the engine is in the fit and in its name', async () => {
  const engine = new Engine({ workers: 0, fitAlive: fitAliveModel });
  try {
    const convert = new RecordBatchConverter(engine.sourceOptions());
    await engine.ingest(convert.convert(history(1)));
    const live = new LivePredictions(() => engine);
    // asked, then a batch given before the fit reads the engine
    const asked = live.refit();
    const given = engine.ingest(convert.convert(history(2)));
    const first = await asked;
    await given;
    expect(first.customers).toBe(200);
    // nothing given since: the same fit, not a new one
    expect(await live.refit()).toBe(first);
    // a batch given since: a new one
    await engine.ingest(convert.convert(history(3)));
    expect(await live.refit()).not.toBe(first);
  } finally {
    await engine.close();
  }
});
