/**
 * The dashboard: one self-contained page (no CDN, plain SVG) that speaks the live protocol,
 * reconnects by itself, and explains every segment in a merchant's words.
 */
import { GROUP_COLOURS, PALETTE, RETENTION_COLOURS, SEGMENT_COLOURS } from '../report/palette.js';
export function dashboardPage(): string {
  return PAGE;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rfmstream · live customer segments</title>
<style>
  :root { --bg:#f6f7f9; --card:#fff; --ink:#1d2330; --muted:#667085; --line:#e4e7ec;
          --core:#0072B2; --potential:#56B4E9; --noncore:#E69F00; --lost:#D55E00; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--ink); }
  header { display:flex; align-items:baseline; gap:16px; padding:14px 24px; background:var(--card); border-bottom:1px solid var(--line); flex-wrap:wrap; }
  header h1 { font-size:18px; margin:0; }
  header .sub { color:var(--muted); }
  #status { margin-left:auto; font-size:12px; padding:3px 10px; border-radius:12px; background:#fde7e4; color:#9a2a1b; }
  #status.live { background:#e3f5ec; color:#136343; }
  main { display:grid; grid-template-columns: repeat(12, 1fr); gap:16px; padding:16px 24px 32px; }
  .card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 16px; min-width:0; }
  .card h2 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); margin:0 0 10px; font-weight:600; }
  .kpis { grid-column: span 12; display:grid; grid-template-columns: repeat(6, 1fr); gap:16px; }
  .kpi .v { font-size:24px; font-weight:650; font-variant-numeric: tabular-nums; }
  .kpi .l { color:var(--muted); font-size:12px; }
  .w8 { grid-column: span 8; } .w4 { grid-column: span 4; } .w6 { grid-column: span 6; } .w12 { grid-column: span 12; }
  @media (max-width: 1000px) { .w8,.w4,.w6 { grid-column: span 12; } .kpis { grid-template-columns: repeat(3, 1fr); } }
  table { width:100%; border-collapse:collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align:left; padding:5px 6px; border-bottom:1px solid var(--line); vertical-align:top; }
  th { color:var(--muted); font-weight:600; font-size:12px; }
  td.n, th.n { text-align:right; }
  .dot { display:inline-block; width:10px; height:10px; border-radius:3px; margin-right:6px; vertical-align:-1px; }
  .meaning { color:var(--muted); font-size:12px; }
  .bar { display:flex; height:26px; border-radius:6px; overflow:hidden; background:#eef0f3; }
  .bar div { height:100%; display:flex; align-items:center; justify-content:center; color:#fff; font-size:11px; white-space:nowrap; overflow:hidden; }
  .legend { display:flex; flex-wrap:wrap; gap:10px 16px; margin-top:8px; font-size:12px; color:var(--muted); }
  .rowlabel { font-size:12px; color:var(--muted); margin:10px 0 4px; }
  svg text { font-size:11px; fill:var(--muted); }
  .aud { display:grid; grid-template-columns: 170px 1fr 80px; gap:6px; align-items:center; margin:6px 0; }
  .aud .track { background:#eef0f3; height:12px; border-radius:6px; overflow:hidden; }
  .aud .fill { background:#6b4fd8; height:100%; }
  .matrix td { text-align:right; font-size:12px; }
  .matrix td.z { color:#c4c9d2; }
  .help { color:var(--muted); font-size:12px; margin-top:6px; }
  .fig { margin:0 0 10px; font-size:15px; }
  #cohorts td { white-space:nowrap; }
  .scroll { overflow-x:auto; }
  #status.done { background:#e8eefc; color:#1c3d7a; }
  #status.refused { background:#fde7e4; color:#9a2a1b; }
  .banner { margin:12px 24px 0; padding:10px 14px; border-radius:8px; background:#fde7e4; color:#9a2a1b; font-size:14px; overflow-wrap:anywhere; }
  header a { font-size:12px; color:#1c3d7a; }
  svg.chart { display:block; width:100%; }
  /* a figure never breaks inside: it shrinks with the card, and the card's width holds it */
  .kpi .v { white-space:nowrap; overflow:hidden; text-overflow:ellipsis; font-size:clamp(16px, 1.7vw, 24px); }
  .kpi .v small { font-size:12px; font-weight:500; color:var(--muted); }
  .counted td { font-size:12px; } .counted td.n { white-space:nowrap; }
  @media (max-width: 600px) {
    header { padding:10px 12px; } main { padding:10px 12px 24px; gap:10px; }
    .kpis { grid-template-columns: repeat(2, 1fr); gap:10px; }
    .kpi .v { font-size:19px; }
    .aud { grid-template-columns: 120px 1fr 64px; }
  }
  .palive { display: grid; grid-template-columns: repeat(10, 1fr); gap: 3px; height: 96px; margin: 4px 0 10px; }
  .pcol { height: 100%; display: flex; flex-direction: column; justify-content: flex-end; }
  .pfill { width: 100%; background: var(--core); border-radius: 2px 2px 0 0; min-height: 1px; }
  .pcol span { text-align: center; font-size: 11px; color: var(--muted); line-height: 16px; }
</style>
</head>
<body>
<header>
  <h1>rfmstream</h1><span class="sub">who your core customers are, whether you keep them, and how they move, live</span>
  <a id="report-link" href="/report.html" download>download the report (HTML)</a>
  <span id="status">connecting…</span>
</header>
<div id="source-error" class="banner" role="alert" hidden></div>
<main>
  <section class="kpis">
    <div class="card kpi"><div class="v" id="k-customers">–</div><div class="l">customers with an order</div></div>
    <div class="card kpi"><div class="v" id="k-orders">–</div><div class="l">orders</div></div>
    <div class="card kpi"><div class="v" id="k-revenue">–</div><div class="l">net revenue</div></div>
    <div class="card kpi"><div class="v" id="k-rate">–</div><div class="l">orders per second now</div></div>
    <div class="card kpi"><div class="v" id="k-asof">–</div><div class="l">as of (latest order time)</div></div>
    <div class="card kpi"><div class="v" id="k-rejected">–</div><div class="l">rejected rows</div></div>
  </section>
  <section class="card w8"><h2>Segments over time (customers)</h2><svg id="trend" class="chart" role="img" aria-label="segment counts over time"></svg><div class="legend" id="trend-legend"></div></section>
  <section class="card w4"><h2>Core, potential, non-core, lost</h2>
    <div class="rowlabel">share of customers</div><div class="bar" id="groups-customers"></div>
    <div class="rowlabel">share of revenue</div><div class="bar" id="groups-revenue"></div>
    <div class="legend" id="groups-legend"></div>
    <div class="rowlabel" style="margin-top:16px">retention: time since the last order, against each customer's own rhythm</div>
    <div class="bar" id="retention"></div><div class="legend" id="retention-legend"></div>
  </section>
  <section class="card w6"><h2>Segments</h2><div class="scroll"><table id="segments"></table></div></section>
  <section class="card w6"><h2>Revenue concentration</h2>
    <svg id="lorenz" class="chart" role="img" aria-label="Lorenz curve"></svg>
    <div class="help" id="lorenz-help"></div>
  </section>
  <section class="card w6"><h2>Audiences to act on</h2><div id="audiences"></div><div class="help">Lists overlap: a customer can be in several.</div></section>
  <section class="card w6"><h2>Keeping and cultivating the core</h2><div id="figures"><div class="help">Measured at each month end the orders pass; none yet.</div></div></section>
  <section class="card w12"><h2>What customers are worth next</h2><div id="predictions"><div class="help">BG/NBD, MBG/NBD and Gamma-Gamma fitted to the customers so far. <button id="fit-now" type="button">Fit now</button></div></div></section>
  <section class="card w12"><h2>Migration since this page opened (from → to)</h2><div class="scroll"><table class="matrix" id="migration"></table></div><div class="help" id="migration-help">Customers whose segment changed since the page's first snapshot; "new" is a first segment.</div></section>
  <section class="card w12"><h2>What was counted</h2><div class="scroll"><table class="counted" id="counted"></table></div><div class="help" id="money-note"></div></section>
</main>
<script>
// Okabe-Ito's colours, told apart with any kind of colour vision; a segment's hue is its group's
const GROUP_COLOR = ${JSON.stringify(GROUP_COLOURS)};
const SEGMENT_COLOR = ${JSON.stringify(SEGMENT_COLOURS)};
const RETENTION_COLOR = ${JSON.stringify(RETENTION_COLOURS)};
const PALETTE = ${JSON.stringify(PALETTE)};
const colorOf = (map, name, i) => map[name] || PALETTE[i % PALETTE.length];
const fmt = new Intl.NumberFormat('en-US');
const money = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const pct = (x) => (100 * x).toFixed(1) + ' %';
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
let hello = null;
const history = [];
const moved = new Map();

/** Dark text on a light colour (the yellow, the sky blue), white on a dark one. */
function inkOn(hex) {
  const v = parseInt(hex.slice(1), 16);
  const luminance = 0.299 * (v >> 16) + 0.587 * ((v >> 8) & 255) + 0.114 * (v & 255);
  return luminance > 150 ? '#1d2330' : '#fff';
}

function stacked(el, legendEl, names, values, colors) {
  const total = values.reduce((a, b) => a + b, 0) || 1;
  el.innerHTML = names.map((n, i) => {
    const share = values[i] / total;
    return share > 0 ? '<div title="' + esc(n) + ': ' + pct(share) + '" style="width:' + (100 * share) + '%;background:' + colors[i] + ';color:' + inkOn(colors[i]) + '">' + (share > 0.08 ? pct(share) : '') + '</div>' : '';
  }).join('');
  if (legendEl) legendEl.innerHTML = names.map((n, i) => '<span><span class="dot" style="background:' + colors[i] + '"></span>' + esc(n) + '</span>').join('');
}

/** A chart's drawing size: its box's width in pixels, so its text keeps its size on a phone. */
function sized(svg, height) {
  const W = Math.max(280, Math.round(svg.getBoundingClientRect().width || 600));
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + height);
  svg.setAttribute('height', String(height));
  return W;
}

/** Tick values at round steps (1, 2 or 5 times a power of ten) from 0 to at least max. */
function ticks(max) {
  const raw = max / 4;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
  const out = [];
  for (let v = 0; v < max + step; v += step) out.push(v);
  return out;
}

function drawTrend() {
  const svg = $('trend');
  const H = 260, L = 52, R = 10, T = 10, B = 24;
  if (!hello || history.length === 0) return;
  const W = sized(svg, H);
  const names = hello.segments.map((s) => s.name);
  const steps = ticks(Math.max(1, ...history.flatMap((h) => names.map((n) => h.segments[n].customers))));
  const max = steps[steps.length - 1];
  const x = (i) => L + (W - L - R) * (history.length === 1 ? 1 : i / (history.length - 1));
  const y = (v) => T + (H - T - B) * (1 - v / max);
  let out = '';
  for (const v of steps) {
    out += '<line x1="' + L + '" x2="' + (W - R) + '" y1="' + y(v) + '" y2="' + y(v) + '" stroke="#eef0f3"/>';
    out += '<text x="' + (L - 6) + '" y="' + (y(v) + 4) + '" text-anchor="end">' + fmt.format(Math.round(v)) + '</text>';
  }
  names.forEach((n, i) => {
    const pts = history.map((h, j) => x(j).toFixed(1) + ',' + y(h.segments[n].customers).toFixed(1)).join(' ');
    out += '<polyline fill="none" stroke-width="2" stroke="' + colorOf(SEGMENT_COLOR, n, i) + '" points="' + pts + '"/>';
  });
  out += '<text x="' + L + '" y="' + (H - 6) + '">' + esc(history[0].asOf.slice(0, 10)) + '</text>';
  out += '<text x="' + (W - R) + '" y="' + (H - 6) + '" text-anchor="end">' + esc(history[history.length - 1].asOf.slice(0, 10)) + '</text>';
  svg.innerHTML = out;
  $('trend-legend').innerHTML = names.map((n, i) => '<span><span class="dot" style="background:' + colorOf(SEGMENT_COLOR, n, i) + '"></span>' + esc(n) + '</span>').join('');
}

function drawLorenz(s) {
  const H = 260, L = 44, B = 24, T = 8, R = 10;
  const W = sized($('lorenz'), H);
  const x = (f) => L + (W - L - R) * f, y = (f) => T + (H - T - B) * (1 - f);
  const pts = s.lorenz.map((v, i) => x(i / (s.lorenz.length - 1)).toFixed(1) + ',' + y(v).toFixed(1)).join(' ');
  let out = '<rect x="' + L + '" y="' + T + '" width="' + (W - L - R) + '" height="' + (H - T - B) + '" fill="#fafbfc" stroke="#eef0f3"/>';
  out += '<line x1="' + x(0) + '" y1="' + y(0) + '" x2="' + x(1) + '" y2="' + y(1) + '" stroke="#c4c9d2" stroke-dasharray="4 4"/>';
  out += '<polygon fill="rgba(107,79,216,.12)" points="' + x(0) + ',' + y(0) + ' ' + pts + ' ' + x(1) + ',' + y(1) + '"/>';
  out += '<polyline fill="none" stroke="#6b4fd8" stroke-width="2.5" points="' + pts + '"/>';
  const t = s.lorenz[18];
  out += '<line x1="' + x(0.9) + '" x2="' + x(0.9) + '" y1="' + y(0) + '" y2="' + y(t) + '" stroke="#6b4fd8" stroke-dasharray="3 3"/>';
  out += '<text x="' + x(0.9) + '" y="' + (y(t) - 6) + '" text-anchor="end" style="fill:#6b4fd8;font-weight:600">top 10 %: ' + pct(s.concentration.top10) + '</text>';
  out += '<text x="' + L + '" y="' + (H - 8) + '">0 %</text><text x="' + (W - R) + '" y="' + (H - 8) + '" text-anchor="end">' + (W < 420 ? '100 % of customers' : '100 % of customers, lowest spend first') + '</text>';
  out += '<text x="' + (L - 4) + '" y="' + (T + 10) + '" text-anchor="end">100 %</text>';
  $('lorenz').innerHTML = out;
  $('lorenz-help').textContent = 'The top 1 % of customers bring ' + pct(s.concentration.top1) + ' of revenue, the top 10 % ' + pct(s.concentration.top10) +
    ', the top 20 % ' + pct(s.concentration.top20) + '. Gini ' + s.concentration.gini.toFixed(2) + ' (0: everyone spends the same; near 1: a few customers bring it all).';
}

/** Core retention and the cohort table, as the server measured them at the latest month end. */
function drawFigures(f) {
  if (!f) { $('figures').innerHTML = '<div class="help">The server runs with --no-figures.</div>'; return; }
  if (!f.measuredAt) return;
  const share = (x) => (x === null ? '–' : pct(x));
  const r = f.coreRetention;
  let html = r
    ? '<p class="fig"><b>' + share(r.notLost) + '</b> of the ' + fmt.format(r.coreAtFrom) + ' Core customers of ' + esc(r.from.slice(0, 10)) + ' are not Lost on ' + esc(r.to.slice(0, 10)) + '; <b>' + share(r.stillCore) + '</b> are still Core.</p>'
    : '<p class="help">Core retention shows once the orders reach 90 days past a month end.</p>';
  const rows = f.cultivation.cohorts.slice(-12).reverse();
  html += '<div class="scroll"><table id="cohorts"><tr><th>first order ' + 'in</th><th class="n">customers</th><th class="n">Core in 90 d</th><th ' + 'class="n">180 d</th><th class="n">365 d</th></tr>' +
    rows.map((c) => '<tr><td>' + esc(c.month) + '</td><td class="n">' + fmt.format(c.customers) + '</td><td class="n">' + share(c.within90) + '</td><td class="n">' + share(c.within180) + '</td><td class="n">' + share(c.within365) + '</td></tr>').join('') +
    '</table></div><div class="help">Measured ' + esc(f.measuredAt.slice(0, 10)) + '. Cultivation: ' + esc(f.cultivation.definition) + '.' + (r ? ' Core retention: ' + esc(r.definition) + ' (the first date is the latest month end at least 90 days before the ' + 'second).' : '') + '</div>';
  $('figures').innerHTML = html;
}

/**
 * The models' fit (a predictions message, or GET /predictions): P(alive) by tenths under each
 * purchase model, the year ahead.
 */
function drawPredictions(p) {
  const n = (x, d) => (x === null || x === undefined ? '–' : Number(x).toFixed(d));
  if (!p.bgnbd.converged) {
    $('predictions').innerHTML = '<p class="help">' + esc(p.bgnbd.message) + '</p>';
    return;
  }
  const max = Math.max(1, ...p.pAlive.mbgnbd, ...p.pAlive.bgnbd);
  const bars = (name, counts) => '<div class="rowlabel">' + name + '</div><div class="palive">' + counts.map((c, i) =>
    '<div class="pcol" title="P(alive) ' + (i / 10).toFixed(1) + '–' + ((i + 1) / 10).toFixed(1) + ': ' + fmt.format(c) + ' customers"><div class="pfill" style="height:' + (100 * c / max) + '%"></div><span>' + fmt.format(c) + '</span></div>').join('') + '</div>';
  $('predictions').innerHTML =
    '<p class="fig">In the next ' + p.horizon + ' weeks the ' + fmt.format(p.customers) + ' customers are expected to make <b id="p-purchases">' + fmt.format(Math.round(p.expectedPurchases)) + '</b> purchases, worth <b id="p-clv">' + money.format(p.clv) + '</b> (CLV, discounted 10 % a year).</p>' +
    bars('P(alive), MBG/NBD (one-time buyers may be gone)', p.pAlive.mbgnbd) + bars('P(alive), BG/NBD (one-time buyers count as alive)', p.pAlive.bgnbd) +
    '<div class="legend"><span>P(alive) 0</span><span style="margin-left:auto">1</span></div>' +
    '<div class="help">Fitted on ' + fmt.format(p.customers) + ' customers (' + fmt.format(p.repeaters) + ' bought again; ' + fmt.format(p.distinctTriples) + ' distinct frequency, recency and age) to ' + esc(p.calibrationEnd) + ' in ' + Math.round(p.fitMs) + ' ms. ' +
    'BG/NBD r ' + n(p.bgnbd.r, 3) + ', alpha ' + n(p.bgnbd.alpha, 3) + ', a ' + n(p.bgnbd.a, 3) + ', b ' + n(p.bgnbd.b, 3) + '; Gamma-Gamma p ' + n(p.gammaGamma.p, 2) + ', q ' + n(p.gammaGamma.q, 2) + ', v ' + n(p.gammaGamma.v, 2) + '. ' +
    '<button id="fit-now" type="button">Fit now</button></div>';
  $('fit-now').onclick = fitNow;
}
function fitNow() {
  fetch('/predictions' + location.search).then((r) => r.json()).then((p) => { if (p.type === 'predictions') drawPredictions(p); });
}
$('fit-now').onclick = fitNow;

let first = true;
function render(s) {
  $('k-customers').textContent = fmt.format(s.customers);
  $('k-orders').textContent = fmt.format(s.orders);
  $('k-revenue').innerHTML = esc(money.format(s.revenue)) + (s.currency ? ' <small>' + esc(s.currency) + '</small>' : '');
  drawCounted(s);
  // after the source: no rate to show, and the badge says the replay is over
  $('k-rate').textContent = s.ingest.sourceDone ? '–' : fmt.format(Math.round(s.ingest.ordersPerSecond));
  if (s.ingest.sourceError) {
    $('status').textContent = 'replay stopped · serving what was read'; $('status').className = 'refused';
    $('source-error').textContent = 'The replay stopped: ' + s.ingest.sourceError + ' The numbers are of the orders read before it; POST /ingest still ' + 'takes more.';
    $('source-error').hidden = false;
  } else if (s.ingest.sourceDone) { $('status').textContent = 'replay done · serving'; $('status').className = 'done'; }
  $('k-asof').textContent = s.orders > 0 ? s.asOf.slice(0, 10) : '–';
  $('k-rejected').textContent = fmt.format(s.rejected);
  if (s.orders > 0) history.push(s);
  if (history.length > 240) history.shift();
  drawTrend();
  const groups = hello.groups;
  const gColors = groups.map((g, i) => colorOf(GROUP_COLOR, g, i));
  stacked($('groups-customers'), $('groups-legend'), groups, groups.map((g) => s.groups[g].customers), gColors);
  stacked($('groups-revenue'), null, groups, groups.map((g) => s.groups[g].revenue), gColors);
  const rnames = hello.retention.map((r) => r.name);
  stacked($('retention'), $('retention-legend'), rnames, rnames.map((r) => s.retention[r].customers), rnames.map((r, i) => colorOf(RETENTION_COLOR, r, i)));
  $('segments').innerHTML = '<tr><th>segment</th><th class="n">customers</th><th ' + 'class="n">revenue</th></tr>' + hello.segments.map((seg, i) => {
    const t = s.segments[seg.name];
    return '<tr><td><span class="dot" style="background:' + colorOf(SEGMENT_COLOR, seg.name, i) + '"></span><b>' + esc(seg.name) + '</b>' +
      '<div class="meaning">' + esc(seg.meaning) + (seg.action ? ' · <i>' + esc(seg.action) + '</i>' : '') + '</div></td>' +
      '<td class="n">' + fmt.format(t.customers) + '<div class="meaning">' + pct(t.customers / (s.customers || 1)) + '</div></td>' +
      '<td class="n">' + money.format(t.revenue) + '<div class="meaning">' + pct(t.revenue / (s.revenue || 1)) + '</div></td></tr>';
  }).join('');
  drawLorenz(s);
  drawFigures(s.figures);
  const maxAud = Math.max(1, ...hello.audiences.map((a) => s.audiences[a].customers));
  $('audiences').innerHTML = hello.audiences.map((a) => '<div class="aud"><span>' + esc(a) + '</span><div class="track"><div class="fill" style="width:' +
    (100 * s.audiences[a].customers / maxAud) + '%"></div></div><span style="text-align:right">' + fmt.format(s.audiences[a].customers) + '</span></div>').join('');
  // the first snapshot's moves are from before the page opened: the baseline
  for (const m of (first ? [] : s.migration)) {
    const key = (m.from ?? 'new') + '\\u0000' + m.to;
    moved.set(key, (moved.get(key) ?? 0) + m.customers);
  }
  const names = hello.segments.map((x) => x.name);
  const short = (n) => n.replace('Lost Potential Core', 'Lost Pot.').replace('New Customers', 'New').replace('Big Spenders', 'Big Sp.');
  let html = '<tr><th>from \\\\ to</th>' + names.map((n) => '<th class="n">' + esc(short(n)) + '</th>').join('') + '</tr>';
  for (const from of ['new', ...names]) {
    html += '<tr><th>' + esc(short(from)) + '</th>' + names.map((to) => {
      const v = moved.get(from + '\\u0000' + to) ?? 0;
      return '<td class="' + (v ? '' : 'z') + '">' + (v ? fmt.format(v) : '·') + '</td>';
    }).join('') + '</tr>';
  }
  // a grid of dots says nothing: say there was no move yet
  $('migration').innerHTML = moved.size === 0 ? '<tr><td style="text-align:left;color:var(--muted)">No moves yet: a ' + 'customer who changes segment after this page opened shows ' + 'here.</td></tr>' : html;
  first = false;
  last = s;
}
/** What was counted and left out, as the report's section says it (the rows read, the reasons). */
function drawCounted(s) {
  const c = s.counted;
  if (!c) return;
  const rows = [['rows read', c.rowsRead], ['orders counted', c.orders], ['refunds counted', c.refunds]];
  for (const [why, k] of Object.entries(c.excluded)) rows.push(['left out: ' + (why === 'refunded' ? 'refunded whole (no purchase)' : why), k]);
  for (const [cur, k] of Object.entries(c.otherCurrencies)) rows.push(['left out: in ' + cur + ', not the store’s currency', k]);
  if (c.duplicates > 0) rows.push(['repeated orders (by order id), counted once', c.duplicates]);
  rows.push(['rejected', c.rejected]);
  for (const [reason, t] of Object.entries(c.rejectedBy)) rows.push(['rejected: ' + reason + (t.first ? ' (the first: ' + t.first + ')' : ''), t.count]);
  if (c.largeOrders.count > 0) rows.push(['large orders (over ' + money.format(c.largeOrders.over) + '), counted: check them', c.largeOrders.count]);
  $('counted').innerHTML = rows.map(([label, v]) => '<tr><td>' + esc(label) + '</td><td class="n" data-key="counted">' + fmt.format(v) + '</td></tr>').join('');
  $('money-note').textContent = s.currency ? 'Money in ' + s.currency + '.' : 'Money in the store’s currency (the input names none; --currency CODE ' + 'says it).';
}
let last = null;
window.addEventListener('resize', () => { if (last) { drawTrend(); drawLorenz(last); } });

let delay = 500;
let done = false;
function connect() {
  const url = new URL(location.href);
  $('report-link').href = '/report.html' + url.search;
  const ws = new WebSocket((url.protocol === 'https:' ? 'wss://' : 'ws://') + url.host + '/live' + url.search);
  let opened = false;
  ws.onopen = () => { opened = true; delay = 500; if (!done) { $('status').textContent = 'live'; $('status').className = 'live'; } };
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.type === 'hello') hello = m;
    else if (m.type === 'history') {
      // the series so far, kept by the server: a page opened after a replay still draws it
      history.length = 0;
      for (const h of m.series) history.push({ asOf: h.asOf, segments: Object.fromEntries(Object.entries(h.segments).map(([k, v]) => [k, { customers: v }])) });
      first = true;
      moved.clear();
    } else if (m.type === 'predictions') drawPredictions(m);
    else if (m.type === 'snapshot' && hello) {
      if (history.length && history[history.length - 1].asOf === m.asOf && m.seq !== undefined && first) history.pop();
      done = m.ingest.sourceDone;
      render(m);
    }
  };
  ws.onclose = () => {
    const retry = () => { setTimeout(connect, delay); delay = Math.min(delay * 2, 10000); };
    if (opened) { $('status').textContent = 'reconnecting…'; $('status').className = ''; retry(); return; }
    // refused before it opened: a token missing or wrong stops here; a server away is retried
    fetch('/auth' + url.search).then((r) => {
      if (r.status === 401) {
        $('status').textContent = 'a token is needed: open the address rfm serve printed (it ends in ?token=…)';
        $('status').className = 'refused';
      } else { $('status').textContent = 'reconnecting…'; $('status').className = ''; retry(); }
    }, () => { $('status').textContent = 'reconnecting…'; $('status').className = ''; retry(); });
  };
}
connect();
</script>
</body>
</html>
`;
