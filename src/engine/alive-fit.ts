/**
 * The purchase model behind the p_alive rule field: MBG/NBD fitted on the shards' fit
 * histograms (src/predict/kernel-histograms.ts) at a read's as-of, in weeks, its parameters
 * put in the read's plan so that every shard, the report's counts and the customer lists
 * decide with the same figures. MBG/NBD rather than BG/NBD: BG/NBD's P(alive) is 1 for every
 * one-time buyer, so it could not refine a rule about customers who stopped. Refitted when the
 * state or the as-of changed, and no more often than every refitMs (a live server reads
 * every quarter second; a fit at 10^7 customers takes seconds).
 */
import { DAY_MS, WEEK_DAYS } from '../abi/abi.js';
import type { AliveParams } from '../core/plan.js';
import { fitPurchases } from '../predict/bgnbd.js';
import type { PurchaseFit } from '../predict/bgnbd.js';
import { fitDataOf } from '../predict/kernel-histograms.js';
import { dayOf } from '../predict/summary.js';
import type { AliveFit } from '../results.js';
import type { ShardHost } from './shard-host.js';

const NO_PARAMS: AliveParams = { r: Number.NaN, alpha: Number.NaN, a: Number.NaN, b: Number.NaN };

export class AliveFitter {
  private last: { key: string; at: number; fit: AliveFit; params: AliveParams } | null = null;

  constructor(private readonly refitMs = 0) {}

  /** The fit for the shards' state now (key names it) at asOf; the plan's parameters are NaN when it did not converge. */
  async fitFor(shards: ShardHost[], asOf: number, key: string): Promise<{ fit: AliveFit; params: AliveParams }> {
    const last = this.last;
    if (last !== null && (last.key === key || performance.now() - last.at < this.refitMs)) return last;
    const endDay = dayOf(asOf);
    const histograms = await Promise.all(shards.map((s) => s.fitHistograms()));
    const triples = fitDataOf(histograms, endDay).triples;
    const f: PurchaseFit = fitPurchases('mbgnbd', triples.inUnit(WEEK_DAYS));
    const fit: AliveFit = {
      model: 'mbgnbd', calibrationEnd: new Date(endDay * DAY_MS).toISOString().slice(0, 10),
      r: f.r, alpha: f.alpha, a: f.a, b: f.b, logLikelihood: f.logLikelihood, converged: f.converged, message: f.message,
    };
    const params = f.converged ? { r: f.r, alpha: f.alpha, a: f.a, b: f.b } : NO_PARAMS;
    this.last = { key, at: performance.now(), fit, params };
    return this.last;
  }
}
