/**
 * BG/NBD (Fader, Hardie and Lee 2005, "Counting Your Customers the Easy Way") and MBG/NBD
 * (Batislam, Denizel and Filiztekin 2007), in which a customer may drop out at the first
 * purchase too, so one-time buyers are not certain to be alive. Purchases while alive are
 * Poisson(lambda), lambda ~ Gamma(r, alpha); after each purchase (BG) or also at the first
 * (MBG) the customer drops out with probability p ~ Beta(a, b). The likelihood of a
 * customer is in closed form in (x, t_x, T), and so is its gradient (digamma terms):
 *
 *   ln L = A1 + A2 + ln(e^A3 + [d] e^A4)
 *   A1 = ln G(r+x) - ln G(r) + r ln alpha
 *   A2 = ln G(a+b) + ln G(b+x+k) - ln G(b) - ln G(a+b+x+k)
 *   A3 = -(r+x) ln(alpha+T)
 *   A4 = ln a - ln(b+x+k-1) - (r+x) ln(alpha+t_x)
 *
 * with k = 0 and d = [x > 0] for BG/NBD, k = 1 and d = 1 for MBG/NBD.
 */
import { minimize } from './bfgs.js';
import { digamma, hyp2f1, lgamma } from './special.js';

export type PurchaseModel = 'bgnbd' | 'mbgnbd';

export interface PurchaseParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface Triples {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  count: Float64Array;
  /** The distinct values and places (see Distinct), when the maker of the triples knows them cheaply. */
  distinct?: Distinct;
}

export interface PurchaseFit extends PurchaseParams {
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  /** What the optimiser said, and why a fit is not to be trusted when it is not. */
  message: string;
}

const shift = (model: PurchaseModel): number => (model === 'mbgnbd' ? 1 : 0);

/**
 * The triples' distinct x, T and t_x values and each triple's place among them: the Gamma
 * and digamma terms depend on x alone and the logs on T or t_x alone, so an evaluation
 * computes each once per distinct value (tens to hundreds), not per triple (10^5 and more).
 */
export interface Distinct {
  xs: Float64Array;
  xi: Uint32Array;
  Ts: Float64Array;
  Ti: Uint32Array;
  txs: Float64Array;
  txi: Uint32Array;
}
const distinctOf = new WeakMap<Triples, Distinct>();

/** The distinct values, ascending, and each value's place among them (the Gamma-Gamma fit's x too). */
export function placesOf(values: Float64Array): { v: Float64Array; i: Uint32Array } {
  const sorted = [...new Set(values)].sort((p, q) => p - q);
  const at = new Map(sorted.map((v, k) => [v, k]));
  return { v: Float64Array.from(sorted), i: Uint32Array.from(values, (v) => at.get(v)!) };
}

function distinct(t: Triples): Distinct {
  if (t.distinct !== undefined) return t.distinct;
  let d = distinctOf.get(t);
  if (d !== undefined) return d;
  const x = placesOf(t.x);
  const T = placesOf(t.T);
  const tx = placesOf(t.tx);
  d = { xs: x.v, xi: x.i, Ts: T.v, Ti: T.i, txs: tx.v, txi: tx.i };
  distinctOf.set(t, d);
  return d;
}

/** Sum of count * ln L over the triples, and its gradient in (ln r, ln alpha, ln a, ln b) into grad. */
export function logLikelihood(model: PurchaseModel, p: PurchaseParams, t: Triples, grad?: Float64Array): number {
  const { r, alpha, a, b } = p;
  const k = shift(model);
  const d = distinct(t);
  // per distinct x: A1 + A2 less r ln alpha, the digamma terms of the gradient, ln(b+x+k-1)
  const nx = d.xs.length;
  const base = new Float64Array(nx);
  const psiRX = new Float64Array(nx);
  const psiABX = new Float64Array(nx);
  const psiBX = new Float64Array(nx);
  const logB1 = new Float64Array(nx);
  const inv = new Float64Array(nx);
  const lgR = lgamma(r);
  const lgAB = lgamma(a + b);
  const lgB = lgamma(b);
  for (let j = 0; j < nx; j++) {
    const x = d.xs[j];
    base[j] = lgamma(r + x) - lgR + lgAB + lgamma(b + x + k) - lgB - lgamma(a + b + x + k);
    const second = k === 1 || x > 0;
    logB1[j] = second ? Math.log(b + x + k - 1) : 0;
    inv[j] = second ? 1 / (b + x + k - 1) : 0;
    if (grad) {
      psiRX[j] = digamma(r + x);
      psiABX[j] = digamma(a + b + x + k);
      psiBX[j] = digamma(b + x + k);
    }
  }
  const logAT = Float64Array.from(d.Ts, (T) => Math.log(alpha + T));
  const invAT = Float64Array.from(d.Ts, (T) => 1 / (alpha + T));
  const logAtx = Float64Array.from(d.txs, (tx) => Math.log(alpha + tx));
  const invAtx = Float64Array.from(d.txs, (tx) => 1 / (alpha + tx));
  const logAlpha = Math.log(alpha);
  const logA = Math.log(a);
  let ll = 0;
  let gr = 0;
  let gAlpha = 0;
  let gA = 0;
  let gB = 0;
  for (let i = 0; i < t.x.length; i++) {
    const x = t.x[i];
    const n = t.count[i];
    const j = d.xi[i];
    const rx = r + x;
    const lT = logAT[d.Ti[i]];
    const a3 = -rx * lT;
    const second = k === 1 || x > 0;
    const lTx = logAtx[d.txi[i]];
    const a4 = second ? logA - logB1[j] - rx * lTx : -Infinity;
    // ln(e^a3 + e^a4) as the larger plus log1p of the smaller's share: one exp, one log
    const high3 = a3 >= a4;
    const e = second ? Math.exp(high3 ? a4 - a3 : a3 - a4) : 0;
    ll += n * (base[j] + r * logAlpha + (high3 ? a3 : a4) + Math.log1p(e));
    if (grad) {
      const w3 = high3 ? 1 / (1 + e) : e / (1 + e);
      const w4 = 1 - w3;
      gr += n * (psiRX[j] + logAlpha - w3 * lT - w4 * (second ? lTx : 0));
      gAlpha += n * (r / alpha - w3 * rx * invAT[d.Ti[i]] - (second ? w4 * rx * invAtx[d.txi[i]] : 0));
      gA += n * (-psiABX[j] + (second ? w4 / a : 0));
      gB += n * (psiBX[j] - psiABX[j] - (second ? w4 * inv[j] : 0));
    }
  }
  if (grad) {
    let total = 0;
    for (let i = 0; i < t.count.length; i++) total += t.count[i];
    // the terms common to every customer, once
    const psiR = digamma(r);
    const psiAB = digamma(a + b);
    const psiB = digamma(b);
    grad[0] = (gr - total * psiR) * r;
    grad[1] = gAlpha * alpha;
    grad[2] = (gA + total * psiAB) * a;
    grad[3] = (gB + total * (psiAB - psiB)) * b;
  }
  return ll;
}

/**
 * The fewest repeat customers a fit is made on. Below it the likelihood hardly bends: on a
 * 308-customer store with a few dozen repeaters, BG/NBD's a and b ran off to 370,254 and
 * 1.5 million with "converged" and every customer got the same figures. (Our rule, not the
 * papers': they fit thousands of customers.)
 */
export const MIN_REPEATERS = 20;

/**
 * A fitted parameter beyond [1e-5, 1e5] ran off to a bound: the likelihood is flat along it
 * (BG/NBD's a and b growing together keep the drop-out mean a / (a + b) and lose its
 * spread). On many repeat customers that is the model's own limit (every customer drops out,
 * or spends, alike) and the fit stands; on fewer than RUNAWAY_TRUSTED it is the data saying
 * too little, and the fit is refused.
 */
export const LOG_PARAMETER_BOUND = Math.log(1e5);
export const RUNAWAY_TRUSTED = 1000;

/** A fit's verdict on a parameter run off to a bound: null when none did; else whether it stands, and its words. */
export function runaway(
  name: string,
  theta: Float64Array,
  repeaters: number,
  alike: string,
): { stands: boolean; message: string } | null {
  if (!theta.some((v) => Math.abs(v) > LOG_PARAMETER_BOUND)) return null;
  if (repeaters >= RUNAWAY_TRUSTED) return { stands: true, message: `converged at the model's limit: ${alike}` };
  return {
    stands: false,
    message:
      `${name}: too few repeat purchases to predict (a parameter ran off to 0 or infinity: the ${repeaters} ` +
      `repeat customers do not pin the model down)`,
  };
}

/** The message of a fit made on too little: the same words for every model. */
export function tooFewRepeats(name: string, repeaters: number): string {
  return (
    `${name}: too few repeat purchases to predict (${repeaters} customer${repeaters === 1 ? '' : 's'} bought ` +
    `again; at least ${MIN_REPEATERS} are needed)`
  );
}

/** Maximum-likelihood fit on the triples (each parameter on its log, from 1, 1, 1, 1). */
export function fitPurchases(model: PurchaseModel, t: Triples): PurchaseFit {
  let customers = 0;
  let repeaters = 0;
  for (let i = 0; i < t.x.length; i++) {
    customers += t.count[i];
    if (t.x[i] > 0) repeaters += t.count[i];
  }
  const name = model === 'bgnbd' ? 'BG/NBD' : 'MBG/NBD';
  const unfitted = (message: string): PurchaseFit => ({
    r: Number.NaN,
    alpha: Number.NaN,
    a: Number.NaN,
    b: Number.NaN,
    logLikelihood: Number.NaN,
    converged: false,
    iterations: 0,
    message,
  });
  if (repeaters < 2 || repeaters === customers) {
    const why =
      repeaters < 2 ? `${repeaters} customer${repeaters === 1 ? '' : 's'} bought again` : 'every customer bought again';
    return unfitted(
      `${name} cannot be fitted: ${why},` +
        ` so the drop-out after a purchase cannot be told from the rate of buying (a later --calibration-end,` +
        ` or more history?)`,
    );
  }
  if (repeaters < MIN_REPEATERS) return unfitted(tooFewRepeats(name, repeaters));
  const params = (theta: Float64Array): PurchaseParams => ({
    r: Math.exp(theta[0]),
    alpha: Math.exp(theta[1]),
    a: Math.exp(theta[2]),
    b: Math.exp(theta[3]),
  });
  const m = minimize(
    (theta, grad) => {
      const v = -logLikelihood(model, params(theta), t, grad) / customers;
      for (let i = 0; i < 4; i++) grad[i] = -grad[i] / customers;
      return v;
    },
    [0, 0, 0, 0],
    { maxIterations: 2000 },
  );
  const p = params(m.theta);
  const edge = runaway(
    name,
    m.theta,
    repeaters,
    `every customer drops out alike (p = ${(p.a / (p.a + p.b)).toFixed(3)} after a purchase)`,
  );
  const converged = m.converged && (edge?.stands ?? true);
  const message =
    edge !== null && !edge.stands
      ? edge.message
      : converged
        ? (edge?.message ?? `converged in ${m.iterations} iterations (gradient ${m.gradientNorm.toExponential(1)})`)
        : `${name} did not converge (${m.reason}); its figures are not to be trusted`;
  return { ...p, logLikelihood: -m.value * customers, converged, iterations: m.iterations, message };
}

/** P(alive at T) of a customer with (x, t_x, T). */
export function pAlive(model: PurchaseModel, p: PurchaseParams, x: number, tx: number, T: number): number {
  const k = shift(model);
  if (k === 0 && x === 0) return 1;
  return 1 / (1 + (p.a / (p.b + x + k - 1)) * Math.exp((p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx))));
}

/**
 * E[purchases in (T, T + t] | x, T, alive]: expectedPurchases but for its P(alive) factor, the
 * only part that depends on t_x; a hypergeometric series, so worth computing once per (x, T).
 */
export function expectedIfAlive(model: PurchaseModel, p: PurchaseParams, t: number, x: number, T: number): number {
  const { r, alpha, a, b } = p;
  const k = shift(model);
  const z = t / (alpha + T + t);
  const lead = (a + b + x + k - 1) / (a - 1);
  const tail =
    1 - Math.exp((r + x) * Math.log((alpha + T) / (alpha + T + t))) * hyp2f1(r + x, b + x + k, a + b + x + k - 1, z);
  return lead * tail;
}

/** E[purchases in (T, T + t] | x, t_x, T]. */
export function expectedPurchases(
  model: PurchaseModel,
  p: PurchaseParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  return expectedIfAlive(model, p, t, x, T) * pAlive(model, p, x, tx, T);
}

/**
 * E[X(t)]: the repeat purchases a customer makes in the t after its first (the papers' equation 9;
 * Batislam et al.'s for MBG/NBD).
 */
export function expectedFromStart(model: PurchaseModel, p: PurchaseParams, t: number): number {
  const { r, alpha, a, b } = p;
  const z = t / (alpha + t);
  const decay = Math.exp(r * Math.log(alpha / (alpha + t)));
  return model === 'bgnbd'
    ? ((a + b - 1) / (a - 1)) * (1 - decay * hyp2f1(r, b, a + b - 1, z))
    : (b / (a - 1)) * (1 - decay * hyp2f1(r, b + 1, a + b, z));
}
