/**
 * The dashboard: one page (no CDN, plain SVG) that speaks the live protocol, reconnects by
 * itself, and explains every segment in a merchant's words. Its code is a typed module,
 * dashboard/client.ts, served as /dashboard.js; the colours come in the page as JSON.
 */
import { GROUP_COLOURS, PALETTE, RETENTION_COLOURS, SEGMENT_COLOURS } from '../report/palette.js';
/** The page's colours, as the browser code reads them (dashboard/client.ts). */
const COLOURS = { groups: GROUP_COLOURS, segments: SEGMENT_COLOURS, retention: RETENTION_COLOURS, palette: PALETTE };

export function dashboardPage(): string {
  return PAGE;
}

const PAGE =
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rfmstream · live customer segments</title>
<style>
  :root { --bg:#f6f7f9; --card:#fff; --ink:#1d2330; --muted:#667085; --line:#e4e7ec;
          --core:#0072B2; --potential:#56B4E9; --noncore:#E69F00; --lost:#D55E00; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg);` +
  ` color:var(--ink); }
  header { display:flex; align-items:baseline; gap:16px; padding:14px 24px; background:var(--card);` +
  ` border-bottom:1px solid var(--line); flex-wrap:wrap; }
  header h1 { font-size:18px; margin:0; }
  header .sub { color:var(--muted); }
  #status { margin-left:auto; font-size:12px; padding:3px 10px; border-radius:12px; background:#fde7e4; color:#9a2a1b; }
  #status.live { background:#e3f5ec; color:#136343; }
  main { display:grid; grid-template-columns: repeat(12, 1fr); gap:16px; padding:16px 24px 32px; }
  .card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px 16px; min-width:0; }
  .card h2 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); margin:0 0 10px;` +
  ` font-weight:600; }
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
  .bar div { height:100%; display:flex; align-items:center; justify-content:center; color:#fff; font-size:11px;` +
  ` white-space:nowrap; overflow:hidden; }
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
  .banner { margin:12px 24px 0; padding:10px 14px; border-radius:8px; background:#fde7e4; color:#9a2a1b;` +
  ` font-size:14px; overflow-wrap:anywhere; }
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
  <section class="card w8"><h2>Segments over time (customers)</h2>` +
  `<svg id="trend" class="chart" role="img" aria-label="segment counts over time"></svg>` +
  `<div class="legend" id="trend-legend"></div></section>
  <section class="card w4"><h2>Core, potential, non-core, lost</h2>
    <div class="rowlabel">share of customers</div><div class="bar" id="groups-customers"></div>
    <div class="rowlabel">share of revenue</div><div class="bar" id="groups-revenue"></div>
    <div class="legend" id="groups-legend"></div>
    <div class="rowlabel" style="margin-top:16px">retention: time since the last order,` +
  ` against each customer's own rhythm</div>
    <div class="bar" id="retention"></div><div class="legend" id="retention-legend"></div>
  </section>
  <section class="card w6"><h2>Segments</h2><div class="scroll"><table id="segments"></table></div></section>
  <section class="card w6"><h2>Revenue concentration</h2>
    <svg id="lorenz" class="chart" role="img" aria-label="Lorenz curve"></svg>
    <div class="help" id="lorenz-help"></div>
  </section>
  <section class="card w6"><h2>Audiences to act on</h2><div id="audiences"></div>` +
  `<div class="help">Lists overlap: a customer can be in several.</div></section>
  <section class="card w6"><h2>Keeping and cultivating the core</h2><div id="figures">` +
  `<div class="help">Measured at each month end the orders pass; none yet.</div></div></section>
  <section class="card w12"><h2>What customers are worth next</h2><div id="predictions">` +
  `<div class="help">BG/NBD,` +
  ` MBG/NBD and Gamma-Gamma fitted to the customers so far. <button id="fit-now" type="button">Fit now</button>` +
  `</div></div></section>
  <section class="card w12"><h2>Migration since this page opened (from → to)</h2><div class="scroll">` +
  `<table class="matrix" id="migration"></table></div>` +
  `<div class="help" id="migration-help">Customers whose segment changed since the page's first snapshot;` +
  ` "new" is a first segment.</div></section>
  <section class="card w12"><h2>What was counted</h2><div class="scroll"><table class="counted" id="counted">` +
  `</table></div><div class="help" id="money-note"></div></section>
</main>
<script id="palette" type="application/json">` +
  `${JSON.stringify(COLOURS)}</script>
<script type="module" src="/dashboard.js"></script>
</body>
</html>
`;
