/**
 * The plain core's percentile sketches: histograms of every customer's current last day,
 * orders, spend, AOV and mean gap (buckets: buckets.ts). Rebuilt by one pass over the
 * customers when events came in since the last build; the WASM kernel's twin,
 * assembly/sketch.ts, keeps them from the changed customers when few changed, and says why
 * a build per snapshot instead of an update per event.
 */
import * as abi from '../abi/abi.js';
import { dayIndexBucket, moneyBucket, moneyBuckets, ordersBucket } from './buckets.js';
import type { Records } from './records.js';
import type { Sketches } from '../domain/types.js';

// The ABI's numbers as this module's own constants: V8 folds those into the code, not
// imported bindings (measured on the plain core's ingest: 15.9 -> 18.7 M rows/s).
const { DAY_BUCKETS, ORDERS_BUCKETS } = abi;

export class Sketch {
  private readonly lastDay = new Uint32Array(DAY_BUCKETS);
  private readonly orders = new Uint32Array(ORDERS_BUCKETS);
  private readonly spend: Uint32Array;
  private readonly aov: Uint32Array;
  private readonly meanGap: Uint32Array;
  /** False once an event has changed the state since the sketches were built. */
  valid = true;

  constructor(private readonly subBits: number) {
    const nb = moneyBuckets(subBits);
    this.spend = new Uint32Array(nb);
    this.aov = new Uint32Array(nb);
    this.meanGap = new Uint32Array(nb);
  }

  /** Copies of the sketches of `records`, rebuilt first when stale. */
  of(records: Records): Sketches {
    if (!this.valid) this.build(records);
    return {
      lastDay: this.lastDay.slice(),
      orders: this.orders.slice(),
      spend: this.spend.slice(),
      aov: this.aov.slice(),
      meanGap: this.meanGap.slice(),
    };
  }

  private build(r: Records): void {
    this.lastDay.fill(0);
    this.orders.fill(0);
    this.spend.fill(0);
    this.aov.fill(0);
    this.meanGap.fill(0);
    for (let s = 0; s < r.numCustomers; s++) if (r.orders(s) > 0) this.move(r, s, 1);
    this.valid = true;
  }

  /** Adds customer s's values (delta 1), as assembly/sketch.ts's sketchMove. */
  private move(r: Records, s: number, delta: number): void {
    const o = r.orders(s);
    const sp = r.spend(s);
    this.lastDay[dayIndexBucket(r.lastDay(s))] += delta;
    this.orders[ordersBucket(o)] += delta;
    this.spend[moneyBucket(sp, this.subBits)] += delta;
    this.aov[moneyBucket(sp / o, this.subBits)] += delta;
    if (r.purchaseDays(s) >= 2) this.meanGap[moneyBucket(r.meanGap(s), this.subBits)] += delta;
  }
}
