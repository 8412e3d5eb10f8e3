/**
 * npm run bench [-- --scale small|full] [--json FILE]: every question of bench/ in one run,
 * one table (ratios first, then absolute figures and the machine), and bench/results.json.
 *   full: replay 10^8 orders of 10^7 customers; small: 10^7 orders of 10^6 customers.
 * The kernel comparison always runs at 10^5 and 10^7 customers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { ordersFile } from './data.js';
import { cartFiles, cartImport } from './carts.js';
import { csvFile, csvReplay, readersAlone } from './csv.js';
import { peerLines, peerRows } from './peer-rows.js';
import { machine } from './environment.js';
import { kernelIngest } from './kernel-ingest.js';
import { machineLimit } from './machine-limit.js';
import { replay } from './replay.js';
import { liveLoad } from './live-load.js';
import { fitRun } from './predict-fit.js';
import { engineFitRun } from './predict-engine.js';
import { aliveRule } from './alive-rule.js';
import { repeatOrdersFile, repeatRuns } from './repeat-orders.js';
import { rowGroupFile, rowGroupRun } from './parquet-row-group.js';
import { hostileRun } from './hostile-bodies.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const scale = flag('--scale') ?? 'full';
if (scale !== 'small' && scale !== 'full') {
  process.stderr.write(`--scale must be small or full, got ${scale}\n`);
  process.exit(2);
}
const out = flag('--json') ?? join(packageRoot(), 'bench', 'results.json');
const orders = scale === 'full' ? 100_000_000 : 10_000_000;
const customers = scale === 'full' ? 10_000_000 : 1_000_000;
const say = (s: string): void => void process.stderr.write(s + '\n');

const env = machine();
say(
  `rfmstream bench, scale ${scale}: ${env.cores} cores (${env.cpu}), ${env.memoryGiB} GiB, Node ${env.node},` +
    ` DuckDB ${env.duckdb}, huge pages ${env.hugePages}`,
);

say('kernel ingest, 10^5 customers ...');
const k5 = await kernelIngest(100_000);
say('kernel ingest, 10^7 customers ...');
const k7 = await kernelIngest(10_000_000);

say('machine limit probe ...');
const limit1 = await machineLimit(1);
const limit2 = await machineLimit(2);
const indexed1 = await machineLimit(1, 'indexed');
const indexed2 = await machineLimit(2, 'indexed');
// one thread: two would need 4 GiB of tables
const table1 = await machineLimit(1, 'table');

const file = await ordersFile(orders, customers);
say('replay, 1 worker ...');
const r1 = replay(file, 1);
say('replay, 2 workers ...');
const r2 = replay(file, 2);
say('peers: rfm against ClickHouse, DuckDB and Polars, each a process reading the same file (peer-rows.ts) ...');
const peers = await peerRows(orders, customers, 1, say);
say('CSV: rfm replay of the same orders as CSV, the readers alone ...');
const csv = await csvFile(file);
const csvRun = csvReplay(csv, 2);
const readers = await readersAlone(csv);
say(
  'repeated orders: a replay of the orders with an order_id column (a tenth repeats), against --order-column none ...',
);
const repeats = repeatRuns(await repeatOrdersFile(orders, customers), orders);
say('Parquet: 2*10^7 orders in one row group, written by DuckDB ...');
const bigGroup = await rowGroupFile(20_000_000);
const rowGroup = rowGroupRun(bigGroup.path, bigGroup.largestChunkBytes, 20_000_000);
if (rowGroup.code !== 0) throw new Error(`rfm replay of one big row group failed: ${rowGroup.stderrTail}`);
say("hostile bodies: the e2e test's mutated Arrow, fuzz corpus and broken CSV, 200 at a time ...");
const hostile = await hostileRun(1);
say('carts: a Shopify-shaped export of 10^6 orders, imported against a plain CSV of its orders ...');
const cart = await cartImport(await cartFiles(1_000_000, 200_000));
say('live: 1,000 clients at 4 Hz while ingesting ...');
const live = await liveLoad(await ordersFile(10_000_000, 1_000_000), 1000);
say('predict: BG/NBD and MBG/NBD fitted on the triples of 10^5 and 10^7 customers drawn from the model ...');
const fit5 = fitRun(100_000);
const fit7 = fitRun(10_000_000);
say(
  "predict: 10^7 drawn customers through the engine, the fit from the kernels' histograms against from an export ...",
);
const engineFit = await engineFitRun(10_000_000);
say('p_alive rule: the default model against churn-by-p-alive, first and second snapshot ...');
const alive = await aliveRule(await ordersFile(10_000_000, 1_000_000));
const aliveOf = (name: string): { first: number; again: number } => {
  const runs = alive.filter((r) => r.model === name);
  return { first: Math.min(...runs.map((r) => r.firstSnapshotMs)), again: Math.min(...runs.map((r) => r.againMs)) };
};

const overMachineLimit = r2.ordersPerSecond / limit2;
const results = {
  scale,
  orders,
  customers,
  machine: {
    cores: env.cores,
    node: env.node,
    duckdb: env.duckdb,
    cpu: env.cpu,
    memoryGiB: env.memoryGiB,
    hugePages: env.hugePages,
  },
  kernel: {
    wasmOverJs: { customers1e5: k5.wasmOverJs, customers1e7: k7.wasmOverJs },
    rowsPerSecond: {
      wasm1e5: k5.wasmRowsPerSecond,
      js1e5: k5.jsRowsPerSecond,
      wasm1e7: k7.wasmRowsPerSecond,
      js1e7: k7.jsRowsPerSecond,
    },
    kernelOverMachineLimit: k7.wasmRowsPerSecond / limit1,
    kernelOverIndexedLimit: k7.wasmRowsPerSecond / indexed1,
  },
  replay: {
    ordersPerSecond: { workers1: r1.ordersPerSecond, workers2: r2.ordersPerSecond },
    twoWorkersOverOne: r2.ordersPerSecond / r1.ordersPerSecond,
    overMachineLimit,
    peakRssBytes: Math.max(r1.maxRssBytes, r2.maxRssBytes),
    seconds: {
      workers1: r1.ms / 1000,
      workers2: r2.ms / 1000,
    },
  },
  machineLimit: {
    updatesPerSecond: { threads1: limit1, threads2: limit2 },
    indexedUpdatesPerSecond: { threads1: indexed1, threads2: indexed2 },
    tableUpdatesPerSecond: { threads1: table1 },
  },
  live: {
    clients: live.clients,
    ordersPerSecond: { alone: live.ordersPerSecondAlone, withClients: live.ordersPerSecondWithClients },
    slowdown: live.slowdown,
    lagMs: live.lagMs,
    slowestClientMeanLagMs: live.slowestClientMeanLagMs,
  },
  csv: {
    bytes: readers.bytes,
    seconds: { replay: csvRun.ms / 1000 },
    peakRssBytes: csvRun.maxRssBytes,
    reader: {
      threads: 1,
      wasmMegabytesPerSecond: readers.bytes / 1e6 / (readers.wasm.ms / 1000),
      wasmRowsPerSecond: readers.wasm.rows / (readers.wasm.ms / 1000),
      plainRowsPerSecond: readers.plain.rows / (readers.plain.ms / 1000),
      wasmOverPlain: readers.wasm.rows / readers.wasm.ms / (readers.plain.rows / readers.plain.ms),
      twoThreadsMegabytesPerSecond: readers.bytes / 1e6 / (readers.wasm2.ms / 1000),
      twoThreadsRowsPerSecond: readers.wasm2.rows / (readers.wasm2.ms / 1000),
    },
  },
  carts: {
    orders: cart.orders,
    shopifyRows: cart.rows,
    shopifyOverPlain: cart.rows / cart.ms / (cart.plain.rows / cart.plain.ms),
    rowsPerSecond: { shopify: cart.rows / (cart.ms / 1000), plain: cart.plain.rows / (cart.plain.ms / 1000) },
    megabytesPerSecond: {
      shopify: cart.bytes / 1e6 / (cart.ms / 1000),
      plain: cart.plain.bytes / 1e6 / (cart.plain.ms / 1000),
    },
    seconds: { shopify: cart.ms / 1000, plain: cart.plain.ms / 1000 },
  },
  repeatOrders: repeats,
  parquetRowGroup: rowGroup,
  hostileBodies: hostile,
  predictFit: {
    customers1e5: fit5,
    customers1e7: fit7,
    timeRatio1e7Over1e5: fit7.fitMs / fit5.fitMs,
    engine1e7: engineFit,
  },
  aliveRule: alive,
  stateBytesPerCustomer: k7.stateBytesPerCustomer,
  memoryBytesPerCustomer: k7.memoryBytesPerCustomer,
  snapshotMs: r2.snapshotMs,
  snapshotMovingMs: r2.snapshotMovingMs,
  snapshotKeepMs: r2.snapshotKeepMs,
  snapshotFirstMs: r2.snapshotFirstMs,
  snapshotCustomers: r2.customers,
  peers,
};
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');

const x = (v: number): string => `${v.toFixed(2)}x`;
const m = (v: number): string => `${(v / 1e6).toFixed(2)} M/s`;
const rows: [string, string][] = [
  ['WASM / JS per batch, 10^5 customers', x(k5.wasmOverJs)],
  ['WASM / JS per batch, 10^7 customers', x(k7.wasmOverJs)],
  ['2 workers / 1 worker', x(r2.ordersPerSecond / r1.ordersPerSecond)],
  ['replay (2 workers) / machine limit (2 threads)', x(overMachineLimit)],
  ['kernel at 10^7 / machine limit (1 thread)', x(k7.wasmRowsPerSecond / limit1)],
  ['kernel at 10^7 / indexed limit (1 thread)', x(k7.wasmRowsPerSecond / indexed1)],
  ['kernel ingest WASM, 10^5 | 10^7 customers', `${m(k5.wasmRowsPerSecond)} | ${m(k7.wasmRowsPerSecond)}`],
  ['kernel ingest JS,   10^5 | 10^7 customers', `${m(k5.jsRowsPerSecond)} | ${m(k7.jsRowsPerSecond)}`],
  ['replay orders/s, 1 | 2 workers', `${m(r1.ordersPerSecond)} | ${m(r2.ordersPerSecond)}`],
  ['replay seconds, 1 | 2 workers', `${(r1.ms / 1000).toFixed(2)} s | ${(r2.ms / 1000).toFixed(2)} s`],
  ['CSV replay (the replay child, 2 workers)', `${results.csv.seconds.replay.toFixed(2)} s`],
  [
    'CSV reader alone, 1 thread: WASM | plain',
    `${results.csv.reader.wasmMegabytesPerSecond.toFixed(0)} MB/s,` +
      ` ${m(results.csv.reader.wasmRowsPerSecond)} | ${m(results.csv.reader.plainRowsPerSecond)} ` +
      `(${x(results.csv.reader.wasmOverPlain)})`,
  ],
  [
    'CSV reader alone, 2 threads',
    `${results.csv.reader.twoThreadsMegabytesPerSecond.toFixed(0)} MB/s,` +
      ` ${m(results.csv.reader.twoThreadsRowsPerSecond)}`,
  ],
  ['peak RSS of a CSV replay', `${(results.csv.peakRssBytes / 2 ** 30).toFixed(2)} GiB`],
  [
    `repeated order ids dropped / not read, 2 workers (${orders.toExponential(0)} orders, a tenth repeats)`,
    `${x(repeats.timeRatio)} wall,` +
      ` ${x(repeats.rssRatio)} peak RSS (${Math.min(...repeats.withIds.map((r) => r.seconds)).toFixed(1)} | ` +
      `${Math.min(...repeats.without.map((r) => r.seconds)).toFixed(1)} s;` +
      ` ${(Math.max(...repeats.withIds.map((r) => r.maxRssBytes)) / 2 ** 30).toFixed(2)} | ` +
      `${(Math.max(...repeats.without.map((r) => r.maxRssBytes)) / 2 ** 30).toFixed(2)} GiB)`,
  ],
  [
    'Parquet, 2*10^7 rows in one row group: peak RSS / largest column chunk',
    `${x(rowGroup.maxRssBytes / rowGroup.largestChunkBytes)} (${(rowGroup.maxRssBytes / 2 ** 20).toFixed(0)} MiB;` +
      ` file ${(rowGroup.fileBytes / 2 ** 20).toFixed(0)} MiB, ${rowGroup.seconds.toFixed(1)} s)`,
  ],
  [
    "  the reader's part: (peak RSS - the same orders' from Arrow) / largest chunk",
    `${x((rowGroup.maxRssBytes - rowGroup.arrowMaxRssBytes) / rowGroup.largestChunkBytes)} (Arrow: ` +
      `${(rowGroup.arrowMaxRssBytes / 2 ** 20).toFixed(0)} MiB, ${rowGroup.arrowSeconds.toFixed(1)} s)`,
  ],
  [
    'hostile bodies at /ingest (the e2e set, 200 at a time): RSS peak | after, over the start',
    `${(hostile.peakOverStartBytes / 2 ** 20).toFixed(0)} | ${(hostile.afterOverStartBytes / 2 ** 20).toFixed(0)} ` +
      `MiB (${hostile.rounds} x ${hostile.bodies} bodies, ${hostile.seconds.toFixed(1)} s;` +
      ` answers ${JSON.stringify(hostile.statuses)})`,
  ],
  [
    'Shopify export import / plain CSV import, rows/s (1 thread)',
    `${x(results.carts.shopifyOverPlain)} (${m(results.carts.rowsPerSecond.shopify)},` +
      ` ${results.carts.megabytesPerSecond.shopify.toFixed(0)} MB/s | ${m(results.carts.rowsPerSecond.plain)},` +
      ` ${results.carts.megabytesPerSecond.plain.toFixed(0)} MB/s)`,
  ],
  ['machine limit, 1 | 2 threads', `${m(limit1)} | ${m(limit2)}`],
  ['indexed limit (index entry, then slot), 1 | 2 threads', `${m(indexed1)} | ${m(indexed2)}`],
  ['records in a hash table (hash, probe, key check), 1 thread', m(table1)],
  [
    'kernel state | WASM memory reserved per customer (10^7; grown by doubling)',
    `${results.stateBytesPerCustomer.toFixed(1)} | ${results.memoryBytesPerCustomer.toFixed(1)} bytes`,
  ],
  ['peak RSS of a replay', `${(results.replay.peakRssBytes / 2 ** 30).toFixed(2)} GiB`],
  [
    `snapshot after a one-row change, ${r2.customers.toExponential(0)} customers`,
    `${r2.snapshotMs.toFixed(0)} ms | as-of an hour on: ${r2.snapshotMovingMs.toFixed(0)} ms` +
      ` (after the replay: ${r2.snapshotFirstMs.toFixed(0)} ms; the next, keeping classes: ${r2.snapshotKeepMs.toFixed(0)} ms)`,
  ],
  [
    'live: ingest slowed by 1,000 clients at 4 Hz',
    `${(100 * live.slowdown).toFixed(1)} % (${m(live.ordersPerSecondAlone)} alone,` +
      ` ${m(live.ordersPerSecondWithClients)} with them)`,
  ],
  [
    'predict: BG/NBD + MBG/NBD fit, 10^7 / 10^5 customers',
    `${x(fit7.fitMs / fit5.fitMs)} (${fit7.fitMs.toFixed(0)} ms on ${fit7.distinctTriples.toLocaleString('en-US')} ` +
      `triples | ${fit5.fitMs.toFixed(0)} ms on ${fit5.distinctTriples.toLocaleString('en-US')})`,
  ],
  [
    'predict through the engine, 10^7 customers: export path / kernel histograms',
    `${x(engineFit.exportOverHistograms)} (${(engineFit.exportPathMs / 1000).toFixed(1)} s | ` +
      `${((engineFit.histogramsFirstMs + engineFit.fitMs) / 1000).toFixed(1)} s;` +
      ` refit after 1,000 orders: histograms ${engineFit.histogramsAfterFewMs.toFixed(0)} ms)`,
  ],
  [
    'p_alive rule, 10^7 orders: first snapshot | again (default model)',
    `${aliveOf('churn-by-p-alive').first.toFixed(0)} | ${aliveOf('churn-by-p-alive').again.toFixed(0)} ms (` +
      `${aliveOf('default').first.toFixed(0)} | ${aliveOf('default').again.toFixed(0)} ms)`,
  ],
  [
    'live: client lag p50 | p99 | max; slowest client mean',
    `${live.lagMs.p50} | ${live.lagMs.p99} | ${live.lagMs.max} ms; ${live.slowestClientMeanLagMs.toFixed(0)} ms`,
  ],
];
const w = Math.max(...rows.map(([k]) => k.length));
process.stdout.write(
  `\nrfmstream bench, scale ${scale} (${orders.toLocaleString('en-US')} orders,` +
    ` ${customers.toLocaleString('en-US')} customers)\n`,
);
for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
process.stdout.write("\npeers, each a process reading the file (the peer's seconds over rfm's; above 1, rfm first):\n");
for (const line of peerLines(peers)) process.stdout.write(`${line}\n`);
process.stdout.write(
  `machine: ${env.cores} cores, ${env.cpu}, ${env.memoryGiB} GiB, Node ${env.node}, DuckDB ${env.duckdb},` +
    ` huge pages ${env.hugePages}\nwritten: ${out}\n`,
);
