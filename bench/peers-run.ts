/**
 * npm run bench:peers [-- --scale small|full] [--runs N] [--json FILE]: rfm against ClickHouse
 * (chdb), DuckDB and Polars on the same files, each a process timed from spawn to exit, two
 * threads each; bench/peers-results.json and a table. Ratios are the peer's seconds over
 * rfm's: above 1, rfm finished first.
 *   full: 10^8 orders of 10^7 customers; small: 10^7 of 10^6. The best of --runs (2) each.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { PEER_THREADS, peerLines, peerRows } from './peer-rows.js';

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

const rows = await peerRows(orders, customers, runs, say);
writeFileSync(out, JSON.stringify({ scale, orders, customers, threads: PEER_THREADS, runs, rows }, null, 2) + '\n');
for (const line of peerLines(rows)) say(line);
say(
  `\n(ratio: the peer's seconds over rfm's, above 1 rfm finished first; ${PEER_THREADS} threads each; best of ${runs})`,
);
say(`wrote ${out}`);
