/**
 * `rfm predict --html`: the fits and, with --holdout-end, how they held up, as one
 * self-contained page in the report's style: the three models with their parameters and
 * convergence, the holdout table by calibration frequency with its chart (the BG/NBD paper's
 * Figure 3) and the cumulative repeat purchases unit by unit (Figure 2). Every figure carries
 * a data-key naming its place in the JSON, which the page embeds.
 */
import type { Fits, Holdout } from '../predict/predict.js';
import { esc, htmlPage, num } from './html-report.js';
import { int } from './numbers.js';

const fixed = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : '–');
const ACTUAL = '#0072B2';
const EXPECTED = '#D55E00';

/** Two series over one x axis as an SVG line chart; `mark` draws a dashed line at that x. */
function lines(
  actual: number[],
  expected: number[],
  labels: string[],
  o: { mark?: number; height?: number } = {},
): string {
  const w = 640;
  const h = o.height ?? 240;
  const pad = 36;
  const max = Math.max(1e-9, ...actual, ...expected);
  const x = (i: number): number => pad + ((w - 2 * pad) * i) / Math.max(1, actual.length - 1);
  const y = (v: number): number => h - pad - ((h - 2 * pad) * v) / max;
  const path = (vs: number[]): string => vs.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const step = Math.max(1, Math.ceil(labels.length / 12));
  const ticks = labels
    .map((l, i) =>
      i % step === 0 || i === labels.length - 1
        ? `<text x="${x(i).toFixed(1)}" y="${h - pad + 16}" text-anchor="middle" font-size="11">${esc(l)}</text>`
        : '',
    )
    .join('');
  const mark =
    o.mark === undefined
      ? ''
      : `<line x1="${x(o.mark).toFixed(1)}" x2="${x(o.mark).toFixed(1)}" y1="${pad / 2}" y2="${h - pad}" ` +
        `stroke="#888" stroke-dasharray="4 3"/>`;
  return (
    `<svg viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="actual against expected">` +
    `<line x1="${pad}" x2="${w - pad}" y1="${h - pad}" y2="${h - pad}" stroke="#999"/>${mark}` +
    `<text x="${pad}" y="${pad / 2}" font-size="11">${esc(int(max))}</text>` +
    `<polyline fill="none" stroke="${ACTUAL}" stroke-width="2" points="${path(actual)}"/>` +
    `<polyline fill="none" stroke="${EXPECTED}" stroke-width="2" stroke-dasharray="6 3" ` +
    `points="${path(expected)}"/>${ticks}` +
    `<text x="${w - pad}" y="${pad / 2}" font-size="12" text-anchor="end">` +
    `<tspan fill="${ACTUAL}">— actual</tspan>  <tspan fill="${EXPECTED}">- - expected</tspan></text></svg>`
  );
}

export function predictHtml(result: Fits & { holdout?: Holdout }, inputs: string[]): string {
  const f = result;
  const parts: string[] = [];
  parts.push(
    `<header><h1>What customers are worth next</h1>` +
      `<p class="sub">${esc(inputs.join('; '))} · calibration to ${esc(f.calibrationEnd)} · in ${esc(f.unit)}s</p>` +
      `</header>`,
  );
  parts.push(
    '<section class="cards">' +
      [
        ['customers', 'customers with an order', int(f.customers)],
        ['repeaters', 'bought again', int(f.repeaters)],
        ['distinctTriples', 'distinct (x, t_x, T)', int(f.distinctTriples)],
      ]
        .map(([k, label, v]) => `<div class="card"><b>${num(k, v)}</b><small>${esc(label)}</small></div>`)
        .join('') +
      '</section>',
  );
  const row = (name: string, key: 'bgnbd' | 'mbgnbd', what: string): string => {
    const m = f[key];
    return (
      `<tr><td>${esc(name)}<br><small>${esc(what)}</small>` +
      `</td>${(['r', 'alpha', 'a', 'b'] as const)
        .map((p) => `<td ` + `class="n">${Number.isFinite(m[p]) ? num(`${key}.${p}`, fixed(m[p], 3)) : '–'}</td>`)
        .join('')}` +
      `<td class="n">${
        Number.isFinite(m.logLikelihood) ? num(`${key}` + `.logLikelihood`, fixed(m.logLikelihood, 1)) : '–'
      }</td><td>${esc(m.message)}</td></tr>`
    );
  };
  const g = f.gammaGamma;
  parts.push(
    '<section><h2>The fits</h2><div ' +
      'class="scroll"><table><thead><tr><th>model</th><th ' +
      'class="n">r</th><th class="n">alpha</th><th class="n">a</th><th ' +
      'class="n">b</th><th ' +
      'class="n">log-likelihood</th><th>convergence</th></tr></thead><tbody>' +
      row('BG/NBD', 'bgnbd', 'Fader, Hardie and Lee 2005') +
      row('MBG/NBD', 'mbgnbd', 'one-time buyers may be gone too') +
      '</tbody></table></div>' +
      `<p>Gamma-Gamma (spend per order) on ${num('gammaGamma.customers', int(g.customers))} repeat customers: p ` +
      `${Number.isFinite(g.p) ? num('gammaGamma.p', fixed(g.p, 2)) : '–'},` +
      ` q ${Number.isFinite(g.q) ? num('gammaGamma.q', fixed(g.q, 2)) : '–'},` +
      ` v ${Number.isFinite(g.v) ? num('gammaGamma.v', fixed(g.v, 2)) : '–'}; ${esc(g.message)}.</p>` +
      `<p class="def">A customer's summary: x repeat purchase days (days with an order, less the first),` +
      ` t_x the ${esc(f.unit)}s from the first to the last,` +
      ` T from the first to the calibration end. Purchases while alive are Poisson with gamma-spread rates (r,` +
      ` alpha); after each purchase a customer drops out with a beta-spread probability (a, b).</p></section>`,
  );
  const h = f.holdout;
  if (h !== undefined) {
    const rows = h.byFrequency
      .map(
        (r, i) =>
          `<tr><td>${esc(r.x)}</td><td class="n">${num(`holdout.byFrequency.${i}.customers`, int(r.customers))}</td>` +
          `<td class="n">${num(`holdout.byFrequency.${i}.actual`, fixed(r.actual, 3))}</td>` +
          `<td class="n">${num(`holdout.byFrequency.${i}.expected`, fixed(r.expected, 3))}</td></tr>`,
      )
      .join('');
    parts.push(
      `<section><h2>How the model held up, ${esc(f.calibrationEnd)} to ${esc(h.end)}</h2>` +
        `<p>Repeat purchase days per customer in the ${num('holdout.length', fixed(h.length, 1))} ${esc(f.unit)}s ` +
        `after the calibration,` +
        ` by how many the customer made in it (${esc(h.model === 'bgnbd' ? 'BG/NBD' : 'MBG/NBD')}):</p>` +
        `<div class="scroll"><table><thead><tr><th>x in the calibration</th><th class="n">customers</th>` +
        `<th class="n">actual</th><th class="n">expected</th></tr></thead><tbody>${rows}</tbody></table></div>` +
        lines(
          h.byFrequency.map((r) => r.actual),
          h.byFrequency.map((r) => r.expected),
          h.byFrequency.map((r) => r.x),
          { height: 200 },
        ),
    );
    const t = h.tracking;
    if (t !== undefined && t.actual.length > 0) {
      const c = t.calibrationUnits - 1;
      const last = t.actual.length - 1;
      parts.push(
        `<p>Cumulative repeat purchase days of the calibration's customers,` +
          ` ${esc(f.unit)} by ${esc(f.unit)} from ${esc(t.start)} (the dashed line: the calibration's end): ` +
          `${num(`holdout.tracking.actual.${c}`, int(t.actual[c]))} actual and ${num(
            `holdout.tracking.expected.${c}` + ``,
            int(t.expected[c]),
          )} expected at the calibration's end, ` +
          `${num(`holdout.tracking.actual.${last}`, int(t.actual[last]))} and ${num(
            `holdout.tracking.expected.` + `${last}`,
            int(t.expected[last]),
          )} at ${esc(h.end)}.</p>` +
          lines(
            t.actual,
            t.expected,
            t.actual.map((_, i) => String(i + 1)),
            { mark: c },
          ),
      );
    }
    parts.push('</section>');
  }
  return htmlPage(
    `What customers are worth next, ${f.calibrationEnd}`,
    parts,
    JSON.stringify(result).replace(/</g, '\\u003c'),
  );
}
