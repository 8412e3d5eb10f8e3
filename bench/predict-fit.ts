/**
 * Question: does a BG/NBD fit cost the customers or only their distinct (x, t_x, T)?
 * Customers are drawn from the model itself (CDNOW's parameters, first purchases spread
 * over 12 weeks, a calibration of 39 weeks, in days), their triples put in the histogram,
 * and BG/NBD and MBG/NBD fitted in weeks; 10^5 against 10^7 customers, in the same process.
 * The fit's parameters are also a check: they must come back near the ones drawn from.
 */
import { fitPurchases } from '../src/predict/bgnbd.js';
import { TripleHistogram } from '../src/predict/triples.js';
import { Random } from '../src/sources/random.js';

export interface FitRun {
  customers: number;
  distinctTriples: number;
  histogramMs: number;
  fitMs: number;
  heapBytes: number;
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** Gamma(shape, 1) by Marsaglia and Tsang (shape < 1 by the boost u^(1/shape)). */
function gamma(rng: Random, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      // a standard normal by Box-Muller
      x = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

const TRUE = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

export function fitRun(customers: number): FitRun {
  const rng = new Random(3);
  const h = new TripleHistogram();
  const started = performance.now();
  const calEnd = 273;
  for (let c = 0; c < customers; c++) {
    const first = Math.floor(rng.next() * 84);
    // lambda per week, p per purchase
    const lambda = gamma(rng, TRUE.r) / TRUE.alpha;
    const ga = gamma(rng, TRUE.a);
    const p = ga / (ga + gamma(rng, TRUE.b));
    let t = first + rng.next();
    let last = first;
    let days = 1;
    for (;;) {
      t += (-Math.log(1 - rng.next()) / lambda) * 7;
      if (t >= calEnd + 1) break;
      const day = Math.floor(t);
      if (day !== last) {
        days++;
        last = day;
      }
      if (rng.next() < p) break;
    }
    h.add(days - 1, last - first, calEnd - first);
  }
  const histogramMs = performance.now() - started;
  const fitStarted = performance.now();
  const fit = fitPurchases('bgnbd', h.inUnit(7));
  fitPurchases('mbgnbd', h.inUnit(7));
  const fitMs = performance.now() - fitStarted;
  return { customers, distinctTriples: h.size, histogramMs, fitMs, heapBytes: process.memoryUsage().heapUsed, r: fit.r, alpha: fit.alpha, a: fit.a, b: fit.b };
}
