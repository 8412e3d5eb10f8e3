/**
 * When the p_alive rule field's model is fitted: at a read's as-of, its parameters put in the
 * read's plan so that every shard, the report's counts and the customer lists decide with the
 * same figures. Refitted when the state or the as-of changed, and no more often than every
 * refitMs while the state grows little (a live server reads every quarter second; a fit at
 * 10^6 customers takes seconds). The fit itself is given (EngineOptions.fitAlive:
 * src/predict/alive-model.ts for the CLI and the server): the engine knows no model.
 */
import type { AliveParams } from '../core/plan.js';
import type { FitHistograms } from '../domain/types.js';
import { RfmError } from '../domain/errors.js';
import type { AliveFit } from '../results.js';
import type { ShardHost } from './shard-host.js';

/** Fits the model behind p_alive on every shard's fit histograms at asOf. */
export type FitAlive = (histograms: FitHistograms[], asOf: number) => AliveFit;

/** Growth of the rows applied (1 in this many) past which a fit is redone before refitMs. */
const REFIT_GROWTH = 16;

const NO_PARAMS: AliveParams = { r: Number.NaN, alpha: Number.NaN, a: Number.NaN, b: Number.NaN };

export class AliveFitter {
  private last: { key: string; rows: number; at: number; fit: AliveFit; params: AliveParams } | null = null;

  constructor(
    private readonly fit: FitAlive | undefined,
    private readonly refitMs = 0,
  ) {}

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
    if (this.fit === undefined)
      throw new RfmError(
        'RFM_ERR_MODEL',
        'the model reads p_alive, and this engine was given no fit for it: pass fitAlive (fitAliveModel of rfmstream)',
      );
    const histograms = await Promise.all(shards.map((s) => s.fitHistograms()));
    const fit = this.fit(histograms, asOf);
    const params = fit.converged ? { r: fit.r, alpha: fit.alpha, a: fit.a, b: fit.b } : NO_PARAMS;
    this.last = { key, rows, at: performance.now(), fit, params };
    return this.last;
  }
}
