/**
 * One peer's job in its own process, as a user would run it, timed from outside (peers.ts):
 *   node peer-child.js clickhouse|duckdb|polars groupby|model arrow|csv FILE THREADS
 * groupby: per customer the aggregates the engine keeps (count, sum, max, first and last
 * time, distinct days), each peer reading the file itself; prints {groups, orders}.
 * model: the default model as one SQL query (model-sql.ts); prints {segments: {name: customers}}.
 * ClickHouse (chdb) and Polars come from bench/peers (installed apart: see its package.json).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { fileSource, segmentsQuery } from './model-sql.js';
import type { Dialect } from './model-sql.js';

export type Peer = 'clickhouse' | 'duckdb' | 'polars';
export type PeerJob = 'groupby' | 'model';
export type PeerFormat = 'arrow' | 'csv';
export type PeerAnswer = { groups: number; orders: number } | { segments: Record<string, number> };

/** The parts of chdb's and nodejs-polars' APIs used here (their packages are not the project's). */
interface Chdb {
  query(sql: string, format?: string): string;
}
interface PolarsExpr {
  count(): PolarsExpr;
  sum(): PolarsExpr;
  max(): PolarsExpr;
  min(): PolarsExpr;
  nUnique(): PolarsExpr;
  cast(type: unknown): PolarsExpr;
  alias(name: string): PolarsExpr;
  str: { strptime(type: unknown, format: string): PolarsExpr };
}
interface PolarsFrame {
  height: number;
  getColumn(name: string): { sum(): number };
}
interface PolarsLazy {
  withColumns(...e: PolarsExpr[]): PolarsLazy;
  groupBy(column: string): { agg(...e: PolarsExpr[]): { collect(): Promise<PolarsFrame> } };
}
interface Polars {
  col(name: string): PolarsExpr;
  Date: unknown;
  Datetime(unit: 'ms'): unknown;
  scanIPC(path: string): PolarsLazy;
  scanCSV(path: string): PolarsLazy;
}

const peersRequire = createRequire(join(packageRoot(), 'bench', 'peers', 'package.json'));

function chdb(): Chdb {
  return peersRequire('chdb') as Chdb;
}

const GROUP_BY_COLUMNS = 'count(*) AS n, sum(amount) AS spend, max(amount) AS top, min(t) AS first_t, max(t) AS last_t';

function chGroupBy(format: PeerFormat, file: string, threads: number): { groups: number; orders: number } {
  const sql =
    `SELECT count() AS groups, sum(n) AS orders FROM (SELECT customer_id, ${GROUP_BY_COLUMNS},` +
    ` uniqExact(intDiv(t, 86400000)) AS days FROM (${fileSource('clickhouse', format, file)}) GROUP BY customer_id)` +
    ` SETTINGS max_threads = ${threads}, date_time_input_format = 'best_effort'`;
  const [groups, orders] = chdb().query(sql, 'TSV').trim().split('\t').map(Number);
  return { groups, orders };
}

async function duckdbRun<T>(
  threads: number,
  run: (q: (sql: string) => Promise<unknown[][]>) => Promise<T>,
): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await instance.connect();
  try {
    return await run(async (sql) => (await conn.runAndReadAll(sql)).getRowsJS() as unknown[][]);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

function duckGroupBy(format: PeerFormat, file: string, threads: number): Promise<{ groups: number; orders: number }> {
  return duckdbRun(threads, async (q) => {
    const rows = await q(
      `SELECT count(*), sum(n) FROM (SELECT customer_id, ${GROUP_BY_COLUMNS}, count(DISTINCT t // 86400000)` +
        ` AS days FROM (${fileSource('duckdb', format, file)}) GROUP BY customer_id)`,
    );
    return { groups: Number(rows[0][0]), orders: Number(rows[0][1]) };
  });
}

async function polarsGroupBy(
  format: PeerFormat,
  file: string,
  threads: number,
): Promise<{ groups: number; orders: number }> {
  process.env.POLARS_MAX_THREADS = String(threads);
  const pl = peersRequire('nodejs-polars') as Polars;
  // a CSV's ts is ISO text in UTC, parsed as the others parse it
  const frame =
    format === 'arrow'
      ? pl.scanIPC(file)
      : pl.scanCSV(file).withColumns(pl.col('ts').str.strptime(pl.Datetime('ms'), '%Y-%m-%dT%H:%M:%S%.fZ').alias('ts'));
  const out = await frame
    .groupBy('customer_id')
    .agg(
      pl.col('amount').count().alias('n'),
      pl.col('amount').sum().alias('spend'),
      pl.col('amount').max().alias('top'),
      pl.col('ts').min().alias('first_t'),
      pl.col('ts').max().alias('last_t'),
      pl.col('ts').cast(pl.Date).nUnique().alias('days'),
    )
    .collect();
  return { groups: out.height, orders: out.getColumn('n').sum() };
}

async function model(peer: Peer, format: PeerFormat, file: string, threads: number): Promise<PeerAnswer> {
  if (peer === 'polars') throw new Error('the SQL model runs in ClickHouse and DuckDB, not Polars');
  const dialect: Dialect = peer;
  const sql = segmentsQuery(dialect, fileSource(dialect, format, file));
  let rows: unknown[][];
  if (peer === 'clickhouse') {
    const text = chdb().query(
      `${sql} SETTINGS max_threads = ${threads}, date_time_input_format = 'best_effort'`,
      'TSV',
    );
    rows = text
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
  } else rows = await duckdbRun(threads, (q) => q(sql));
  return { segments: Object.fromEntries(rows.map((r) => [String(r[0]), Number(r[1])])) };
}

async function peerJob(
  peer: Peer,
  job: PeerJob,
  format: PeerFormat,
  file: string,
  threads: number,
): Promise<PeerAnswer> {
  if (job === 'model') return model(peer, format, file, threads);
  if (peer === 'clickhouse') return chGroupBy(format, file, threads);
  if (peer === 'duckdb') return duckGroupBy(format, file, threads);
  return polarsGroupBy(format, file, threads);
}

const [peer, job, format, file, threads] = process.argv.slice(2);
const answer = await peerJob(peer as Peer, job as PeerJob, format as PeerFormat, file, Number(threads));
process.stdout.write(JSON.stringify(answer) + '\n');
