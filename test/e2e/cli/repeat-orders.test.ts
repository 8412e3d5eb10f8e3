/**
 * Plain inputs with an order id column: an order in two overlapping files (a month's and a
 * quarter's), in any format, counts once, as a cart's exports do. CDNOW's transactions, each
 * given its line number as its order id, cut into two files that share 15,000 of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, test } from 'vitest';
import { cdnowTableSql } from '../../support/data.js';
import { runCli, tempDir } from '../../support/cli.js';

const dir = tempDir();
const file = (name: string): string => join(dir, name);
/** Rows of CDNOW_master.txt, and the rows the two cuts share. */
const ROWS = 69_659;
const SHARED = 15_001;

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(cdnowTableSql('o', true));
  const iso = `order_id, customer_id, strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS ts, amount`;
  await c.run(
    `COPY (SELECT customer_id, strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS ts,` +
      ` amount FROM o ORDER BY order_id) TO '${file('all.csv')}' (HEADER)`,
  );
  await c.run(`COPY (SELECT ${iso} FROM o WHERE order_id <= 45000 ORDER BY order_id) TO '${file('a.csv')}' (HEADER)`);
  await c.run(`COPY (SELECT ${iso} FROM o WHERE order_id >= 30000 ORDER BY order_id) TO '${file('b.csv')}' (HEADER)`);
  // a warehouse's export: integer order ids in Parquet
  await c.run(`COPY (SELECT * FROM o WHERE order_id >= 30000) TO '${file('b.parquet')}' (FORMAT parquet)`);
  // the semicolon file of a German shop, its order ids quoted text
  await c.run(
    `COPY (SELECT 'A-' || order_id AS "Bestellnummer", customer_id, strftime(ts, '%d.%m.%Y') AS ts,` +
      ` replace(amount::VARCHAR, '.', ',') AS amount
    FROM o WHERE order_id <= 45000 UNION ALL SELECT 'A-' || order_id, customer_id, strftime(ts, '%d.%m.%Y'),` +
      ` replace(amount::VARCHAR, '.', ',') FROM o WHERE order_id >= 30000)
    TO '${file('de.csv')}' (HEADER, DELIMITER ';', FORCE_QUOTE ("Bestellnummer"))`,
  );
  c.closeSync();
  db.closeSync();
}, 60_000);

async function replay(args: string[]): Promise<{ report: Record<string, unknown>; stderr: string; customers: string }> {
  const name = Math.random().toString(36).slice(2);
  const r = await runCli([
    'replay',
    ...args,
    '--exact',
    '--json',
    file(`${name}.json`),
    '--customers',
    file(`${name}.csv`),
  ]);
  expect(r.code, r.stderr).toBe(0);
  return {
    report: JSON.parse(readFileSync(file(`${name}.json`), 'utf8')),
    stderr: r.stderr,
    customers: readFileSync(file(`${name}.csv`), 'utf8'),
  };
}

/** The report without what says how it was read (rows read and repeats dropped differ by design). */
function figures(report: Record<string, unknown>): Record<string, unknown> {
  const { counted: _, ...rest } = report;
  return rest;
}

describe('a repeated order id counts once', () => {
  let single: Awaited<ReturnType<typeof replay>>;
  beforeAll(async () => {
    single = await replay([file('all.csv')]);
  }, 60_000);

  test("two overlapping CSV exports give the single file's report and customers, to the cent", async () => {
    const two = await replay([file('a.csv'), file('b.csv')]);
    expect(figures(two.report)).toEqual(figures(single.report));
    expect(two.customers).toBe(single.customers);
    expect(two.report).toMatchObject({
      orders: ROWS,
      counted: { rowsRead: ROWS + SHARED, orders: ROWS, duplicates: SHARED },
    });
    expect(two.stderr).toContain(
      `rfm: ${SHARED.toLocaleString('en-US')} rows repeat an order id (column "order_id") an earlier row had: ` +
        `counted once\n`,
    );
    // in the other order, and one file twice: nothing changes
    const again = await replay([file('b.csv'), file('a.csv'), file('b.csv')]);
    expect(figures(again.report)).toEqual(figures(single.report));
  });

  test('across formats: a CSV beside a Parquet file with integer order ids', async () => {
    const mixed = await replay([file('a.csv'), file('b.parquet')]);
    expect(figures(mixed.report)).toEqual(figures(single.report));
    expect(mixed.report).toMatchObject({ counted: { duplicates: SHARED } });
  });

  test('a named column (quoted text ids, semicolons, dotted dates); none reads every row', async () => {
    const de = [
      '--delimiter',
      ';',
      '--decimal-comma',
      '--date-format',
      'dd.mm.yyyy',
      '--order-column',
      'Bestellnummer',
    ];
    const named = await replay([file('de.csv'), ...de]);
    expect(figures(named.report)).toEqual(figures(single.report));
    expect(named.report).toMatchObject({ counted: { duplicates: SHARED } });
    const every = await replay([file('a.csv'), file('b.csv'), '--order-column', 'none']);
    expect(every.report).toMatchObject({ orders: ROWS + SHARED, counted: { duplicates: 0 } });
    expect(every.stderr).not.toContain('repeat an order');
  });

  test('a named column the file lacks is an error naming the columns', async () => {
    const r = await runCli(['replay', file('all.csv'), '--order-column', 'order_no']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file('all.csv')}: no column "order_no" for --order-column (columns: customer_id, ts, amount)`,
    );
  });

  test('rows of one order with other amounts (line items) are said to be so', async () => {
    const r = await runCli(['replay', '-', '--format', 'csv', '--exact'], {
      input: 'order_id,customer_id,ts,amount\n7,c1,2025-01-05,10\n7,c1,2025-01-05,25\n8,c2,2025-01-06,30\n',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'rfm: 1 rows repeat an order id (column "order_id") an earlier row ' +
        'had: counted once; 1 of them with another amount than the row before: ' +
        "if the rows are an order's line items, not repeats, give " +
        '--order-column none',
    );
  });
});
