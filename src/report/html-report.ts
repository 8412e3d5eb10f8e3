/**
 * The merchant's report as one HTML file to keep, print and forward: no network (inline CSS
 * and SVG; the Sankey diagram laid out here by d3-sankey and drawn as static paths), readable
 * on a phone, printable on A4 or Letter. Every figure is the JSON report's; each number the
 * page shows carries its JSON path (data-key) so a test can hold one to the other.
 */
import { sankey, sankeyLinkHorizontal } from 'd3-sankey';
import type { Model } from '../model/model.js';
import type { Headlines } from './headlines.js';
import type { Cultivation } from './cultivation.js';
import type { ValueSummary } from '../predict/customer-value.js';
import type { Migration, SegmentsAt } from './migration.js';
import type { Report } from './report.js';
import type { Counted } from './counted.js';
import { GROUP_COLOURS, RETENTION_COLOURS, SEGMENT_COLOURS, colourOf } from './palette.js';
import { int, money } from './numbers.js';

export interface HtmlReportInput {
  report: Report & { headlines: Headlines; atFrom?: SegmentsAt; migration?: Migration; cultivation?: Cultivation };
  model: Model;
  /** How the inputs were read ("orders.csv: Shopify orders export (preset shopify)"). */
  inputs: string[];
  /** Customers with engagement but no order. */
  prospects: number;
  /** With --predict: the models' view of the year ahead. */
  predictions?: ValueSummary;
}

const OTHER = '#999999';

export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(1)} %`);
const share = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);
const day = (iso: string): string => iso.slice(0, 10);
/** A date as HTML that never breaks at its hyphens. */
const dayHtml = (iso: string): string => `<span class="nowrap">${esc(day(iso))}</span>`;
/** A number with its JSON path. */
export const num = (key: string, text: string): string => `<span data-key="${esc(key)}">${esc(text)}</span>`;

/** The campaigns the design names for each move it wants (DESIGN.md: the questions it answers). */
const TRANSITIONS: { move: string; from: (r: Report, prospects: number) => number; fromKey: string; idea: string }[] = [
  {
    move: 'Prospects → New Customers',
    from: (_, p) => p,
    fromKey: 'prospects',
    idea: 'a first-order offer to those who visit or open but have not bought',
  },
  {
    move: 'New Customers → Promising',
    from: (r) => r.segments['New Customers']?.customers ?? 0,
    fromKey: 'segments.New Customers.customers',
    idea: 'a welcome series and a reason to return',
  },
  {
    move: 'Promising → Loyalists or Big Spenders',
    from: (r) => r.segments.Promising?.customers ?? 0,
    fromKey: 'segments.Promising.customers',
    idea: 'second-step offers, cross-sell, bundles',
  },
  {
    move: 'Loyalists or Big Spenders → Champions',
    from: (r) => (r.segments.Loyalists?.customers ?? 0) + (r.segments['Big Spenders']?.customers ?? 0),
    fromKey: 'segments.Loyalists+Big Spenders',
    idea: 'a loyalty programme, subscriptions, early access',
  },
  {
    move: 're-engage Drifting',
    from: (r) => r.retention.Drifting?.customers ?? 0,
    fromKey: 'retention.Drifting.customers',
    idea: 'a reminder at their usual rhythm, before the gap grows',
  },
  {
    move: 'recover Churn-risk',
    from: (r) => r.audiences['Churn Risks']?.customers ?? 0,
    fromKey: 'audiences.Churn Risks.customers',
    idea: 'a personal message and a reason to come back now (the Churn Risks list)',
  },
  {
    move: 'win back Lost',
    from: (r) => r.audiences['Winback Opportunities']?.customers ?? 0,
    fromKey: 'audiences.Winback Opportunities.customers',
    idea: 'the best incentive for Lost Core, a lighter one for Lost Potential Core (the Winback Opportunities list)',
  },
];

/** Two bars a row (customers, revenue), in HTML so the text keeps its size on a phone. */
function barRows(rows: { name: string; customers: number; revenue: number; colour: string }[], r: Report): string {
  let out = '<div class="bars">';
  for (const row of rows) {
    const c = share(row.customers, r.customers);
    const v = share(row.revenue, r.revenue);
    out +=
      `<div class="bar-row"><div class="bar-name">${esc(row.name)}</div><div class="bar-cells">` +
      `<div class="bar"><div class="track"><i style="width:${(100 * c).toFixed(1)}%;background:${row.colour}"></i>` +
      `</div><span>${pct(c)} of customers</span></div>` +
      `<div class="bar"><div class="track">` +
      `<i style="width:${(100 * v).toFixed(1)}%;background:${row.colour};opacity:.55"></i></div>` +
      `<span>${pct(v)} of revenue</span></div></div></div>`;
  }
  return out + '</div>';
}

function lorenzSvg(lorenz: number[]): string {
  const W = 260;
  const pts = lorenz.map((v, i) => `${(W * i) / (lorenz.length - 1)},${(W * (1 - v)).toFixed(1)}`).join(' ');
  return (
    `<svg class="lorenz" viewBox="-30 -10 ${W + 40} ${W + 40}" role="img" aria-label="Lorenz curve">` +
    `<rect x="0" y="0" width="${W}" height="${W}" fill="none" stroke="#ccc"/>` +
    `<line x1="0" y1="${W}" x2="${W}" y2="0" stroke="#999" stroke-dasharray="4 3"/>` +
    `<polyline points="${pts}" fill="none" stroke="#0072B2" stroke-width="2.5"/>` +
    `<text x="${W / 2}" y="${W + 22}" text-anchor="middle" class="value">share of customers,` +
    ` least spending first</text>` +
    `<text x="-18" y="${W / 2}" text-anchor="middle" class="value" transform="rotate(-90 -18 ${W / 2})">share of ` +
    `revenue</text></svg>`
  );
}

/** The migration as a Sankey diagram: segments at --from on the left, at --to on the right. */
function sankeySvg(m: Migration, model: Model): string {
  const names = model.segmentNames;
  const left = ['not yet a customer', ...names];
  const nodes = [...left.map((n) => ({ name: n, side: 'from' })), ...names.map((n) => ({ name: n, side: 'to' }))];
  const links = m.moves.map((x) => ({
    source: x.from === null ? 0 : 1 + names.indexOf(x.from),
    target: left.length + names.indexOf(x.to),
    value: x.customers,
  }));
  // only the segments someone is in at either end
  const used = new Set(links.flatMap((l) => [l.source, l.target]));
  const index = new Map<number, number>();
  const kept: typeof nodes = [];
  nodes.forEach((n, i) => {
    if (!used.has(i)) return;
    index.set(i, kept.length);
    kept.push(n);
  });
  const layout = sankey<{ name: string; side: string }, { value: number }>()
    .nodeWidth(12)
    .nodePadding(10)
    .nodeSort(null)
    .extent([
      [185, 10],
      [600, 430],
    ]);
  const graph = layout({
    nodes: kept.map((n) => ({ ...n })),
    links: links.map((l) => ({ source: index.get(l.source)!, target: index.get(l.target)!, value: l.value })),
  });
  const colour = (name: string): string =>
    names.includes(name) ? colourOf(SEGMENT_COLOURS, name, names.indexOf(name)) : OTHER;
  const path = sankeyLinkHorizontal();
  let out = '<svg class="sankey" viewBox="0 0 800 440" role="img" aria-label="migration between the two dates">';
  for (const l of graph.links) {
    const s = l.source as unknown as { name: string };
    out +=
      `<path d="${path(l as never)}" fill="none" stroke="${colour(s.name)}" stroke-opacity="0.35" ` +
      `stroke-width="${Math.max(1, l.width ?? 1).toFixed(1)}">` +
      `<title>${esc(s.name)} → ${esc((l.target as unknown as { name: string }).name)}: ${int(l.value)}</title>` +
      `</path>`;
  }
  for (const n of graph.nodes) {
    const x0 = n.x0 ?? 0;
    const y0 = n.y0 ?? 0;
    const y1 = n.y1 ?? 0;
    out +=
      `<rect x="${x0}" y="${y0}" width="${(n.x1 ?? 0) - x0}" height="${Math.max(1, y1 - y0)}" ` +
      `fill="${colour(n.name)}"/>`;
    const atLeft = n.side === 'from';
    out +=
      `<text x="${atLeft ? x0 - 6 : (n.x1 ?? 0) + 6}" y="${(y0 + y1) / 2 + 4}" ` +
      `text-anchor="${atLeft ? 'end' : 'start'}" class="label">${esc(n.name)} (${int(n.value ?? 0)})</text>`;
  }
  return out + '</svg>';
}

function migrationTable(m: Migration, model: Model): string {
  const names = model.segmentNames;
  const rows: (string | null)[] = [null, ...names];
  const cell = (from: string | null, to: string): number =>
    m.moves.find((x) => x.from === from && x.to === to)?.customers ?? 0;
  let out =
    '<div class="scroll"><table class="matrix"><thead><tr><th>at the start ↓ · at the end →</th>' +
    names.map((n) => `<th>${esc(n)}</th>`).join('') +
    '</tr></thead><tbody>';
  for (const from of rows) {
    if (names.every((to) => cell(from, to) === 0)) continue;
    out +=
      `<tr><th>${esc(from ?? 'not yet a customer')}</th>` +
      names
        .map((to) => {
          const v = cell(from, to);
          return (
            `<td ` +
            `class="${from === to ? 'stay' : ''}">${
              v === 0 ? '·' : num(`migration.${from ?? 'null'}.${to}` + ``, int(v))
            }</td>`
          );
        })
        .join('') +
      '</tr>';
  }
  return out + '</tbody></table></div>';
}

/** --predict: the year ahead by segment and the P(alive) distribution, with what the figures are. */
function predictionsSection(p: ValueSummary, money: (x: number) => string): string {
  const f = p.fits;
  const head = '<section><h2>What customers are worth next</h2>';
  if (!f.bgnbd.converged) return `${head}<p class="def">${esc(f.bgnbd.message)}</p></section>`;
  const fixed = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const rows = p.bySegment
    .map(
      (s, i) =>
        `<tr><td>${esc(s.segment)}</td>` +
        `<td class="n">${num(`predictions.bySegment.${i}.customers`, int(s.customers))}</td>` +
        `<td class="n">${num(`predictions.bySegment.${i}.pAlive`, pct(s.pAlive))}</td>` +
        `<td class="n">${num(`predictions.bySegment.${i}.expectedPurchases`, int(s.expectedPurchases))}</td>` +
        `<td class="n">${num(`predictions.bySegment.${i}.clv`, money(s.clv))}</td></tr>`,
    )
    .join('');
  const max = Math.max(1, ...p.pAlive.mbgnbd);
  const bars = p.pAlive.mbgnbd
    .map(
      (c, i) =>
        `<td class="pbar"><div style="height:${((64 * c) / max).toFixed(1)}px">` +
        `</div>${num(`predictions.pAlive.mbgnbd.${i}`, int(c))}<br>${(i / 10).toFixed(1)}–` +
        `${((i + 1) / 10).toFixed(1)}</td>`,
    )
    .join('');
  return (
    head +
    `<p>In the next ${f.horizon} weeks the ${num('predictions.fits.customers', int(f.customers))} customers are ` +
    `expected to make ${num('predictions.expectedPurchases', int(p.expectedPurchases))} purchases,` +
    ` worth ${num('predictions.clv', money(p.clv))} (CLV, discounted 10 % a year).</p>` +
    `<div class="scroll"><table><thead><tr><th>segment</th><th class="n">customers</th>` +
    `<th class="n">P(alive), mean</th><th class="n">purchases expected</th><th class="n">CLV</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div>` +
    `<p>Customers by P(alive) (MBG/NBD):</p><div class="scroll"><table class="palive"><tr>${bars}</tr></table></div>` +
    '<p class="def">P(alive): how likely a customer still buys from you. ' +
    'CLV: the expected purchases times the expected spend per order, ' +
    'discounted 10 % a year.</p>' +
    `<details><summary>details</summary>` +
    `<p class="def">Fitted on the orders to ${esc(f.calibrationEnd)}, in weeks,` +
    ` on ${int(f.distinctTriples)} distinct (repeat purchase days, first to last, first to now). ` +
    `Purchases: BG/NBD (Fader, Hardie and Lee 2005), r ${fixed(f.bgnbd.r, 3)}, alpha ${fixed(f.bgnbd.alpha, 3)},` +
    ` a ${fixed(f.bgnbd.a, 3)}, b ${fixed(f.bgnbd.b, 3)}; ` +
    `P(alive) from MBG/NBD,` +
    ` in which a one-time buyer may be gone too (BG/NBD counts every one as alive). Spend per order: Gamma-Gamma,` +
    ` p ${fixed(f.gammaGamma.p, 2)}, q ${fixed(f.gammaGamma.q, 2)}, v ${fixed(f.gammaGamma.v, 2)}.</p></details>` +
    `</section>`
  );
}

const CSS =
  `
  table.palive td.pbar { vertical-align: bottom; text-align: center; font-size: 11px; min-width: 44px; }
  table.palive td.pbar div { background: #0072B2; margin: 0 auto 2px; width: 80%; min-height: 1px; }
:root{--ink:#1b1b1b;--muted:#5a5a5a;--rule:#ddd}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;background:#fff}
main{max-width:960px;margin:0 auto;padding:24px 16px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid ` +
  `var(--rule);padding-bottom:4px}
.sub{color:var(--muted);margin:0 0 16px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px}
.card{border:1px solid var(--rule);border-radius:8px;padding:10px 12px;min-width:0}
.card b{display:block;font-size:22px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.card ` +
  `small{color:var(--muted)}
.figure{border-left:4px solid #0072B2;padding:4px 12px;margin:10px 0}.figure p{margin:2px 0}` +
  `.def{color:var(--muted);font-size:13px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--rule);vertical-align:top}
td.n{text-align:right;white-space:nowrap}
.scroll{overflow-x:auto}.matrix td{text-align:right}.matrix td.stay{background:#eef5fb}
svg{width:100%;height:auto;display:block}svg text{font-size:13px;fill:var(--ink)}svg ` +
  `.value{fill:var(--muted);font-size:12px}
svg.lorenz{max-width:320px}svg.sankey{min-width:800px}
.bar-row{display:flex;gap:10px;align-items:center;margin:6px 0}.bar-name{flex:0 0 130px;font-weight:600}` +
  `.bar-cells{flex:1;min-width:0}
.bar{display:flex;align-items:center;gap:8px;height:22px;margin:2px 0}.track{flex:1;height:16px}.bar ` +
  `i{display:block;height:100%;border-radius:2px;min-width:2px}.bar ` +
  `span{flex:none;white-space:nowrap;font-size:13px;color:var(--muted)}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
footer{color:var(--muted);font-size:12px;margin-top:32px}
.nowrap{white-space:nowrap}details{margin:4px 0}summary{color:var(--muted);font-size:13px;cursor:pointer}
.hint{display:none;color:var(--muted);font-size:12px;margin:2px 0}
table.counted td:first-child{overflow-wrap:anywhere}
@media (max-width:860px){.hint{display:block}}
@media (max-width:600px){body{font-size:14px}h1{font-size:22px}th,td{padding:5px 4px}.hide-narrow{display:none}` +
  `.card b{font-size:18px}.bar-name{flex-basis:92px}}
@page{size:A4;margin:14mm}
@media print{main{max-width:none;padding:0}h2{break-after:avoid}section,table,svg,.figure{break-inside:avoid}` +
  `a{color:inherit}}
`;

/** The report as one self-contained HTML page. */
export function htmlReport(input: HtmlReportInput): string {
  const { report: r, model, prospects } = input;
  const h = r.headlines;
  // money with the store's currency wherever it is shown
  const currency = r.currency ?? null;
  const cash = (x: number): string => (currency === null ? money(x) : `${money(x)} ${currency}`);
  const meaning = new Map(model.file.segments.map((s) => [s.name, s]));
  const period = r.atFrom ? `${day(r.atFrom.asOf)} to ${day(r.asOf)}` : `as of ${day(r.asOf)}`;
  const periodHtml = r.atFrom ? `${dayHtml(r.atFrom.asOf)} to ${dayHtml(r.asOf)}` : `as of ${dayHtml(r.asOf)}`;
  const parts: string[] = [];
  const moneyIn =
    currency === null
      ? "money in the store's currency (the input names none: --currency CODE says it)"
      : `money in ${currency}`;
  parts.push(
    `<header><h1>Your customers, ${periodHtml}</h1>` +
      `<p class="sub">${esc(input.inputs.join('; '))} · ${esc(moneyIn)} · ${r.mode === 'exact' ? 'exact' : 'sketch'}` +
      ` ranks · model: ${esc(model.name)}</p></header>`,
  );
  parts.push(
    '<section class="cards">' +
      [
        ['customers', 'customers with an order', int(r.customers)],
        ['orders', 'orders', int(r.orders)],
        ['revenue', currency === null ? 'net revenue' : `net revenue, ${currency}`, money(r.revenue)],
        ['groups.Core.customers', 'Core customers', int(r.groups.Core?.customers ?? 0)],
      ]
        .map(([k, label, v]) => `<div class="card"><b>${num(k, v)}</b><small>${esc(label)}</small></div>`)
        .join('') +
      '</section>',
  );

  // the headline figures, each with its definition
  parts.push('<section><h2>The headline figures</h2>');
  if (h.coreRetention) {
    const c = h.coreRetention;
    parts.push(
      `<div class="figure"><p>` +
        `<b>${num('headlines.coreRetention.notLost', pct(c.notLost))}</b> of the ` +
        `${num('headlines.coreRetention.coreAtFrom', int(c.coreAtFrom))} Core customers of ${dayHtml(c.from)} are ` +
        `not Lost at ${dayHtml(c.to)};` +
        ` <b>${num('headlines.coreRetention.stillCore', pct(c.stillCore))}</b> are still Core.</p>` +
        `<p class="def">Core retention: ${esc(c.definition)}.</p></div>`,
    );
  }
  const w = h.coreWorth;
  parts.push(
    `<div class="figure">` +
      `<p>A Core customer's net spend is <b>${num(
        'headlines.coreWorth.ratio',
        w.ratio === null ? '–' : `` + `${w.ratio.toFixed(1)}x`,
      )}</b> the others' (` +
      `${num('headlines.coreWorth.coreMeanSpend', w.coreMeanSpend === null ? '–' : cash(w.coreMeanSpend))} ` +
      `against ` +
      `${num('headlines.coreWorth.othersMeanSpend', w.othersMeanSpend === null ? '–' : cash(w.othersMeanSpend))});` +
      ` Core is <b>${num('headlines.coreWorth.revenueShare', pct(w.revenueShare))}</b> of revenue.</p>` +
      `<p class="def">What Core is worth: ${esc(w.definition)}.</p></div>`,
  );
  const k = h.concentration;
  parts.push(
    `<div class="figure">` +
      `<p>The top 1 % of customers bring <b>${num('concentration.top1', pct(k.top1))}</b> of revenue,` +
      ` the top 10 % <b>${num('concentration.top10', pct(k.top10))}</b>,` +
      ` the top 20 % <b>${num('concentration.top20', pct(k.top20))}</b>.</p>${lorenzSvg(k.lorenz)}<details>` +
      `<summary>details</summary>` +
      `<p class="def">Gini coefficient ${num('concentration.gini', k.gini.toFixed(3))} (0: everyone spends ` +
      `alike; 1: one customer brings it all). Concentration: ${esc(k.definition)}.</p></details></div>` +
      `</section>`,
  );

  // segments, with what each means and what to do
  parts.push(
    '<section><h2>Segments</h2><div ' +
      'class="scroll"><table><thead><tr><th>segment</th><th ' +
      'class="n">customers</th><th class="n">revenue</th><th ' +
      'class="hide-narrow">what it means</th><th>what to ' +
      'do</th></tr></thead><tbody>',
  );
  for (const name of model.segmentNames) {
    const t = r.segments[name];
    const s = meaning.get(name);
    const colour = colourOf(SEGMENT_COLOURS, name, model.segmentNames.indexOf(name));
    parts.push(
      `<tr><td><span class="swatch" style="background:${colour}"></span>${esc(name)}</td>` +
        `<td class="n">${num(`segments.${name}.customers`, int(t.customers))}<br>` +
        `<small>${pct(share(t.customers, r.customers))}</small></td>` +
        `<td class="n">${num(`segments.${name}.revenue`, cash(t.revenue))}<br>` +
        `<small>${pct(share(t.revenue, r.revenue))}</small></td>` +
        `<td class="hide-narrow">${esc(s?.meaning ?? '')}</td><td>${esc(s?.action ?? '')}</td></tr>`,
    );
  }
  parts.push(
    `</tbody></table>` +
      `</div>${alikeNote(
        r,
        'VIP Customers',
        'Champions',
        (vip, champions) =>
          `VIP Customers (${vip},` +
          ` an audience) share the Champions rule (R,` +
          ` F and M 4 or 5) but keep the ${vip - champions} whom their own rhythm calls Lost: those are Lost Core ` +
          `here, since a segment takes Lost first.`,
      )}</section>`,
  );
  parts.push(
    '<section><h2>Core, Potential Core, Non-core and Lost</h2>' +
      barRows(
        model.groupNames.map((g) => ({ name: g, ...r.groups[g], colour: GROUP_COLOURS[g] ?? OTHER })),
        r,
      ) +
      '<table><thead><tr><th>group</th><th class="n">customers</th><th class="n">revenue</th></tr></thead><tbody>' +
      model.groupNames
        .map(
          (g) =>
            `<tr><td>${esc(g)}</td><td class="n">${num(`groups.${g}.customers`, int(r.groups[g].customers))}</td>` +
            `<td class="n">${num(`groups.${g}.revenue`, cash(r.groups[g].revenue))}</td></tr>`,
        )
        .join('') +
      '</tbody></table></section>',
  );
  const states = model.file.retention.states;
  parts.push(
    '<section><h2>Retention: how late each customer is against their own rhythm</h2>' +
      barRows(
        model.retentionNames.map((n, i) => ({ name: n, ...r.retention[n], colour: colourOf(RETENTION_COLOURS, n, i) })),
        r,
      ) +
      '<table><thead><tr><th>retention</th><th class="n">customers</th><th>what it means</th></tr></thead><tbody>' +
      model.retentionNames
        .map(
          (n, i) =>
            `<tr><td>${esc(n)}</td>` +
            `<td class="n">${num(`retention.${n}.customers`, int(r.retention[n].customers))}</td>` +
            `<td>${esc(states[i]?.meaning ?? '')}</td></tr>`,
        )
        .join('') +
      '</tbody></table>' +
      lostNote(r) +
      '</section>',
  );

  if (r.migration) {
    parts.push(
      `<section><h2>Who moved where, ${dayHtml(r.migration.from ?? '')} to ${dayHtml(r.migration.to)}</h2>` +
        `<p class="hint">wider than the screen: scroll sideways →</p>` +
        `<div class="scroll">${sankeySvg(r.migration, model)}</div>${migrationTable(r.migration, model)}</section>`,
    );
  }

  if (r.cultivation) {
    parts.push(
      '<section><h2>Cultivation: new customers who became Core</h2><div ' +
        'class="scroll"><table><thead><tr><th>first order in</th><th ' +
        'class="n">customers</th><th class="n">Core within 90 days</th><th ' +
        'class="n">180 days</th><th class="n">365 days</th></tr></thead><tbody>',
    );
    r.cultivation.cohorts.forEach((c, i) => {
      const cellOf = (key: 'within90' | 'within180' | 'within365'): string =>
        `<td class="n">${c[key] === null ? '·' : num(`cultivation.cohorts.${i}.${key}`, pct(c[key]))}</td>`;
      parts.push(
        `<tr><td class="n">${esc(c.month)}</td>` +
          `<td class="n">${num(`cultivation.cohorts.${i}.customers`, int(c.customers))}</td>${cellOf('within90')}` +
          `${cellOf('within180')}${cellOf('within365')}</tr>`,
      );
    });
    parts.push(`</tbody></table></div><p class="def">${esc(r.cultivation.definition)}.</p></section>`);
  }

  if (input.predictions) parts.push(predictionsSection(input.predictions, cash));

  // the playbook: a campaign for every segment and for each move the design wants
  parts.push(
    '<section><h2>Playbook</h2><div ' +
      'class="scroll"><table><thead><tr><th>to move</th><th ' +
      'class="n">customers now</th><th>campaign</th></tr></thead><tbody>',
  );
  for (const t of TRANSITIONS)
    parts.push(
      `<tr><td>${esc(t.move)}</td><td class="n">${num(`playbook.${t.fromKey}`, int(t.from(r, prospects)))}</td>` +
        `<td>${esc(t.idea)}</td></tr>`,
    );
  for (const name of model.segmentNames)
    parts.push(
      `<tr><td>${esc(name)}</td><td class="n">${int(r.segments[name].customers)}</td>` +
        `<td>${esc(meaning.get(name)?.action ?? '')}</td></tr>`,
    );
  parts.push(
    '</tbody></table></div><p class="def">Lists of these customers for an ' +
      'email tool: <code>rfm export INPUT --audience "Churn Risks" -o ' +
      'churn.csv</code> (or --segment, --group, --retention).</p></section>',
  );
  if (r.counted) parts.push(countedSection(r.counted));
  parts.push(`<footer>rfmstream report as of ${esc(r.asOf)}; ${int(r.rejected)} rows rejected.</footer>`);
  const data = JSON.stringify({ ...r, prospects }).replace(/</g, '\\u003c');
  return htmlPage(`Customer report ${period}`, parts, data);
}

/** A line on two figures that look alike (an audience beside a segment), when both are in the model and differ. */
function alikeNote(r: Report, audience: string, segment: string, say: (a: number, s: number) => string): string {
  const a = r.audiences[audience]?.customers;
  const s = r.segments[segment]?.customers;
  return a === undefined || s === undefined || a === s ? '' : `<p class="def">${esc(say(a, s))}</p>`;
}

/** Why "Lost" has three counts: the retention state, the group, the win-back audience. */
function lostNote(r: Report): string {
  const state = r.retention.Lost?.customers;
  const group = r.groups.Lost?.customers;
  const winback = r.audiences['Winback Opportunities']?.customers;
  // said when the three counts are there to be told apart
  if (state === undefined || group === undefined || state === 0 || (state === group && (winback ?? group) === group))
    return '';
  return (
    `<p class="def">Three counts say "Lost": ${int(state)} customers are past four of their usual gaps (retention); ` +
    `${int(group)} of them are in the Lost group (Lost Core, Lost Potential Core),` +
    ` the ${int(state - group)} others stay Low Value (small baskets, rare orders: no win-back)` +
    (winback === undefined
      ? '.'
      : `; ${int(winback)} are Winback Opportunities, the Lost who spent at least the median.`) +
    '</p>'
  );
}

/** What was counted, and what was left out and why: the reader's and the engine's account. */
function countedSection(c: Counted): string {
  const rows: [string, string, string][] = [
    ['counted.rowsRead', 'rows read', int(c.rowsRead)],
    ['counted.orders', 'orders counted', int(c.orders)],
    ['counted.refunds', 'refunds counted', int(c.refunds)],
  ];
  for (const [why, k] of Object.entries(c.excluded))
    rows.push([
      `counted.excluded.${why}`,
      `left out: ${why === 'refunded' ? 'refunded whole (no purchase)' : why}`,
      int(k),
    ]);
  for (const [cur, k] of Object.entries(c.otherCurrencies))
    rows.push([`counted.otherCurrencies.${cur}`, `left out: in ${cur}, not the store's currency`, int(k)]);
  if (c.duplicates > 0)
    rows.push(['counted.duplicates', 'repeated orders (by order id), counted once', int(c.duplicates)]);
  rows.push(['counted.rejected', 'rejected', int(c.rejected)]);
  for (const [reason, t] of Object.entries(c.rejectedBy))
    rows.push([
      `counted.rejectedBy.${reason}.count`,
      `rejected: ${reason}${t.first ? ` (the first: ${t.first})` : ''}`,
      int(t.count),
    ]);
  if (c.afterAsOf > 0) rows.push(['counted.afterAsOf', "after the report's date, not counted", int(c.afterAsOf)]);
  if (c.largeOrders.count > 0) {
    const atLeast = c.largeOrders.atLeast ? 'at least ' : '';
    rows.push([
      'counted.largeOrders.count',
      `large orders, over ${money(c.largeOrders.over)} (100 times the median customer's spend): counted,` +
        ` check them: ${c.largeOrders.largest.slice(0, 5).map(money).join(', ')}${atLeast ? ' ...' : ''}`,
      int(c.largeOrders.count),
    ]);
  }
  return (
    '<section><h2>What was counted</h2><div class="scroll"><table class="counted"><tbody>' +
    rows.map(([key, label, v]) => `<tr><td>${esc(label)}</td><td class="n">${num(key, v)}</td></tr>`).join('') +
    '</tbody></table></div></section>'
  );
}

/**
 * A self-contained page in the report's style: the parts, and the figures as JSON (data, already
 * escaped for a script element).
 */
export function htmlPage(title: string, parts: string[], data: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>` +
    `<style>${CSS}</style></head>` +
    `<body><main>${parts.join('\n')}</main><script type="application/json" id="report-data">${data}</script></body>` +
    `</html>\n`
  );
}
