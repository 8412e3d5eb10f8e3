/**
 * Question: what does a model whose rules test p_alive cost a read? The same orders read by
 * an engine with the default model and one with models/churn-by-p-alive.json (2 workers):
 * the first snapshot (which fits MBG/NBD on the kernels' histograms) and a second one of the
 * same state (which reuses the fit and pays each customer's P(alive)).
 * Run alone: npm run build:bench && node build/bench-dist/bench/alive-rule.js FILE.arrow
 */
import { fitAliveModel } from '../src/predict/alive-model.js';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine.js';
import { loadDefaultModel, loadModel } from '../src/model/model.js';
import type { Model } from '../src/model/model.js';
import { packageRoot } from '../src/package-root.js';
import { readArrow } from '../src/sources/arrow/source.js';

export interface AliveRuleRun {
  model: string;
  firstSnapshotMs: number;
  againMs: number;
}

async function once(file: string, name: string, model: Model): Promise<AliveRuleRun> {
  const engine = new Engine({ workers: 2, model, fitAlive: fitAliveModel });
  try {
    for await (const c of readArrow(file, {
      ...engine.sourceOptions(),
      numShards: engine.numShards,
      keepRejects: false,
    }))
      await engine.ingest(c);
    await engine.flush();
    const t0 = performance.now();
    await engine.snapshot();
    const t1 = performance.now();
    await engine.snapshot();
    return { model: name, firstSnapshotMs: t1 - t0, againMs: performance.now() - t1 };
  } finally {
    await engine.close();
  }
}

/** Default and p_alive models, alternating, twice each. */
export async function aliveRule(file: string): Promise<AliveRuleRun[]> {
  const refined = loadModel(join(packageRoot(), 'models', 'churn-by-p-alive.json'));
  const out: AliveRuleRun[] = [];
  for (let i = 0; i < 2; i++) {
    out.push(await once(file, 'default', loadDefaultModel()));
    out.push(await once(file, 'churn-by-p-alive', refined));
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await aliveRule(process.argv[2]))
    process.stdout.write(
      `${r.model}: first snapshot ${r.firstSnapshotMs.toFixed(0)} ms, again ${r.againMs.toFixed(0)} ms\n`,
    );
}
