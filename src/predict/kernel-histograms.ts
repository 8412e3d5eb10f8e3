/**
 * The kernels' fit histograms (assembly/fit-histograms.ts, src/core/fit-histograms.ts) as
 * the models take them: each shard's keys decoded (layout: src/abi/table.mjs, FIT_*), the
 * shards added up, T counted from the first purchase day to the calibration end. The cost
 * is the distinct keys, not the customers.
 */
import { FIT_DAY_OFFSET, FIT_DAY_SCALE, FIT_SPEND_OFFSET, FIT_SPEND_SCALE, FIT_TX_SCALE } from '../abi/abi.js';
import type { FitHistograms } from '../domain/types.js';
import { SpendBins } from './summary.js';
import type { FitData } from './summary.js';
import { TripleHistogram } from './triples.js';

export function fitDataOf(shards: FitHistograms[], endDay: number): FitData {
  const triples = new TripleHistogram();
  const spend = new SpendBins();
  let repeatersWithoutSpend = 0;
  for (const h of shards) {
    for (let i = 0; i < h.tripleKeys.length; i++) {
      const key = h.tripleKeys[i];
      const first = (key % FIT_DAY_SCALE) - FIT_DAY_OFFSET;
      const rest = Math.floor(key / FIT_DAY_SCALE);
      const tx = rest % FIT_TX_SCALE;
      const x = Math.floor(rest / FIT_TX_SCALE);
      // a customer first seen after the calibration end is not of it (a live engine's
      // histograms can be a moment newer than the as-of they are fitted at)
      if (first > endDay) continue;
      triples.add(x, tx, endDay - first, h.tripleCounts[i]);
    }
    for (let i = 0; i < h.spendKeys.length; i++) {
      const key = h.spendKeys[i];
      const bin = key % FIT_SPEND_SCALE;
      const x = Math.floor(key / FIT_SPEND_SCALE);
      if (bin === 0) repeatersWithoutSpend += h.spendCounts[i];
      else spend.addBin(x, bin - FIT_SPEND_OFFSET, h.spendCounts[i]);
    }
  }
  return { triples, spend, repeatersWithoutSpend };
}
