/**
 * The purchase and spend models against the papers, on the CDNOW sample they were written
 * on (2,357 customers, weeks, calibration to 1997-09-30): the summary here is computed from
 * the file by this test's own code (distinct purchase days per customer, the repeat days'
 * mean value), not by the engine.
 * - BG/NBD: r, alpha, a, b = 0.243, 4.414, 0.793, 2.426, log-likelihood -9582.4 (Fader,
 *   Hardie and Lee 2005, "Counting Your Customers the Easy Way", section 5);
 * - E[purchases in the next 39 weeks | x = 2, t_x = 30.43, T = 38.86] = 1.226 (ibid.);
 * - Gamma-Gamma: p, q, v = 6.25, 3.74, 15.44 on the 946 repeat customers (Fader, Hardie
 *   "The Gamma-Gamma Model of Monetary Value", 2013);
 * - MBG/NBD: lifetimes' ModifiedBetaGeoFitter on the same summary gives 0.525, 6.183,
 *   0.891, 1.614.
 * And the gradients in closed form agree with finite differences.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { expectedPurchases, fitPurchases, logLikelihood, pAlive } from '../../../src/predict/bgnbd.js';
import { fitSpend, spendLogLikelihood } from '../../../src/predict/gamma-gamma.js';
import { TripleHistogram } from '../../../src/predict/triples.js';
import { dataDir } from '../../support/data.js';

const DAY = 86_400_000;
const END = Date.UTC(1997, 8, 30) / DAY;

/** The sample as this test reads it: per customer, each purchase day's total, up to the calibration end. */
function sample(): Map<string, Map<number, number>> {
  const byId = new Map<string, Map<number, number>>();
  for (const line of readFileSync(join(dataDir(), 'cdnow', 'CDNOW_sample.txt'), 'utf8')
    .trim()
    .split('\n')) {
    const [, id, d, , amount] = line.trim().split(/\s+/);
    const day = Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8))) / DAY;
    if (day > END) continue;
    const days = byId.get(id) ?? new Map<number, number>();
    days.set(day, (days.get(day) ?? 0) + Number(amount));
    byId.set(id, days);
  }
  return byId;
}

const cdnow = sample();
const histogram = new TripleHistogram();
const spendX: number[] = [];
const spendM: number[] = [];
for (const days of cdnow.values()) {
  const ds = [...days.keys()].sort((a, b) => a - b);
  histogram.add(ds.length - 1, ds[ds.length - 1] - ds[0], END - ds[0]);
  if (ds.length > 1) {
    spendX.push(ds.length - 1);
    spendM.push(ds.slice(1).reduce((s, d) => s + days.get(d)!, 0) / (ds.length - 1));
  }
}
const weeks = histogram.inUnit(7);

test("BG/NBD on the CDNOW sample: the paper's parameters, log-likelihood and conditional expectation", () => {
  expect(histogram.customers).toBe(2357);
  expect(histogram.size).toBeLessThan(histogram.customers);
  const fit = fitPurchases('bgnbd', weeks);
  expect(fit.converged, fit.message).toBe(true);
  expect(fit.r.toFixed(3)).toBe('0.243');
  expect(fit.alpha.toFixed(3)).toBe('4.414');
  expect(fit.a.toFixed(3)).toBe('0.793');
  expect(fit.b.toFixed(3)).toBe('2.426');
  expect(fit.logLikelihood.toFixed(1)).toBe('-9582.4');
  expect(expectedPurchases('bgnbd', fit, 39, 2, 30.43, 38.86).toFixed(3)).toBe('1.226');
  // BG/NBD's one-time buyers are certain to be alive; MBG/NBD's are not
  expect(pAlive('bgnbd', fit, 0, 0, 38.86)).toBe(1);
});

test("MBG/NBD on the same summary: lifetimes' figures; one-time buyers can be gone", () => {
  const fit = fitPurchases('mbgnbd', weeks);
  expect(fit.converged, fit.message).toBe(true);
  expect([fit.r, fit.alpha, fit.a, fit.b].map((v) => v.toFixed(3))).toEqual(['0.525', '6.183', '0.891', '1.614']);
  expect(fit.logLikelihood).toBeGreaterThan(fitPurchases('bgnbd', weeks).logLikelihood);
  const p = pAlive('mbgnbd', fit, 0, 0, 38.86);
  expect(p).toBeGreaterThan(0);
  expect(p).toBeLessThan(1);
});

test("Gamma-Gamma on the 946 repeat customers: the paper's p, q, v", () => {
  expect(spendX).toHaveLength(946);
  const fit = fitSpend({
    x: Float64Array.from(spendX),
    m: Float64Array.from(spendM),
    count: new Float64Array(946).fill(1),
  });
  expect(fit.converged, fit.message).toBe(true);
  expect([fit.p, fit.q, fit.v].map((v) => v.toFixed(2))).toEqual(['6.25', '3.74', '15.44']);
});

test('the closed-form gradients agree with finite differences', () => {
  const t = {
    x: Float64Array.of(0, 1, 3, 0, 7),
    tx: Float64Array.of(0, 5, 20, 0, 30),
    T: Float64Array.of(10, 30, 35, 2, 39),
    count: Float64Array.of(3, 2, 1, 5, 1),
  };
  const h = 1e-6;
  for (const model of ['bgnbd', 'mbgnbd'] as const) {
    const p = { r: 0.5, alpha: 6, a: 0.9, b: 1.6 };
    const g = new Float64Array(4);
    logLikelihood(model, p, t, g);
    (['r', 'alpha', 'a', 'b'] as const).forEach((k, i) => {
      const at = (f: number): number => logLikelihood(model, { ...p, [k]: p[k] * Math.exp(f) }, t);
      expect(g[i]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 6);
    });
  }
  const d = { x: Float64Array.of(1, 2, 5), m: Float64Array.of(20, 35.5, 12), count: Float64Array.of(4, 2, 1) };
  const s = { p: 6, q: 3.7, v: 15 };
  const g = new Float64Array(3);
  spendLogLikelihood(s, d, g);
  (['p', 'q', 'v'] as const).forEach((k, i) => {
    const at = (f: number): number => spendLogLikelihood({ ...s, [k]: s[k] * Math.exp(f) }, d);
    expect(g[i]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 6);
  });
});

test('degenerate data say why they cannot be fitted', () => {
  const none = new TripleHistogram();
  none.add(0, 0, 10, 500);
  const fit = fitPurchases('bgnbd', none.inUnit(7));
  expect(fit.converged).toBe(false);
  expect(fit.message).toMatch(/BG\/NBD cannot be fitted: 0 customers bought again/);
  const spend = fitSpend({ x: Float64Array.of(1), m: Float64Array.of(5), count: Float64Array.of(1) });
  expect(spend.message).toMatch(/Gamma-Gamma cannot be fitted: 1 repeat customer/);
});

test('fits that say nothing are refused in words: too few repeaters, or parameters run off on a small store', () => {
  // a small store: 10 repeat customers
  const few = new TripleHistogram();
  few.add(0, 0, 300, 200);
  few.add(2, 100, 300, 10);
  const fit = fitPurchases('bgnbd', few.inUnit(7));
  expect(fit.converged).toBe(false);
  expect(fit.message).toBe(
    'BG/NBD: too few repeat purchases to predict (10 customers bought again; at least 20 are needed)',
  );
  // drop-out alike for every customer (p = 0.2 after each purchase): a and b run off together; on a
  // few hundred customers that is refused, on thousands it is the model's limit and stands
  const drawn = (n: number): TripleHistogram => {
    let seed = 11;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const h = new TripleHistogram();
    for (let c = 0; c < n; c++) {
      const T = 364 - Math.floor(rnd() * 300);
      const lambda = -Math.log(rnd()) / 20;
      let x = 0;
      let tx = 0;
      for (let t = -Math.log(rnd()) / lambda; t <= T; t += -Math.log(rnd()) / lambda) {
        x++;
        tx = t;
        if (rnd() < 0.2) break;
      }
      h.add(x, Math.floor(tx), T, 1);
    }
    return h;
  };
  const small = fitPurchases('bgnbd', drawn(300).inUnit(7));
  expect(small.a).toBeGreaterThan(1e5);
  expect(small.converged).toBe(false);
  expect(small.message).toMatch(
    /^BG\/NBD: too few repeat purchases to predict \(a parameter ran off to 0 or infinity: the 264 repeat customers/,
  );
  const large = fitPurchases('bgnbd', drawn(3000).inUnit(7));
  expect(large.converged).toBe(true);
  expect(large.message).toMatch(
    /converged at the model's limit: every customer drops out alike \(p = 0\.19\d after a purchase\)/,
  );
  // 60 repeat customers who all spend 50 a purchase: Gamma-Gamma's parameters run off, every
  // customer would get the same expected spend
  const n = 60;
  const same = fitSpend({
    x: new Float64Array(n).fill(3),
    m: Float64Array.from({ length: n }, (_, i) => 50 + (i % 3) * 0.01),
    count: new Float64Array(n).fill(1),
  });
  expect(same.converged).toBe(false);
  expect(same.message).toMatch(/^Gamma-Gamma: too few repeat purchases to predict \(a parameter ran off/);
});
