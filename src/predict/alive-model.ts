/**
 * The purchase model behind the p_alive rule field: MBG/NBD fitted on the shards' fit
 * histograms (kernel-histograms.ts) at a read's as-of, in weeks. MBG/NBD rather than BG/NBD:
 * BG/NBD's P(alive) is 1 for every one-time buyer, so it could not refine a rule about
 * customers who stopped. The engine is given this function (EngineOptions.fitAlive) and
 * decides when to call it (engine/alive-fit.ts); it does not import the models itself.
 */
import { DAY_MS, WEEK_DAYS } from '../abi/abi.js';
import type { FitHistograms } from '../domain/types.js';
import type { AliveFit } from '../results.js';
import { fitPurchases } from './bgnbd.js';
import { fitDataOf } from './kernel-histograms.js';
import { dayOf } from './summary.js';

export function fitAliveModel(histograms: FitHistograms[], asOf: number): AliveFit {
  const endDay = dayOf(asOf);
  const triples = fitDataOf(histograms, endDay).triples;
  const f = fitPurchases('mbgnbd', triples.inUnit(WEEK_DAYS));
  return {
    model: 'mbgnbd',
    calibrationEnd: new Date(endDay * DAY_MS).toISOString().slice(0, 10),
    r: f.r,
    alpha: f.alpha,
    a: f.a,
    b: f.b,
    logLikelihood: f.logLikelihood,
    converged: f.converged,
    message: f.message,
  };
}
