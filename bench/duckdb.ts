/**
 * The peer a user would otherwise pick: DuckDB computing the same per-customer aggregates
 * (first and last time, count, sum, max) over the same orders, with as many threads as the
 * engine has workers. The orders are loaded into a DuckDB table first (its Arrow extension
 * cannot be downloaded here) and only the GROUP BY is timed, which is generous to DuckDB.
 */
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER } from '@duckdb/node-api';
import { RecordBatchReader } from 'apache-arrow';
import type { RecordBatch } from 'apache-arrow';
import { open } from 'node:fs/promises';

export interface DuckdbRun {
  threads: number;
  loadMs: number;
  groupByMs: number;
  groups: number;
}

export async function duckdbGroupBy(file: string, threads: number): Promise<DuckdbRun> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await instance.connect();
  await conn.run('CREATE TABLE orders (customer_id INTEGER, ts DOUBLE, amount DOUBLE)');
  const loadStarted = performance.now();
  const appender = await conn.createAppender('orders');
  const handle = await open(file, 'r');
  const reader = (await RecordBatchReader.from(handle as never)) as unknown as AsyncIterable<RecordBatch>;
  const CHUNK = 2048;
  for await (const batch of reader) {
    const ids = batch.getChild('customer_id')!.data[0].values as BigInt64Array;
    const words = new Int32Array(ids.buffer, ids.byteOffset, 2 * batch.numRows);
    const tsv = batch.getChild('ts')!.data[0].values as BigInt64Array;
    const tsWords = new Int32Array(tsv.buffer, tsv.byteOffset, 2 * batch.numRows);
    const amounts = batch.getChild('amount')!.data[0].values as Float64Array;
    for (let at = 0; at < batch.numRows; at += CHUNK) {
      const n = Math.min(CHUNK, batch.numRows - at);
      const chunk = DuckDBDataChunk.create([INTEGER, DOUBLE, DOUBLE], n);
      const c: number[] = new Array(n);
      const t: number[] = new Array(n);
      const a: number[] = new Array(n);
      for (let i = 0; i < n; i++) {
        c[i] = words[2 * (at + i)];
        t[i] = tsWords[2 * (at + i) + 1] * 4294967296 + (tsWords[2 * (at + i)] >>> 0);
        a[i] = amounts[at + i];
      }
      chunk.setColumnValues(0, c);
      chunk.setColumnValues(1, t);
      chunk.setColumnValues(2, a);
      appender.appendDataChunk(chunk);
    }
  }
  appender.closeSync();
  await handle.close();
  const loadMs = performance.now() - loadStarted;
  const started = performance.now();
  await conn.run(
    `CREATE TABLE per_customer AS
    SELECT customer_id, min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS orders, sum(amount) AS spend,` +
      ` max(amount) AS max_order
    FROM orders GROUP BY customer_id`,
  );
  const groupByMs = performance.now() - started;
  const groups = Number((await (await conn.run('SELECT count(*) FROM per_customer')).getRows())[0][0]);
  conn.closeSync();
  instance.closeSync();
  return { threads, loadMs, groupByMs, groups };
}
