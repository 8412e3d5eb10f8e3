/**
 * The engine fits the model behind p_alive with the function it is given (fitAlive): it
 * imports no model itself (the layers test holds it to that), and a model testing p_alive
 * without a fit fails the read saying what to pass.
 */
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { loadModel } from '../../../src/model/model.js';
import { fitAliveModel } from '../../../src/predict/alive-model.js';
import { generateOrders } from '../../../src/sources/generator/generator.js';
import { PROJECT } from '../../support/data.js';
import { ingestBatches } from '../../support/engine.js';

const model = loadModel(join(PROJECT, 'models', 'churn-by-p-alive.json'));
let engine: Engine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

test('a model testing p_alive is read under the fit the engine was given', async () => {
  engine = new Engine({ workers: 0, model, fitAlive: fitAliveModel });
  await ingestBatches(engine, generateOrders({ customers: 2000, orders: 30_000, seed: 3, days: 400 }));
  const s = await engine.snapshot('exact');
  expect(s.result.thresholds.aliveFit).toMatchObject({ model: 'mbgnbd', converged: true });
  expect(s.result.thresholds.aliveFit!.r).toBeGreaterThan(0);
});

test('without a fit, such a read fails saying what to pass', async () => {
  engine = new Engine({ workers: 0, model });
  await ingestBatches(engine, generateOrders({ customers: 200, orders: 2000, seed: 3, days: 400 }));
  await expect(engine.snapshot('exact')).rejects.toThrow(
    /reads p_alive, and this engine was given no fit for it: pass fitAlive/,
  );
});
