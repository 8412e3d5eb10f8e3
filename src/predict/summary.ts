/**
 * From the engine's customers to what the models are fitted on, with lifetimes' conventions
 * in whole UTC days: x = purchase days - 1, t_x = first to last purchase day, T = first
 * purchase day to the calibration end, monetary = the mean of the repeat purchase days'
 * totals (net spend less the first day's orders, over x). Customers without an order
 * (prospects, refund-only) are not in it.
 */
import { FIT_SPEND_BIN } from '../abi/abi.js';
import type { CustomerRows } from '../domain/types.js';
import type { SpendData } from './gamma-gamma.js';
import { TripleHistogram } from './triples.js';

const DAY = 86_400_000;

/** The calibration end's UTC day (orders through its end count). */
export const dayOf = (ms: number): number => Math.floor(ms / DAY);

/** A customer's summary in days: x, t_x, T and monetary (NaN when x = 0). */
export interface CustomerSummary {
  x: number;
  txDays: number;
  tDays: number;
  monetary: number;
}

export function summaryOf(rows: CustomerRows, i: number, endDay: number): CustomerSummary | null {
  const days = rows.purchaseDays[i];
  if (days === 0) return null;
  const first = dayOf(rows.firstTs[i]);
  const x = days - 1;
  return {
    x,
    txDays: dayOf(rows.lastTs[i]) - first,
    tDays: endDay - first,
    monetary: x > 0 ? (rows.spend[i] - rows.firstDaySpend[i]) / x : Number.NaN,
  };
}

/**
 * Repeat customers binned by x and their mean value m, in bins FIT_SPEND_BIN (1e-3) wide in
 * ln m, each bin standing at its centre: the fit's cost is the bins, at most ~7,000 per x
 * between a cent and a million, not the customers; m moves by at most 0.05 %, below what the
 * fit's figures are given to (on CDNOW p, q, v agree with 1e-5 bins to 4 decimals; at 10^6
 * drawn customers 131,000 bins became 32,000 and the fit 1.8 -> 0.9 s). A sum of each bin's
 * own ln m would be exact but depend, in its last bits, on the order the customers came in.
 */
export class SpendBins {
  private readonly index = new Map<number, number>();
  private readonly x: number[] = [];
  private readonly centre: number[] = [];
  private readonly count: number[] = [];
  customers = 0;

  /** One repeat customer of x repeat days and mean value m (the kernels bin it alike: assembly/fit-histograms.ts). */
  add(x: number, m: number): void {
    if (!(m > 0) || x <= 0) return;
    this.addBin(x, Math.floor(Math.log(m) / FIT_SPEND_BIN + 0.5), 1);
  }

  /** n repeat customers of x repeat days in bin `bucket` of ln m. */
  addBin(x: number, bucket: number, n: number): void {
    const key = x * 2 ** 32 + (bucket + 2 ** 31);
    let at = this.index.get(key);
    if (at === undefined) {
      at = this.x.length;
      this.index.set(key, at);
      this.x.push(x);
      this.centre.push(Math.exp(bucket * FIT_SPEND_BIN));
      this.count.push(0);
    }
    this.count[at] += n;
    this.customers += n;
  }

  /** The bins in the order of their keys (the same fit whatever order the orders came in). */
  data(): SpendData {
    // a typed array's sort is numeric and a fraction of an entry array's with a comparator
    const order = Array.from(Float64Array.from(this.index.keys()).sort(), (k) => this.index.get(k)!);
    return {
      x: Float64Array.from(order, (i) => this.x[i]),
      m: Float64Array.from(order, (i) => this.centre[i]),
      count: Float64Array.from(order, (i) => this.count[i]),
    };
  }
}

/** What the models are fitted on: customers by triple, repeat customers by spend bin. */
export interface FitData {
  triples: TripleHistogram;
  spend: SpendBins;
  /** Repeat customers whose repeat days were refunded away (mean value not above 0): not in the spend fit. */
  repeatersWithoutSpend: number;
}

/**
 * Every customer of an export into the histogram and the spend bins: the reference the
 * kernels' own histograms (kernel-histograms.ts) are checked against.
 */
export function summarize(parts: CustomerRows[], endDay: number): FitData {
  const triples = new TripleHistogram();
  const spend = new SpendBins();
  let repeatersWithoutSpend = 0;
  for (const rows of parts) {
    for (let i = 0; i < rows.numRows; i++) {
      const s = summaryOf(rows, i, endDay);
      if (s === null) continue;
      triples.add(s.x, s.txDays, s.tDays);
      if (s.x > 0) {
        if (s.monetary > 0) spend.add(s.x, s.monetary);
        else repeatersWithoutSpend++;
      }
    }
  }
  return { triples, spend, repeatersWithoutSpend };
}
