/**
 * The plain core's fit histograms: every customer with an order by (x, t_x, first purchase
 * day), every repeat customer by (x, ln m bin), keys as src/abi/table.mjs lays them out.
 * Built by one pass over the customers each time; the WASM kernel's twin,
 * assembly/fit-histograms.ts, keeps them from the customers changed since when few changed.
 */
import * as abi from '../abi/abi.js';
import type { Records } from './records.js';
import type { FitHistograms } from '../domain/types.js';

const { CENTS, DAY_MS, FIT_DAY_OFFSET, FIT_DAY_SCALE, FIT_SPEND_BIN, FIT_SPEND_OFFSET, FIT_SPEND_SCALE, FIT_TX_SCALE } =
  abi;

export function fitHistograms(r: Records): FitHistograms {
  const triples = new Map<number, number>();
  const spend = new Map<number, number>();
  const add = (m: Map<number, number>, key: number): void => {
    m.set(key, (m.get(key) ?? 0) + 1);
  };
  for (let s = 0; s < r.numCustomers; s++) {
    const days = r.purchaseDays(s);
    if (days === 0) continue;
    const x = days - 1;
    const first = Math.floor(r.firstTs(s) / DAY_MS);
    const last = Math.floor(r.lastTs(s) / DAY_MS);
    add(triples, (x * FIT_TX_SCALE + (last - first)) * FIT_DAY_SCALE + first + FIT_DAY_OFFSET);
    if (x > 0) {
      const m = (r.spend(s) - r.firstDayCents[s] / CENTS) / x;
      add(
        spend,
        m > 0
          ? x * FIT_SPEND_SCALE + Math.floor(Math.log(m) / FIT_SPEND_BIN + 0.5) + FIT_SPEND_OFFSET
          : x * FIT_SPEND_SCALE,
      );
    }
  }
  return {
    tripleKeys: Float64Array.from(triples.keys()),
    tripleCounts: Float64Array.from(triples.values()),
    spendKeys: Float64Array.from(spend.keys()),
    spendCounts: Float64Array.from(spend.values()),
  };
}
