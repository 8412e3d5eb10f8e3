/**
 * A minimiser for the models' small, smooth problems (4 or 3 parameters, each fitted on its
 * log so it stays positive): BFGS with a backtracking (Armijo) line search, the gradient in
 * closed form from the caller. Written here rather than taken from npm: the problems are
 * tiny and the packages there are either unmaintained or carry a numerics library for it.
 */
/** The value and gradient at theta (gradient written into grad). */
export type Objective = (theta: Float64Array, grad: Float64Array) => number;

export interface Minimum {
  theta: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
  /** Why it stopped: "gradient below tolerance", "value settled", "no progress", "iteration limit", "not finite". */
  reason: string;
  gradientNorm: number;
}

export function minimize(
  f: Objective,
  start: ArrayLike<number>,
  o: { maxIterations?: number; gradientTolerance?: number } = {},
): Minimum {
  const n = start.length;
  const maxIterations = o.maxIterations ?? 1000;
  const tol = o.gradientTolerance ?? 1e-7;
  // the gradient of a sum over many terms has a floor of rounding noise: once the value stops
  // moving (relative 1e-14, three steps running) with a small gradient, that is the optimum
  let settled = 0;
  let x = Float64Array.from(start);
  let g = new Float64Array(n);
  let fx = f(x, g);
  // inverse Hessian estimate, row-major
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++) h[i * n + i] = 1;
  const p = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const norm = (v: Float64Array): number => Math.sqrt(v.reduce((a, b) => a + b * b, 0));
  if (!Number.isFinite(fx))
    return { theta: x, value: fx, iterations: 0, converged: false, reason: 'not finite', gradientNorm: Number.NaN };
  for (let it = 1; it <= maxIterations; it++) {
    const gn = norm(g);
    if (gn < tol)
      return {
        theta: x,
        value: fx,
        iterations: it - 1,
        converged: true,
        reason: 'gradient below tolerance',
        gradientNorm: gn,
      };
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s -= h[i * n + j] * g[j];
      p[i] = s;
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += p[i] * g[i];
    if (!(slope < 0)) {
      // not a descent direction: start the curvature estimate over, along -g
      h.fill(0);
      for (let i = 0; i < n; i++) {
        h[i * n + i] = 1;
        p[i] = -g[i];
      }
      slope = -gn * gn;
    }
    // a step of at most 1 in any log-parameter: e^1 per step keeps the search in range
    let step = Math.min(1, 1 / Math.max(...Array.from(p, Math.abs)));
    let fNew = Number.NaN;
    for (let k = 0; k < 60; k++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * p[i];
      fNew = f(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= fx + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(Number.isFinite(fNew) && fNew <= fx + 1e-4 * step * slope)) {
      return {
        theta: x,
        value: fx,
        iterations: it,
        converged: gn < Math.sqrt(tol),
        reason: 'no progress',
        gradientNorm: gn,
      };
    }
    // BFGS update of the inverse Hessian from s = step p and y = gNew - g
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
      sy += s[i] * y[i];
    }
    // curvature condition, relative: near the optimum s and y are both tiny
    if (sy > 1e-10 * norm(s) * norm(y)) {
      const hy = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) hy[i] += h[i * n + j] * y[j];
      let yhy = 0;
      for (let i = 0; i < n; i++) yhy += y[i] * hy[i];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          h[i * n + j] += ((sy + yhy) * s[i] * s[j]) / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
        }
      }
    }
    settled = Math.abs(fx - fNew) <= 1e-14 * Math.abs(fx) ? settled + 1 : 0;
    [x, g] = [Float64Array.from(xNew), Float64Array.from(gNew)];
    fx = fNew;
    if (settled >= 3 && norm(g) < Math.sqrt(tol))
      return { theta: x, value: fx, iterations: it, converged: true, reason: 'value settled', gradientNorm: norm(g) };
  }
  return {
    theta: x,
    value: fx,
    iterations: maxIterations,
    converged: false,
    reason: 'iteration limit',
    gradientNorm: norm(g),
  };
}
