/**
 * Gamma-Gamma spend per order (Fader, Hardie and Lee 2005, "RFM and CLV"; Colombo and Jiang
 * 1999): a customer's order values are Gamma(p, nu), nu ~ Gamma(q, v) across customers, and
 * independent of how often it buys. Fitted on the customers with x > 0, each by its number
 * of repeat purchase days x and their mean value m:
 *
 *   ln L = ln G(px+q) - ln G(px) - ln G(q) + q ln v + (px-1) ln m + px ln x - (px+q) ln(v + x m)
 */
import { minimize } from './bfgs.js';
import { digamma, lgamma } from './special.js';
import { MIN_REPEATERS, placesOf, runaway, tooFewRepeats } from './bgnbd.js';

export interface SpendParams {
  p: number;
  q: number;
  v: number;
}

export interface SpendFit extends SpendParams {
  logLikelihood: number;
  customers: number;
  converged: boolean;
  iterations: number;
  message: string;
}

/** Repeat customers: x and mean repeat value m (each > 0), weighted by count. */
export interface SpendData {
  x: Float64Array;
  m: Float64Array;
  count: Float64Array;
}

/**
 * Distinct x of the data and each entry's place among them, and each entry's ln m: the Gamma terms
 * depend on x alone.
 */
const prepared = new WeakMap<SpendData, { xs: Float64Array; xi: Uint32Array; logM: Float64Array }>();

function prepare(d: SpendData): { xs: Float64Array; xi: Uint32Array; logM: Float64Array } {
  let p = prepared.get(d);
  if (p === undefined) {
    const x = placesOf(d.x);
    p = { xs: x.v, xi: x.i, logM: Float64Array.from(d.m, Math.log) };
    prepared.set(d, p);
  }
  return p;
}

export function spendLogLikelihood(s: SpendParams, d: SpendData, grad?: Float64Array): number {
  const { p, q, v } = s;
  const { xs, xi, logM } = prepare(d);
  // per distinct x: ln G(px+q) - ln G(px) + px ln x, and the digamma terms
  const base = Float64Array.from(xs, (x) => lgamma(p * x + q) - lgamma(p * x) + p * x * Math.log(x));
  const psiPXQ = grad ? Float64Array.from(xs, (x) => digamma(p * x + q)) : base;
  const psiPX = grad ? Float64Array.from(xs, (x) => digamma(p * x)) : base;
  const common = -lgamma(q) + q * Math.log(v);
  let ll = 0;
  let gp = 0;
  let gq = 0;
  let gv = 0;
  let total = 0;
  for (let i = 0; i < d.x.length; i++) {
    const x = d.x[i];
    const n = d.count[i];
    const j = xi[i];
    const px = p * x;
    const lvxm = Math.log(v + x * d.m[i]);
    ll += n * (base[j] + common + (px - 1) * logM[i] - (px + q) * lvxm);
    if (grad) {
      total += n;
      gp += n * x * (psiPXQ[j] - psiPX[j] + logM[i] + Math.log(x) - lvxm);
      gq += n * (psiPXQ[j] - lvxm);
      gv += n * (q / v - (px + q) / (v + x * d.m[i]));
    }
  }
  if (grad) {
    grad[0] = gp * p;
    grad[1] = (gq + total * (Math.log(v) - digamma(q))) * q;
    grad[2] = gv * v;
  }
  return ll;
}

export function fitSpend(d: SpendData): SpendFit {
  let customers = 0;
  for (let i = 0; i < d.count.length; i++) customers += d.count[i];
  if (customers < MIN_REPEATERS) {
    const message =
      customers < 2
        ? `Gamma-Gamma cannot be fitted: ${customers} repeat customer${customers === 1 ? '' : 's'} with a positive ` +
          `mean spend`
        : tooFewRepeats('Gamma-Gamma', customers);
    return {
      p: Number.NaN,
      q: Number.NaN,
      v: Number.NaN,
      logLikelihood: Number.NaN,
      customers,
      converged: false,
      iterations: 0,
      message,
    };
  }
  const params = (t: Float64Array): SpendParams => ({ p: Math.exp(t[0]), q: Math.exp(t[1]), v: Math.exp(t[2]) });
  const m = minimize(
    (theta, grad) => {
      const val = -spendLogLikelihood(params(theta), d, grad) / customers;
      for (let i = 0; i < 3; i++) grad[i] = -grad[i] / customers;
      return val;
    },
    [0, 0, 0],
    { maxIterations: 2000 },
  );
  const s = params(m.theta);
  const edge = runaway('Gamma-Gamma', m.theta, customers, 'every customer spends alike');
  const converged = m.converged && (edge?.stands ?? true) && s.q > 1;
  const message =
    edge !== null && !edge.stands
      ? edge.message
      : converged
        ? (edge?.message ?? `converged in ${m.iterations} iterations (gradient ${m.gradientNorm.toExponential(1)})`)
        : `Gamma-Gamma did not converge (${s.q <= 1 ? 'q <= 1: the expected spend is not finite' : m.reason});` +
          ` its figures are not to be trusted`;
  return { ...s, logLikelihood: -m.value * customers, customers, converged, iterations: m.iterations, message };
}

/** E[spend per order | x, m]: the population mean shrunk toward the customer's own. */
export function expectedSpend(s: SpendParams, x: number, m: number, populationMean?: number): number {
  if (x === 0) return populationMean ?? (s.p * s.v) / (s.q - 1);
  return (s.p * (s.v + x * m)) / (s.p * x + s.q - 1);
}
