/**
 * npm run bench:peers [-- --scale small|full] [--runs N] [--json FILE]: rfm against ClickHouse
 * (chdb), DuckDB and Polars on the same files, each a process timed from spawn to exit, two
 * threads each; bench/peers-results.json and a table. Ratios are the peer's seconds over
 * rfm's: above 1, rfm finished first.
 *   full: 10^8 orders of 10^7 customers; small: 10^7 of 10^6. The best of --runs (2) each.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { csvFile } from './csv.js';
import { ordersFile } from './data.js';
import { bestOf, ensurePeers, peerRun, rfmExact, rfmReport } from './peers.js';
import type { ProcessRun } from './peers.js';
import type { Peer, PeerFormat } from './peer-child.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const say = (s: string): void => void process.stderr.write(s + '\n');
const scale = flag('--scale') ?? 'small';
const runs = Number(flag('--runs') ?? 2);
if ((scale !== 'small' && scale !== 'full') || !(runs >= 1)) {
  say(
    `usage: npm run bench:peers -- [--scale small|full] [--runs N >= 1]; got --scale ${scale} --runs ${flag('--runs')}`,
  );
  process.exit(2);
}
const out = flag('--json') ?? join(packageRoot(), 'bench', 'peers-results.json');
const orders = scale === 'full' ? 100_000_000 : 10_000_000;
const customers = scale === 'full' ? 10_000_000 : 1_000_000;
const THREADS = 2;

ensurePeers(say);
const arrow = await ordersFile(orders, customers);
const csv = await csvFile(arrow);
const small = join(packageRoot(), 'build', 'bench-data', 'orders-1000.csv');
if (!existsSync(small))
  writeFileSync(
    small,
    readFileSync(csv, 'utf8')
      .slice(0, 1 << 20)
      .split('\n')
      .slice(0, 1001)
      .join('\n') + '\n',
  );

interface Row {
  work: string;
  who: string;
  seconds: number;
  maxRssBytes: number | null;
}
const rows: Row[] = [];
const time = (work: string, who: string, run: () => ProcessRun): ProcessRun => {
  say(`${work}: ${who} ...`);
  const r = bestOf(runs, run);
  rows.push({ work, who, seconds: r.seconds, maxRssBytes: r.maxRssBytes });
  return r;
};

/** A GROUP BY must see every order and every customer, or its time is of other work. */
function groupBy(
  work: string,
  peer: Peer,
  format: PeerFormat,
  file: string,
  expect: { orders: number; customers: number },
): void {
  time(work, `${peer} GROUP BY`, () => {
    const r = peerRun(peer, 'groupby', format, file, THREADS);
    const a = r.answer as { groups: number; orders: number };
    if (a.orders !== expect.orders || a.groups !== expect.customers)
      throw new Error(
        `${peer} read ${a.orders} orders of ${a.groups} customers, not ${expect.orders} of ${expect.customers}`,
      );
    return r;
  });
}

const big = `Arrow, ${orders.toExponential(0)} orders / ${customers.toExponential(0)} customers`;
time(big, 'rfm report', () => rfmReport(arrow, THREADS));
groupBy(big, 'clickhouse', 'arrow', arrow, { orders, customers });
groupBy(big, 'polars', 'arrow', arrow, { orders, customers });

const csvWork = `CSV, ${orders.toExponential(0)} rows / ${customers.toExponential(0)} customers`;
time(csvWork, 'rfm report', () => rfmReport(csv, THREADS));
for (const peer of ['clickhouse', 'duckdb', 'polars'] as const)
  groupBy(csvWork, peer, 'csv', csv, { orders, customers });

const startup = 'a 1,000-row CSV';
const smallCustomers = new Set(
  readFileSync(small, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[0]),
).size;
time(startup, 'rfm report', () => rfmReport(small));
groupBy(startup, 'clickhouse', 'csv', small, { orders: 1000, customers: smallCustomers });

// the whole job in SQL: the same segments as rfm's exact replay, or it is not timed
const sqlWork = `the default model, exact, ${big}`;
const exact = time(sqlWork, 'rfm replay --exact', () => rfmExact(arrow, THREADS)) as ReturnType<typeof rfmExact>;
const sqlRuns: [Peer, PeerFormat, string][] = [
  ['clickhouse', 'arrow', arrow],
  ['duckdb', 'csv', csv],
];
for (const [peer, format, file] of sqlRuns) {
  time(sqlWork, `${peer} SQL (${format})`, () => {
    const r = peerRun(peer, 'model', format, file, THREADS);
    const got = JSON.stringify(
      (r.answer as { segments: Record<string, number> }).segments,
      Object.keys(exact.segments).sort(),
    );
    const want = JSON.stringify(exact.segments, Object.keys(exact.segments).sort());
    if (got !== want) throw new Error(`${peer}'s SQL model gave ${got}, rfm --exact ${want}`);
    return r;
  });
}

writeFileSync(out, JSON.stringify({ scale, orders, customers, threads: THREADS, runs, rows }, null, 2) + '\n');
const gib = (b: number | null): string => (b === null ? '-' : `${(b / 2 ** 30).toFixed(2)} GiB`);
let work = '';
let rfmSeconds = 0;
for (const r of rows) {
  if (r.work !== work) {
    work = r.work;
    say(`\n${work}`);
  }
  if (r.who.startsWith('rfm')) rfmSeconds = r.seconds;
  const ratio = r.who.startsWith('rfm') ? '' : `  ${(r.seconds / rfmSeconds).toFixed(2)}x`;
  say(`  ${r.who.padEnd(24)} ${r.seconds.toFixed(2).padStart(7)} s  ${gib(r.maxRssBytes).padStart(9)}${ratio}`);
}
say(`\n(ratio: the peer's seconds over rfm's, above 1 rfm finished first; ${THREADS} threads each; best of ${runs})`);
say(`wrote ${out}`);
