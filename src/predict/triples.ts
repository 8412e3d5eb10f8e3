/**
 * The histogram of distinct (x, t_x, T) the purchase models are fitted on. A customer's
 * likelihood depends on nothing else, so N customers with few distinct triples cost the
 * triples, not N: kept in whole days (x repeat purchase days, t_x first to last purchase
 * day, T first purchase day to the calibration end), turned into the unit at fit time.
 */
import type { Triples } from './bgnbd.js';

export class TripleHistogram {
  private readonly index = new Map<number, number>();
  x: number[] = [];
  tx: number[] = [];
  T: number[] = [];
  count: number[] = [];
  customers = 0;
  repeaters = 0;

  /** One customer: its repeat purchase days, first-to-last and first-to-end in days. */
  add(x: number, txDays: number, tDays: number, n = 1): void {
    // T and t_x fit in 2^16 days (179 years), x below 2^20 days
    const key = (x * 65536 + txDays) * 65536 + tDays;
    let at = this.index.get(key);
    if (at === undefined) {
      at = this.x.length;
      this.index.set(key, at);
      this.x.push(x);
      this.tx.push(txDays);
      this.T.push(tDays);
      this.count.push(0);
    }
    this.count[at] += n;
    this.customers += n;
    if (x > 0) this.repeaters += n;
  }

  get size(): number {
    return this.x.length;
  }

  /**
   * The triples in the unit (days per unit: 1 or 7), as columns, in the order of their
   * (x, t_x, T): the likelihood is summed in that order, so the fit of the same orders is the
   * same to the last bit whatever order they came in.
   */
  inUnit(daysPerUnit: number): Triples {
    // a typed array's sort is numeric and a fraction of an entry array's with a comparator
    const order = Array.from(Float64Array.from(this.index.keys()).sort(), (k) => this.index.get(k)!);
    const xs = order.map((i) => this.x[i]);
    const txs = order.map((i) => this.tx[i]);
    const Ts = order.map((i) => this.T[i]);
    // the distinct values and each triple's place among them, by tables over whole numbers
    const places = (values: number[], scale: number): { v: Float64Array; i: Uint32Array } => {
      const table = new Int32Array(values.reduce((m, v) => Math.max(v, m), 0) + 1).fill(-1);
      for (const v of values) table[v] = 0;
      const v: number[] = [];
      for (let k = 0; k < table.length; k++) if (table[k] === 0) table[k] = v.push(k / scale) - 1;
      return { v: Float64Array.from(v), i: Uint32Array.from(values, (d) => table[d]) };
    };
    const x = places(xs, 1);
    const tx = places(txs, daysPerUnit);
    const T = places(Ts, daysPerUnit);
    return {
      x: Float64Array.from(xs),
      tx: Float64Array.from(txs, (d) => d / daysPerUnit),
      T: Float64Array.from(Ts, (d) => d / daysPerUnit),
      count: Float64Array.from(order, (i) => this.count[i]),
      distinct: { xs: x.v, xi: x.i, txs: tx.v, txi: tx.i, Ts: T.v, Ti: T.i },
    };
  }
}
