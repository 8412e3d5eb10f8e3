/**
 * The purchase model behind the p_alive rule field: MBG/NBD fitted on the shards' fit
 * histograms (src/predict/kernel-histograms.ts) at a read's as-of, in weeks, its parameters
 * put in the read's plan so that every shard, the report's counts and the customer lists
 * decide with the same figures. MBG/NBD rather than BG/NBD: BG/NBD's P(alive) is 1 for every
 * one-time buyer, so it could not refine a rule about customers who stopped. Refitted when the
 * state or the as-of changed, and no more often than every refitMs while the state grows
 * little (a live server reads every quarter second; a fit at 10^6 customers takes seconds).
 */
import { DAY_MS, WEEK_DAYS } from '../abi/abi.js';
import type { AliveParams } from '../core/plan.js';
import { fitPurchases } from '../predict/bgnbd.js';
import type { PurchaseFit } from '../predict/bgnbd.js';
import { fitDataOf } from '../predict/kernel-histograms.js';
import { dayOf } from '../predict/summary.js';
import type { AliveFit } from '../results.js';
import type { ShardHost } from './shard-host.js';

/** Growth of the rows applied (1 in this many) past which a fit is redone before refitMs. */
const REFIT_GROWTH = 16;

const NO_PARAMS: AliveParams = { r: Number.NaN, alpha: Number.NaN, a: Number.NaN, b: Number.NaN };

export class AliveFitter {
  private last: { key: string; rows: number; at: number; fit: AliveFit; params: AliveParams } | null = null;

  constructor(private readonly refitMs = 0) {}

  /**
   * The fit for the shards' state now (key names it, rows: the rows applied) at asOf; the
   * plan's parameters are NaN when it did not converge. Within refitMs of the last fit, that
   * one serves unless it did not converge or the rows grew by more than 1 in 16 since (a
   * server replaying its file would otherwise keep the fit of its first batches a minute).
   */
  async fitFor(
    shards: ShardHost[],
    asOf: number,
    key: string,
    rows: number,
  ): Promise<{ fit: AliveFit; params: AliveParams }> {
    const last = this.last;
    if (
      last !== null &&
      (last.key === key ||
        (performance.now() - last.at < this.refitMs &&
          last.fit.converged &&
          rows - last.rows <= last.rows / REFIT_GROWTH))
    )
      return last;
    const endDay = dayOf(asOf);
    const histograms = await Promise.all(shards.map((s) => s.fitHistograms()));
    const triples = fitDataOf(histograms, endDay).triples;
    const f: PurchaseFit = fitPurchases('mbgnbd', triples.inUnit(WEEK_DAYS));
    const fit: AliveFit = {
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
    const params = f.converged ? { r: f.r, alpha: f.alpha, a: f.a, b: f.b } : NO_PARAMS;
    this.last = { key, rows, at: performance.now(), fit, params };
    return this.last;
  }
}
