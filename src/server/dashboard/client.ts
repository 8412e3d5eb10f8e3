/**
 * The dashboard's code in the browser (served as /dashboard.js, loaded by the page of
 * dashboard-page.ts): speaks the live protocol (protocol.ts), reconnects by itself, draws
 * plain SVG. Typed by tsc against the messages the server sends; it imports only types, so
 * the compiled file needs nothing else. The colours come in the page (#palette, JSON), from
 * src/report/palette.ts, the report's own.
 */
import type { Counted } from '../../report/counted.js';
import type { LiveFiguresMessage } from '../live-figures.js';
import type { PredictionsMessage } from '../live-predictions.js';
import type { HelloMessage, ServerMessage, SnapshotMessage } from '../protocol.js';

interface Palette {
  groups: Record<string, string>;
  segments: Record<string, string>;
  retention: Record<string, string>;
  palette: string[];
}

/** A point of the segments' series: a snapshot, or one the server kept (history). */
interface Point {
  asOf: string;
  segments: Record<string, { customers: number }>;
}

const $ = (id: string): HTMLElement => document.getElementById(id)!;
// Okabe-Ito's colours, told apart with any kind of colour vision; a segment's hue is its group's
const colours = JSON.parse($('palette').textContent!) as Palette;
const colorOf = (map: Record<string, string>, name: string, i: number): string =>
  map[name] || colours.palette[i % colours.palette.length];
const fmt = new Intl.NumberFormat('en-US');
const money = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const pct = (x: number): string => (100 * x).toFixed(1) + ' %';
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const esc = (s: unknown): string => String(s).replace(/[&<>"]/g, (c) => ESCAPES[c]);
let hello: HelloMessage | null = null;
const series: Point[] = [];
const moved = new Map<string, number>();

/** Dark text on a light colour (the yellow, the sky blue), white on a dark one. */
function inkOn(hex: string): string {
  const v = Number.parseInt(hex.slice(1), 16);
  const luminance = 0.299 * (v >> 16) + 0.587 * ((v >> 8) & 255) + 0.114 * (v & 255);
  return luminance > 150 ? '#1d2330' : '#fff';
}

function legend(names: string[], colors: string[]): string {
  return names
    .map((n, i) => '<span><span class="dot" style="background:' + colors[i] + '"></span>' + esc(n) + '</span>')
    .join('');
}

function stacked(
  el: HTMLElement,
  legendEl: HTMLElement | null,
  names: string[],
  values: number[],
  colors: string[],
): void {
  const total = values.reduce((a, b) => a + b, 0) || 1;
  el.innerHTML = names
    .map((n, i) => {
      const share = values[i] / total;
      if (share <= 0) return '';
      const style = 'width:' + 100 * share + '%;background:' + colors[i] + ';color:' + inkOn(colors[i]);
      return `<div title="${esc(n)}: ${pct(share)}" style="${style}">${share > 0.08 ? pct(share) : ''}</div>`;
    })
    .join('');
  if (legendEl) legendEl.innerHTML = legend(names, colors);
}

/** A chart's drawing size: its box's width in pixels, so its text keeps its size on a phone. */
function sized(svg: Element, height: number): number {
  const W = Math.max(280, Math.round(svg.getBoundingClientRect().width || 600));
  svg.setAttribute('viewBox', `0 0 ${W} ${height}`);
  svg.setAttribute('height', String(height));
  return W;
}

/** Tick values at round steps (1, 2 or 5 times a power of ten) from 0 to at least max. */
function ticks(max: number): number[] {
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v < max + step; v += step) out.push(v);
  return out;
}

function drawTrend(): void {
  const svg = $('trend');
  const H = 260;
  const L = 52;
  const R = 10;
  const T = 10;
  const B = 24;
  if (!hello || series.length === 0) return;
  const W = sized(svg, H);
  const names = hello.segments.map((s) => s.name);
  const steps = ticks(Math.max(1, ...series.flatMap((h) => names.map((n) => h.segments[n].customers))));
  const max = steps[steps.length - 1];
  const x = (i: number): number => L + (W - L - R) * (series.length === 1 ? 1 : i / (series.length - 1));
  const y = (v: number): number => T + (H - T - B) * (1 - v / max);
  let out = '';
  for (const v of steps) {
    out += `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#eef0f3"/>`;
    out += `<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${fmt.format(Math.round(v))}</text>`;
  }
  names.forEach((n, i) => {
    const pts = series.map((h, j) => x(j).toFixed(1) + ',' + y(h.segments[n].customers).toFixed(1)).join(' ');
    out += `<polyline fill="none" stroke-width="2" stroke="${colorOf(colours.segments, n, i)}" points="${pts}"/>`;
  });
  out += `<text x="${L}" y="${H - 6}">${esc(series[0].asOf.slice(0, 10))}</text>`;
  const lastDay = esc(series[series.length - 1].asOf.slice(0, 10));
  out += `<text x="${W - R}" y="${H - 6}" text-anchor="end">${lastDay}</text>`;
  svg.innerHTML = out;
  $('trend-legend').innerHTML = legend(
    names,
    names.map((n, i) => colorOf(colours.segments, n, i)),
  );
}

function drawLorenz(s: SnapshotMessage): void {
  const H = 260;
  const L = 44;
  const B = 24;
  const T = 8;
  const R = 10;
  const W = sized($('lorenz'), H);
  const x = (f: number): number => L + (W - L - R) * f;
  const y = (f: number): number => T + (H - T - B) * (1 - f);
  const pts = s.lorenz.map((v, i) => x(i / (s.lorenz.length - 1)).toFixed(1) + ',' + y(v).toFixed(1)).join(' ');
  let out = `<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="#fafbfc" stroke="#eef0f3"/>`;
  out += `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#c4c9d2" stroke-dasharray="4 4"/>`;
  out += `<polygon fill="rgba(107,79,216,.12)" points="${x(0)},${y(0)} ${pts} ${x(1)},${y(1)}"/>`;
  out += `<polyline fill="none" stroke="#6b4fd8" stroke-width="2.5" points="${pts}"/>`;
  const t = s.lorenz[18];
  out += `<line x1="${x(0.9)}" x2="${x(0.9)}" y1="${y(0)}" y2="${y(t)}" stroke="#6b4fd8" stroke-dasharray="3 3"/>`;
  out +=
    `<text x="${x(0.9)}" y="${y(t) - 6}" text-anchor="end" style="fill:#6b4fd8;font-weight:600">` +
    `top 10 %: ${pct(s.concentration.top10)}</text>`;
  const across = W < 420 ? '100 % of customers' : '100 % of customers, lowest spend first';
  out += `<text x="${L}" y="${H - 8}">0 %</text><text x="${W - R}" y="${H - 8}" text-anchor="end">${across}</text>`;
  out += `<text x="${L - 4}" y="${T + 10}" text-anchor="end">100 %</text>`;
  $('lorenz').innerHTML = out;
  const c = s.concentration;
  $('lorenz-help').textContent =
    `The top 1 % of customers bring ${pct(c.top1)} of revenue, the top 10 % ${pct(c.top10)}, the top 20 % ` +
    `${pct(c.top20)}. Gini ${c.gini.toFixed(2)} (0: everyone spends the same; near 1: a few customers bring it all).`;
}

/** Core retention and the cohort table, as the server measured them at the latest month end. */
function drawFigures(f: LiveFiguresMessage | null): void {
  if (!f) {
    $('figures').innerHTML = '<div class="help">The server runs with --no-figures.</div>';
    return;
  }
  if (!f.measuredAt || !f.cultivation) return;
  const share = (x: number | null): string => (x === null ? '–' : pct(x));
  const r = f.coreRetention;
  let html = r
    ? `<p class="fig"><b>${share(r.notLost)}</b> of the ${fmt.format(r.coreAtFrom)} Core customers of ` +
      `${esc(r.from.slice(0, 10))} are not Lost on ${esc(r.to.slice(0, 10))};` +
      ` <b>${share(r.stillCore)}</b> are still Core.</p>`
    : '<p class="help">Core retention shows once the orders reach 90 days past a month end.</p>';
  const rows = f.cultivation.cohorts.slice(-12).reverse();
  html +=
    '<div class="scroll"><table id="cohorts"><tr><th>first order in</th><th class="n">customers</th>' +
    '<th class="n">Core in 90 d</th><th class="n">180 d</th><th class="n">365 d</th></tr>' +
    rows
      .map(
        (c) =>
          `<tr><td>${esc(c.month)}</td><td class="n">${fmt.format(c.customers)}</td><td class="n">` +
          `${share(c.within90)}</td><td class="n">${share(c.within180)}</td><td class="n">${share(c.within365)}</td>` +
          `</tr>`,
      )
      .join('') +
    `</table></div><div class="help">Measured ${esc(f.measuredAt.slice(0, 10))}. Cultivation: ` +
    `${esc(f.cultivation.definition)}.` +
    (r
      ? ` Core retention: ${esc(r.definition)} (the first date is the latest month end at least 90 days before ` +
        'the second).'
      : '') +
    '</div>';
  $('figures').innerHTML = html;
}

/**
 * The models' fit (a predictions message, or GET /predictions): P(alive) by tenths under each
 * purchase model, the year ahead.
 */
function drawPredictions(p: PredictionsMessage): void {
  const n = (x: number | null | undefined, d: number): string =>
    x === null || x === undefined ? '–' : Number(x).toFixed(d);
  if (!p.bgnbd.converged) {
    $('predictions').innerHTML = `<p class="help">${esc(p.bgnbd.message)}</p>`;
    return;
  }
  const max = Math.max(1, ...p.pAlive.mbgnbd, ...p.pAlive.bgnbd);
  const bars = (name: string, counts: number[]): string =>
    `<div class="rowlabel">${name}</div><div class="palive">` +
    counts
      .map(
        (c, i) =>
          `<div class="pcol" title="P(alive) ${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}: ` +
          `${fmt.format(c)} customers"><div class="pfill" style="height:${(100 * c) / max}%"></div>` +
          `<span>${fmt.format(c)}</span></div>`,
      )
      .join('') +
    '</div>';
  const g = p.gammaGamma;
  $('predictions').innerHTML =
    `<p class="fig">In the next ${p.horizon} weeks the ${fmt.format(p.customers)} customers are expected to make ` +
    `<b id="p-purchases">${fmt.format(Math.round(p.expectedPurchases))}</b> purchases, worth ` +
    `<b id="p-clv">${money.format(p.clv)}</b> (CLV, discounted 10 % a year).</p>` +
    bars('P(alive), MBG/NBD (one-time buyers may be gone)', p.pAlive.mbgnbd) +
    bars('P(alive), BG/NBD (one-time buyers count as alive)', p.pAlive.bgnbd) +
    '<div class="legend"><span>P(alive) 0</span><span style="margin-left:auto">1</span></div>' +
    `<div class="help">Fitted on ${fmt.format(p.customers)} customers (${fmt.format(p.repeaters)} bought again; ` +
    `${fmt.format(p.distinctTriples)} distinct frequency, recency and age) to ${esc(p.calibrationEnd)} in ` +
    `${Math.round(p.fitMs)} ms. BG/NBD r ${n(p.bgnbd.r, 3)}, alpha ${n(p.bgnbd.alpha, 3)}, a ${n(p.bgnbd.a, 3)}, ` +
    `b ${n(p.bgnbd.b, 3)}; Gamma-Gamma p ${n(g.p, 2)}, q ${n(g.q, 2)}, v ${n(g.v, 2)}. ` +
    '<button id="fit-now" type="button">Fit now</button></div>';
  $('fit-now').onclick = fitNow;
}

function fitNow(): void {
  fetch('/predictions' + location.search)
    .then((r) => r.json() as Promise<{ type?: string }>)
    .then((p) => {
      if (p.type === 'predictions') drawPredictions(p as PredictionsMessage);
    });
}
$('fit-now').onclick = fitNow;

let first = true;
let last: SnapshotMessage | null = null;

function render(s: SnapshotMessage, h: HelloMessage): void {
  $('k-customers').textContent = fmt.format(s.customers);
  $('k-orders').textContent = fmt.format(s.orders);
  $('k-revenue').innerHTML = esc(money.format(s.revenue)) + (s.currency ? ` <small>${esc(s.currency)}</small>` : '');
  drawCounted(s);
  // after the source: no rate to show, and the badge says the replay is over
  $('k-rate').textContent = s.ingest.sourceDone ? '–' : fmt.format(Math.round(s.ingest.ordersPerSecond));
  if (s.ingest.sourceError) {
    $('status').textContent = 'replay stopped · serving what was read';
    $('status').className = 'refused';
    $('source-error').textContent =
      `The replay stopped: ${s.ingest.sourceError} The numbers are of the orders read before it; ` +
      'POST /ingest still takes more.';
    $('source-error').hidden = false;
  } else if (s.ingest.sourceDone) {
    $('status').textContent = 'replay done · serving';
    $('status').className = 'done';
  }
  $('k-asof').textContent = s.orders > 0 ? s.asOf.slice(0, 10) : '–';
  $('k-rejected').textContent = fmt.format(s.rejected);
  if (s.orders > 0) series.push(s);
  if (series.length > 240) series.shift();
  drawTrend();
  const groups = h.groups;
  const gColors = groups.map((g, i) => colorOf(colours.groups, g, i));
  stacked(
    $('groups-customers'),
    $('groups-legend'),
    groups,
    groups.map((g) => s.groups[g].customers),
    gColors,
  );
  stacked(
    $('groups-revenue'),
    null,
    groups,
    groups.map((g) => s.groups[g].revenue),
    gColors,
  );
  const rnames = h.retention.map((r) => r.name);
  stacked(
    $('retention'),
    $('retention-legend'),
    rnames,
    rnames.map((r) => s.retention[r].customers),
    rnames.map((r, i) => colorOf(colours.retention, r, i)),
  );
  $('segments').innerHTML =
    '<tr><th>segment</th><th class="n">customers</th><th class="n">revenue</th></tr>' +
    h.segments
      .map((seg, i) => {
        const t = s.segments[seg.name];
        return (
          `<tr><td><span class="dot" style="background:${colorOf(colours.segments, seg.name, i)}"></span>` +
          `<b>${esc(seg.name)}</b><div class="meaning">${esc(seg.meaning)}` +
          (seg.action ? ` · <i>${esc(seg.action)}</i>` : '') +
          '</div></td>' +
          `<td class="n">${fmt.format(t.customers)}<div ` +
          `class="meaning">${pct(t.customers / (s.customers || 1))}</div></td>` +
          `<td class="n">${money.format(t.revenue)}<div class="meaning">${pct(t.revenue / (s.revenue || 1))}</div>` +
          `</td></tr>`
        );
      })
      .join('');
  drawLorenz(s);
  drawFigures(s.figures);
  const maxAud = Math.max(1, ...h.audiences.map((a) => s.audiences[a].customers));
  $('audiences').innerHTML = h.audiences
    .map(
      (a) =>
        `<div class="aud"><span>${esc(a)}</span><div class="track"><div class="fill" style="width:` +
        `${(100 * s.audiences[a].customers) / maxAud}%"></div></div><span style="text-align:right">` +
        `${fmt.format(s.audiences[a].customers)}</span></div>`,
    )
    .join('');
  // the first snapshot's moves are from before the page opened: the baseline
  for (const m of first ? [] : s.migration) {
    const key = (m.from ?? 'new') + '\u0000' + m.to;
    moved.set(key, (moved.get(key) ?? 0) + m.customers);
  }
  drawMigration(h.segments.map((x) => x.name));
  first = false;
  last = s;
}

function drawMigration(names: string[]): void {
  const short = (n: string): string =>
    n.replace('Lost Potential Core', 'Lost Pot.').replace('New Customers', 'New').replace('Big Spenders', 'Big Sp.');
  let html = '<tr><th>from \\ to</th>' + names.map((n) => `<th class="n">${esc(short(n))}</th>`).join('') + '</tr>';
  for (const from of ['new', ...names]) {
    html += `<tr><th>${esc(short(from))}</th>`;
    html += names
      .map((to) => {
        const v = moved.get(from + '\u0000' + to) ?? 0;
        return `<td class="${v ? '' : 'z'}">${v ? fmt.format(v) : '·'}</td>`;
      })
      .join('');
    html += '</tr>';
  }
  // a grid of dots says nothing: say there was no move yet
  $('migration').innerHTML =
    moved.size === 0
      ? '<tr><td style="text-align:left;color:var(--muted)">No moves yet: a customer who changes segment ' +
        'after this page opened shows here.</td></tr>'
      : html;
}

/** What was counted and left out, as the report's section says it (the rows read, the reasons). */
function drawCounted(s: SnapshotMessage): void {
  const c: Counted | undefined = s.counted;
  if (!c) return;
  const rows: [string, number][] = [
    ['rows read', c.rowsRead],
    ['orders counted', c.orders],
    ['refunds counted', c.refunds],
  ];
  for (const [why, k] of Object.entries(c.excluded))
    rows.push([`left out: ${why === 'refunded' ? 'refunded whole (no purchase)' : why}`, k]);
  for (const [cur, k] of Object.entries(c.otherCurrencies))
    rows.push([`left out: in ${cur}, not the store’s currency`, k]);
  if (c.duplicates > 0) rows.push(['repeated orders (by order id), counted once', c.duplicates]);
  rows.push(['rejected', c.rejected]);
  for (const [reason, t] of Object.entries(c.rejectedBy))
    rows.push([`rejected: ${reason}${t.first ? ` (the first: ${t.first})` : ''}`, t.count]);
  if (c.largeOrders.count > 0)
    rows.push([`large orders (over ${money.format(c.largeOrders.over)}), counted: check them`, c.largeOrders.count]);
  $('counted').innerHTML = rows
    .map(([label, v]) => `<tr><td>${esc(label)}</td><td class="n" data-key="counted">${fmt.format(v)}</td></tr>`)
    .join('');
  $('money-note').textContent = s.currency
    ? `Money in ${s.currency}.`
    : 'Money in the store’s currency (the input names none; --currency CODE says it).';
}

window.addEventListener('resize', () => {
  if (last) {
    drawTrend();
    drawLorenz(last);
  }
});

let delay = 500;
let done = false;
function connect(): void {
  const url = new URL(location.href);
  ($('report-link') as HTMLAnchorElement).href = '/report.html' + url.search;
  const ws = new WebSocket(`${url.protocol === 'https:' ? 'wss://' : 'ws://'}${url.host}/live${url.search}`);
  let opened = false;
  const status = (text: string, className: string): void => {
    $('status').textContent = text;
    $('status').className = className;
  };
  ws.onopen = () => {
    opened = true;
    delay = 500;
    if (!done) status('live', 'live');
  };
  ws.onmessage = (e: MessageEvent<string>) => {
    const m = JSON.parse(e.data) as ServerMessage;
    if (m.type === 'hello') hello = m;
    else if (m.type === 'history') {
      // the series so far, kept by the server: a page opened after a replay still draws it
      series.length = 0;
      for (const h of m.series) {
        const segments = Object.fromEntries(Object.entries(h.segments).map(([k, v]) => [k, { customers: v }]));
        series.push({ asOf: h.asOf, segments });
      }
      first = true;
      moved.clear();
    } else if (m.type === 'predictions') drawPredictions(m);
    else if (m.type === 'snapshot' && hello) {
      if (series.length && series[series.length - 1].asOf === m.asOf && m.seq !== undefined && first) series.pop();
      done = m.ingest.sourceDone;
      render(m, hello);
    }
  };
  ws.onclose = () => {
    const retry = (): void => {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
    if (opened) {
      status('reconnecting…', '');
      retry();
      return;
    }
    // refused before it opened: a token missing or wrong stops here; a server away is retried
    fetch('/auth' + url.search).then(
      (r) => {
        if (r.status === 401)
          status('a token is needed: open the address rfm serve printed (it ends in ?token=…)', 'refused');
        else {
          status('reconnecting…', '');
          retry();
        }
      },
      () => {
        status('reconnecting…', '');
        retry();
      },
    );
  };
}
connect();
