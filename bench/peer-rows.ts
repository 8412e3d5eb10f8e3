/**
 * The rows of the peer comparison (peers.ts), for `npm run bench:peers` and `npm run bench`:
 * rfm's report against ClickHouse's (chdb), DuckDB's and Polars' GROUP BY on the same Arrow
 * and CSV files, the 1,000-row startup, and the default model as one SQL query, each a process
 * timed from spawn to exit, two threads each, the best of `runs`.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { csvFile } from './csv.js';
import { ordersFile } from './data.js';
import { bestOf, ensurePeers, peerRun, rfmExact, rfmReport } from './peers.js';
import type { ProcessRun } from './peers.js';
import type { Peer, PeerFormat } from './peer-child.js';

export interface PeerRow {
  work: string;
  who: string;
  seconds: number;
  maxRssBytes: number | null;
}

/** Threads each side has: rfm's workers, the peers' threads. */
export const PEER_THREADS = 2;

export async function peerRows(
  orders: number,
  customers: number,
  runs: number,
  say: (s: string) => void,
): Promise<PeerRow[]> {
  const THREADS = PEER_THREADS;
  ensurePeers(say);
  const arrow = await ordersFile(orders, customers);
  const csv = await csvFile(arrow);
  const small = join(packageRoot(), 'build', 'bench-data', 'orders-1000.csv');
  if (!existsSync(small)) {
    // the header and the first 1,000 rows, from the file's first MiB
    const head = Buffer.alloc(1 << 20);
    const fd = openSync(csv, 'r');
    const n = readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    writeFileSync(small, head.subarray(0, n).toString('utf8').split('\n').slice(0, 1001).join('\n') + '\n');
  }

  const rows: PeerRow[] = [];
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
  return rows;
}

/** The rows as lines of a table: each work, rfm first, each peer with its seconds over rfm's. */
export function peerLines(rows: PeerRow[]): string[] {
  const lines: string[] = [];
  const gib = (b: number | null): string => (b === null ? '-' : `${(b / 2 ** 30).toFixed(2)} GiB`);
  let work = '';
  let rfmSeconds = 0;
  for (const r of rows) {
    if (r.work !== work) {
      work = r.work;
      lines.push('', work);
    }
    if (r.who.startsWith('rfm')) rfmSeconds = r.seconds;
    const ratio = r.who.startsWith('rfm') ? '' : `  ${(r.seconds / rfmSeconds).toFixed(2)}x`;
    lines.push(
      `  ${r.who.padEnd(24)} ${r.seconds.toFixed(2).padStart(7)} s  ${gib(r.maxRssBytes).padStart(9)}${ratio}`,
    );
  }
  return lines;
}
