/**
 * Question: does a BG/NBD fit cost the customers or only their distinct (x, t_x, T)?
 * Customers are drawn from the model itself (CDNOW's parameters, first purchases spread
 * over 12 weeks, a calibration of 39 weeks, in days), their triples put in the histogram,
 * and BG/NBD and MBG/NBD fitted in weeks; 10^5 against 10^7 customers, in the same process.
 * The fit's parameters are also a check: they must come back near the ones drawn from.
 */
import { fitPurchases } from '../src/predict/bgnbd.js';
import { TripleHistogram } from '../src/predict/triples.js';
import { Random } from '../src/sources/generator/random.js';

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

const TRUE = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

export function fitRun(customers: number): FitRun {
  const rng = new Random(3);
  const h = new TripleHistogram();
  const started = performance.now();
  const calEnd = 273;
  for (let c = 0; c < customers; c++) {
    const first = Math.floor(rng.next() * 84);
    // lambda per week, p per purchase
    const lambda = rng.gamma(TRUE.r) / TRUE.alpha;
    const ga = rng.gamma(TRUE.a);
    const p = ga / (ga + rng.gamma(TRUE.b));
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
  return {
    customers,
    distinctTriples: h.size,
    histogramMs,
    fitMs,
    heapBytes: process.memoryUsage().heapUsed,
    r: fit.r,
    alpha: fit.alpha,
    a: fit.a,
    b: fit.b,
  };
}
