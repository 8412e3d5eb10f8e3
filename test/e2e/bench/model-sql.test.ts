/**
 * bench/model-sql.ts, the default model as one SQL query (the bench times it in ClickHouse and
 * DuckDB), run by DuckDB on CDNOW: every customer's scores, retention and segment equal the
 * engine's exact ones, and so do the segments' revenue and the audiences' sizes. A bench that
 * timed a query giving other answers would compare nothing.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, test } from 'vitest';
import { customersQuery, segmentsQuery } from '../../../bench/model-sql.js';
import { runCli, tempDir } from '../../support/cli.js';
import { loadOrders } from '../../support/duckdb-orders.js';

const RETENTION = ['Active', 'Drifting', 'Churn-risk', 'Lost'];

function csvRows(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
}

test("the default model in SQL (DuckDB) gives every CDNOW customer the engine's exact segment", async () => {
  const dir = tempDir();
  const cdnow = inject('cdnowArrow');
  const json = join(dir, 'report.json');
  const customersCsv = join(dir, 'customers.csv');
  const r = await runCli(['replay', cdnow, '--exact', '-q', '--json', json, '--customers', customersCsv]);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(readFileSync(json, 'utf8'));
  const engine = new Map(csvRows(customersCsv).map((c) => [c.customer_id, c]));

  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  expect(await loadOrders(conn, cdnow)).toBe(69_659);
  const source = 'SELECT customer_id, t, amount, kind FROM orders';
  const rows = (await conn.runAndReadAll(customersQuery('duckdb', source))).getRowObjectsJS();
  expect(rows.length).toBe(engine.size);
  expect(rows.length).toBe(23_570);
  const differ: string[] = [];
  for (const row of rows) {
    const e = engine.get(String(row.customer_id))!;
    const sql = [row.r, row.f, row.m, row.aov, RETENTION[Number(row.retention)], row.segment].join(',');
    const ours = [e.r, e.f, e.m, e.aov_score, e.retention, e.segment].join(',');
    if (sql !== ours) differ.push(`${row.customer_id}: SQL ${sql}, engine ${ours}`);
  }
  expect(differ.slice(0, 5), `${differ.length} customers differ`).toEqual([]);

  const segments = (await conn.runAndReadAll(segmentsQuery('duckdb', source))).getRowObjectsJS();
  for (const s of segments) {
    expect(Number(s.customers), String(s.segment)).toBe(report.segments[String(s.segment)].customers);
    expect(Number(s.revenue)).toBeCloseTo(report.segments[String(s.segment)].revenue, 2);
  }
  const sum = (k: string): number => segments.reduce((a, s) => a + Number(s[k]), 0);
  const audiences = report.audiences as Record<string, { customers: number }>;
  expect(sum('vip')).toBe(audiences['VIP Customers'].customers);
  expect(sum('repeat_purchasers')).toBe(audiences['Repeat Purchasers'].customers);
  expect(sum('churn_risks')).toBe(audiences['Churn Risks'].customers);
  expect(sum('winback')).toBe(audiences['Winback Opportunities'].customers);
  // none of the checks holds vacuously
  for (const k of ['vip', 'repeat_purchasers', 'churn_risks', 'winback']) expect(sum(k), k).toBeGreaterThan(100);
  conn.closeSync();
  db.closeSync();
});
