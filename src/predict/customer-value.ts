/**
 * The models applied to an engine export, for the report, the customer lists and the live
 * server: fitted at the export's as-of day (weeks, a year ahead, BG/NBD behind the CLV), each
 * customer's predictions on demand, and what a page shows: P(alive) by tenths under both
 * purchase models and the year ahead by segment.
 */
import type { CustomerRows, FitHistograms } from '../domain/types.js';
import type { CustomerExport } from '../results.js';
import { fitDataOf } from './kernel-histograms.js';
import { Predictor, fitAll } from './predict.js';
import { dayOf } from './summary.js';
import type { CustomerPrediction, Fits, PredictOptions } from './predict.js';

/** Bins of the P(alive) distribution: [0, 0.1), ..., [0.9, 1]. */
export const P_ALIVE_BINS = 10;

export interface SegmentValue {
  segment: string;
  customers: number;
  /** Mean P(alive), MBG/NBD. */
  pAlive: number;
  expectedPurchases: number;
  clv: number;
}

export interface ValueSummary {
  fits: Fits;
  /** Customers by P(alive) tenth, under each purchase model. */
  pAlive: { bgnbd: number[]; mbgnbd: number[] };
  /** Sums over the customers, the horizon ahead. */
  expectedPurchases: number;
  clv: number;
  bySegment: SegmentValue[];
}

export class CustomerValues {
  readonly predictor: Predictor;
  readonly fits: Fits;

  /**
   * The fits from the engine's fit histograms (Engine.fitHistograms), the predictions of the
   * export's customers: the histograms taken before the export, so none of their customers
   * came after its as-of.
   */
  constructor(
    readonly exp: CustomerExport,
    histograms: FitHistograms[],
    readonly options: PredictOptions = {
      calibrationEnd: exp.asOf,
      unit: 'week',
      horizon: 52,
      discount: 0.1,
      purchaseModel: 'bgnbd',
    },
  ) {
    this.fits = fitAll(fitDataOf(histograms, dayOf(options.calibrationEnd)), options);
    this.predictor = new Predictor(this.fits, options);
  }

  of(rows: CustomerRows, i: number): CustomerPrediction | null {
    return this.predictor.of(rows, i);
  }

  summary(): ValueSummary {
    const model = this.exp.model;
    const bins = { bgnbd: new Array<number>(P_ALIVE_BINS).fill(0), mbgnbd: new Array<number>(P_ALIVE_BINS).fill(0) };
    const bin = (p: number): number => Math.min(P_ALIVE_BINS - 1, Math.floor(p * P_ALIVE_BINS));
    const seg = model.segmentNames.map((segment) => ({
      segment,
      customers: 0,
      pAlive: 0,
      expectedPurchases: 0,
      clv: 0,
    }));
    let expected = 0;
    let clv = 0;
    for (const rows of this.exp.parts) {
      for (let i = 0; i < rows.numRows; i++) {
        const c = this.predictor.of(rows, i);
        if (c === null) continue;
        if (Number.isFinite(c.pAliveBgnbd)) bins.bgnbd[bin(c.pAliveBgnbd)]++;
        if (Number.isFinite(c.pAliveMbgnbd)) bins.mbgnbd[bin(c.pAliveMbgnbd)]++;
        const s = seg[rows.segment[i]];
        if (s !== undefined) {
          s.customers++;
          if (Number.isFinite(c.pAliveMbgnbd)) s.pAlive += c.pAliveMbgnbd;
          if (Number.isFinite(c.expectedPurchases)) s.expectedPurchases += c.expectedPurchases;
          if (Number.isFinite(c.clv)) s.clv += c.clv;
        }
        if (Number.isFinite(c.expectedPurchases)) expected += c.expectedPurchases;
        if (Number.isFinite(c.clv)) clv += c.clv;
      }
    }
    return {
      fits: this.fits,
      pAlive: bins,
      expectedPurchases: expected,
      clv,
      bySegment: seg.map((s) => ({ ...s, pAlive: s.customers > 0 ? s.pAlive / s.customers : 0 })),
    };
  }
}

const figure = (v: number, digits: number): string =>
  Number.isFinite(v) ? String(Math.round(v * 10 ** digits) / 10 ** digits) : '';

/** The customer list's prediction columns (empty for a customer without an order, or a fit that did not converge). */
export function predictionColumns(
  values: CustomerValues,
  names: readonly [string, string, string, string],
): { columns: readonly string[]; of: (rows: CustomerRows, i: number) => string[] } {
  return {
    columns: names,
    of: (rows, i) => {
      const c = values.of(rows, i);
      return c === null
        ? ['', '', '', '']
        : [figure(c.pAliveMbgnbd, 4), figure(c.pAliveBgnbd, 4), figure(c.expectedPurchases, 4), figure(c.clv, 2)];
    },
  };
}

/**
 * The lines a command prints for the fits that say nothing (too few repeat purchases, a
 * parameter run off, no convergence): which figures are left blank, and why. '' when all fit.
 */
export function unfittedText(fits: Fits): string {
  const lines: string[] = [];
  if (!fits.mbgnbd.converged) lines.push(`P(alive) (MBG/NBD) left blank: ${fits.mbgnbd.message}`);
  if (!fits.bgnbd.converged)
    lines.push(`P(alive) (BG/NBD), expected purchases and CLV left blank: ${fits.bgnbd.message}`);
  if (!fits.gammaGamma.converged) lines.push(`CLV left blank: ${fits.gammaGamma.message}`);
  return lines.map((l) => `rfm: ${l}\n`).join('');
}
