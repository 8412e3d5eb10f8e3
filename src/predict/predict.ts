/**
 * What each customer is worth next, from the engine's customers at the calibration end:
 * the summary (summary.ts), BG/NBD and MBG/NBD on its histogram of distinct triples,
 * Gamma-Gamma on the repeat customers' binned means, then per customer P(alive), expected
 * purchases over the horizon, expected spend per order and CLV. Per-customer figures that
 * depend only on (x, t_x, T) are computed once per distinct triple.
 */
import type { CustomerRows } from '../domain/types.js';
import { expectedIfAlive, expectedPurchases, fitPurchases, pAlive } from './bgnbd.js';
import type { PurchaseFit, PurchaseModel } from './bgnbd.js';
import { expectedSpend, fitSpend } from './gamma-gamma.js';
import type { SpendFit } from './gamma-gamma.js';
import { dayOf, summaryOf } from './summary.js';
import type { FitData } from './summary.js';
import type { Tracking } from './tracking.js';

export type TimeUnit = 'day' | 'week';
/** Steps of the CLV's discounting over the horizon. */
const CLV_STEPS = 13;
export const DAYS_PER_UNIT: Record<TimeUnit, number> = { day: 1, week: 7 };

export interface PredictOptions {
  /** The calibration end (ms): orders through the end of its UTC day are the calibration. */
  calibrationEnd: number;
  unit: TimeUnit;
  /** Units ahead for expected purchases and CLV. */
  horizon: number;
  /** Yearly discount rate of the CLV (0.1: 10 % a year), applied unit by unit. */
  discount: number;
  /** Which purchase model the per-customer expectations and CLV use (both are fitted). */
  purchaseModel: PurchaseModel;
}

export interface Fits {
  unit: TimeUnit;
  calibrationEnd: string;
  customers: number;
  repeaters: number;
  distinctTriples: number;
  bgnbd: PurchaseFit;
  mbgnbd: PurchaseFit;
  gammaGamma: SpendFit & { left: number };
  horizon: number;
  discount: number;
  purchaseModel: PurchaseModel;
  /** Wall time of the three fits, ms. */
  fitMs: number;
}

/** The three fits on what the kernels' histograms (kernel-histograms.ts) or an export (summary.ts) give. */
export function fitAll(data: FitData, o: PredictOptions): Fits {
  const endDay = dayOf(o.calibrationEnd);
  const { triples, spend, repeatersWithoutSpend } = data;
  const started = performance.now();
  const t = triples.inUnit(DAYS_PER_UNIT[o.unit]);
  const bgnbd = fitPurchases('bgnbd', t);
  const mbgnbd = fitPurchases('mbgnbd', t);
  const gammaGamma = { ...fitSpend(spend.data()), left: repeatersWithoutSpend };
  return {
    unit: o.unit,
    calibrationEnd: new Date(endDay * 86_400_000).toISOString().slice(0, 10),
    customers: triples.customers,
    repeaters: triples.repeaters,
    distinctTriples: triples.size,
    bgnbd,
    mbgnbd,
    gammaGamma,
    horizon: o.horizon,
    discount: o.discount,
    purchaseModel: o.purchaseModel,
    fitMs: performance.now() - started,
  };
}

export interface CustomerPrediction {
  x: number;
  tx: number;
  T: number;
  monetary: number;
  pAliveBgnbd: number;
  pAliveMbgnbd: number;
  expectedPurchases: number;
  expectedSpend: number;
  clv: number;
}

/** Per-customer predictions, with the triple-only figures memoised. */
export class Predictor {
  private readonly perTriple = new Map<number, { pBg: number; pMbg: number; expected: number; discounted: number }>();
  /** Per (x, T): the expected purchases if alive up to each CLV step (expectedIfAlive), shared by every t_x. */
  private readonly perXT = new Map<number, Float64Array>();
  private readonly endDay: number;
  private readonly days: number;
  /** The CLV's steps: their ends in the unit and their discount factors. */
  private readonly stepAt: number[] = [];
  private readonly stepDiscount: number[] = [];

  constructor(
    readonly fits: Fits,
    readonly o: PredictOptions,
  ) {
    this.endDay = dayOf(o.calibrationEnd);
    this.days = DAYS_PER_UNIT[o.unit];
    const steps = Math.min(o.horizon, CLV_STEPS);
    for (let k = 1; k <= steps; k++) {
      const at = (o.horizon * k) / steps;
      this.stepAt.push(at);
      this.stepDiscount.push((1 + o.discount) ** ((at * this.days) / 365));
    }
  }

  private ifAlive(model: PurchaseFit, x: number, tDays: number, T: number): Float64Array {
    const key = x * 65536 + tDays;
    let v = this.perXT.get(key);
    if (v === undefined) {
      v = Float64Array.from(this.stepAt, (at) => expectedIfAlive(this.fits.purchaseModel, model, at, x, T));
      this.perXT.set(key, v);
    }
    return v;
  }

  /** Row i's predictions, or null for a customer without an order. */
  of(rows: CustomerRows, i: number): CustomerPrediction | null {
    const s = summaryOf(rows, i, this.endDay);
    if (s === null) return null;
    const key = (s.x * 65536 + s.txDays) * 65536 + s.tDays;
    let f = this.perTriple.get(key);
    const x = s.x;
    const tx = s.txDays / this.days;
    const T = s.tDays / this.days;
    if (f === undefined) {
      const { bgnbd, mbgnbd, purchaseModel } = this.fits;
      const model = purchaseModel === 'bgnbd' ? bgnbd : mbgnbd;
      const ok = model.converged;
      // the CLV's purchases step by step, each step's discounted to the calibration end from
      // its end: at most CLV_STEPS steps (a year in weeks: 13 of 4 weeks, as lifetimes'
      // months), since each is a hypergeometric series per distinct (x, T); the same
      // operations as expectedPurchases at each step, so the same figures to the last bit
      let discounted = 0;
      let before = 0;
      if (ok) {
        const ifAlive = this.ifAlive(model, x, s.tDays, T);
        const alive = pAlive(purchaseModel, model, x, tx, T);
        for (let k = 0; k < ifAlive.length; k++) {
          const upTo = ifAlive[k] * alive;
          discounted += (upTo - before) / this.stepDiscount[k];
          before = upTo;
        }
      }
      f = {
        pBg: bgnbd.converged ? pAlive('bgnbd', bgnbd, x, tx, T) : Number.NaN,
        pMbg: mbgnbd.converged ? pAlive('mbgnbd', mbgnbd, x, tx, T) : Number.NaN,
        expected: ok ? before : Number.NaN,
        discounted: ok ? discounted : Number.NaN,
      };
      this.perTriple.set(key, f);
    }
    const gg = this.fits.gammaGamma;
    // a one-time buyer, or one whose repeat days were refunded away, gets the population's mean
    const spend = !gg.converged
      ? Number.NaN
      : x > 0 && s.monetary > 0
        ? expectedSpend(gg, x, s.monetary)
        : expectedSpend(gg, 0, 0);
    return {
      x,
      tx,
      T,
      monetary: s.monetary,
      pAliveBgnbd: f.pBg,
      pAliveMbgnbd: f.pMbg,
      expectedPurchases: f.expected,
      expectedSpend: spend,
      clv: f.discounted * spend,
    };
  }
}

/**
 * One row of the holdout table: customers of a calibration frequency, actual and expected repeat
 * purchases in the holdout (means).
 */
export interface HoldoutRow {
  x: string;
  customers: number;
  actual: number;
  expected: number;
}

export interface Holdout {
  end: string;
  /** The holdout's length in the unit. */
  length: number;
  model: PurchaseModel;
  byFrequency: HoldoutRow[];
  total: { customers: number; actual: number; expected: number };
  /** Cumulative repeat purchases unit by unit, actual and expected (tracking.ts). */
  tracking?: Tracking;
}

/**
 * Expected against actual repeat purchases in the holdout, by calibration frequency (the
 * paper's Figure 3; 7 and more in one row). cal and hold are the same engine's exports at the
 * calibration end and at the holdout end: a customer keeps its place in its shard, so row j of
 * a part is the same customer in both (new customers come after).
 */
export function holdoutTable(
  cal: CustomerRows[],
  hold: CustomerRows[],
  fits: Fits,
  o: PredictOptions,
  holdoutEnd: number,
): Holdout {
  const endDay = dayOf(o.calibrationEnd);
  const days = DAYS_PER_UNIT[o.unit];
  const length = (dayOf(holdoutEnd) - endDay) / days;
  const model = fits.purchaseModel === 'bgnbd' ? fits.bgnbd : fits.mbgnbd;
  const rows = Array.from({ length: 8 }, (_, k) => ({
    x: k === 7 ? '7+' : String(k),
    customers: 0,
    actual: 0,
    expected: 0,
  }));
  // customers per triple, the expectations summed triple by triple in key order (the same
  // sums whatever order the customers came in)
  const perTriple = new Map<number, { s: { x: number; txDays: number; tDays: number }; n: number }>();
  for (let p = 0; p < cal.length; p++) {
    for (let j = 0; j < cal[p].numRows; j++) {
      const s = summaryOf(cal[p], j, endDay);
      if (s === null) continue;
      const key = (s.x * 65536 + s.txDays) * 65536 + s.tDays;
      const t = perTriple.get(key);
      if (t === undefined) perTriple.set(key, { s, n: 1 });
      else t.n++;
      const row = rows[Math.min(7, s.x)];
      row.customers++;
      row.actual += hold[p].purchaseDays[j] - cal[p].purchaseDays[j];
    }
  }
  for (const [, { s, n }] of [...perTriple.entries()].sort((a, b) => a[0] - b[0])) {
    const e = model.converged
      ? expectedPurchases(fits.purchaseModel, model, length, s.x, s.txDays / days, s.tDays / days)
      : Number.NaN;
    rows[Math.min(7, s.x)].expected += n * e;
  }
  const total = rows.reduce(
    (t, r) => ({
      customers: t.customers + r.customers,
      actual: t.actual + r.actual,
      expected: t.expected + r.expected,
    }),
    { customers: 0, actual: 0, expected: 0 },
  );
  return {
    end: new Date(dayOf(holdoutEnd) * 86_400_000).toISOString().slice(0, 10),
    length,
    model: fits.purchaseModel,
    byFrequency: rows.map((r) => ({
      ...r,
      actual: r.customers ? r.actual / r.customers : 0,
      expected: r.customers ? r.expected / r.customers : 0,
    })),
    total,
  };
}
