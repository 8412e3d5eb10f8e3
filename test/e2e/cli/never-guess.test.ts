/**
 * Readers that never guess: one money grammar on every reader (a table of money strings
 * through the plain CSV reader and each cart's), the amount bound where the value is read,
 * a duplicated header refused, latin-1 exports read with --encoding as the advice says,
 * and placeholder dates of year 1 refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli, tempDir } from '../../support/cli.js';
import { MONEY_TABLE } from '../../support/money-table.js';

const dir = tempDir();
const TOO_LARGE = 'amount beyond 1000000000000 (--max-amount)';

/** A quoted CSV field. */
const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** How each reader's file is written: its header, and one order's row (customer email, money text). */
const READERS: Record<string, { header: string; row: (email: string, money: string, i: number) => string }> = {
  csv: { header: 'customer_id,ts,amount', row: (e, m) => `${e},2024-03-01T10:00:00Z,${q(m)}` },
  shopify: {
    header: 'Name,Email,Financial Status,Total,Created at,Lineitem name',
    row: (e, m, i) => `#${1000 + i},${e},paid,${q(m)},2024-03-01 10:00:00 +0000,Thing`,
  },
  woocommerce: {
    header: 'Order Number,Order Status,Order Date,Email (Billing),Order Total Amount',
    row: (e, m, i) => `${1000 + i},wc-completed,2024-03-01 10:00,${e},${q(m)}`,
  },
  magento: {
    header: 'ID,Purchase Date,Grand Total (Base),Grand Total (Purchased),Status,Customer Email',
    row: (e, m, i) => `${1000 + i},"Mar 1, 2024 10:00:00 AM",${q(m)},${q(m)},complete,${e}`,
  },
  bigcommerce: {
    header: 'Order ID,Order Status,Order Date,Customer Email,Order Total (inc tax)',
    row: (e, m, i) => `${1000 + i},Completed,2024-03-01 10:00:00,${e},${q(m)}`,
  },
};

describe('one money grammar on every reader', () => {
  // the table's amounts an order can have (refunds are the unit table's), and one past the bound
  const rows = [
    ...MONEY_TABLE.filter(([, , want]) => !(want < 0)),
    ['99999999999999999999', false, Infinity] as [string, boolean, number],
  ];

  test.each(Object.keys(READERS))(
    '%s: every string read as the grammar says or rejected with its reason',
    async (reader) => {
      for (const comma of [false, true]) {
        const mine = rows.filter(([, c]) => c === comma);
        const r = READERS[reader];
        const file = join(dir, `${reader}-${comma ? 'comma' : 'dot'}.csv`);
        writeFileSync(file, [r.header, ...mine.map(([text], i) => r.row(`c${i}@x.test`, text, i))].join('\n') + '\n');
        const json = join(dir, `${reader}-${comma}.json`);
        const customers = join(dir, `${reader}-${comma}-customers.csv`);
        const run = await runCli([
          'replay',
          file,
          '--exact',
          '--json',
          json,
          '--customers',
          customers,
          ...(comma ? ['--decimal-comma'] : []),
        ]);
        expect(run.code, run.stderr).toBe(0);
        const spend = new Map<string, number>();
        for (const line of readFileSync(customers, 'utf8').trim().split('\n').slice(1)) {
          const [id, , , s] = line.split(',');
          spend.set(id, Number(s));
        }
        const got = mine.map(([text], i) => [text, spend.get(`c${i}@x.test`) ?? 'rejected']);
        const want = mine.map(([text, , v]) => [text, v === v && Number.isFinite(v) ? v : 'rejected']);
        expect(got).toEqual(want);
        const { counted } = JSON.parse(readFileSync(json, 'utf8'));
        const refused = mine.filter(([, , v]) => v !== v).length;
        const unreadable = reader === 'csv' ? 'null or NaN amount' : 'unreadable total';
        expect(
          Object.fromEntries(
            Object.entries(counted.rejectedBy as Record<string, { count: number }>).map(([k, v]) => [k, v.count]),
          ),
        ).toEqual({ ...(refused > 0 ? { [unreadable]: refused } : {}), ...(comma ? {} : { [TOO_LARGE]: 1 }) });
      }
    },
  );

  test('rfm import <cart> refuses a total past the bound where it reads it: the summary never sums it', async () => {
    const file = join(dir, 'huge.csv');
    const r = READERS.shopify;
    writeFileSync(
      file,
      [r.header, r.row('a@x.test', '20.00', 0), r.row('b@x.test', '99999999999999999999', 1)].join('\n') + '\n',
    );
    const imp = await runCli(['import', 'shopify', file, '-o', join(dir, 'huge.arrow')]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stderr).toContain('revenue 20.00');
    expect(imp.stderr).toContain(`rejected 1 order: 1 ${TOO_LARGE}`);
  });
});

describe('headers and text the readers do not guess at', () => {
  test('a cart export naming a column twice is refused, naming it', async () => {
    const file = join(dir, 'two-totals.csv');
    writeFileSync(
      file,
      'Name,Email,Financial Status,Total,Created at,Lineitem ' +
        'name,Total\n#1,a@x.test,paid,20.00,2024-03-01 10:00:00 ' +
        '+0000,Thing,2262.50\n',
    );
    for (const args of [
      ['import', 'shopify', file, '-o', join(dir, 'two.arrow')],
      ['replay', file],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${file}: the header names "Total" twice (columns 4 and 7)`);
    }
  });

  test.each(Object.keys(READERS).filter((r) => r !== 'csv'))(
    'a latin-1 %s export: the advice works as written, on import and replay',
    async (reader) => {
      const r = READERS[reader];
      const file = join(dir, `${reader}-latin1.csv`);
      writeFileSync(
        file,
        Buffer.from(
          [r.header, r.row('josé@x.test', '12.50', 0), r.row('zoë@x.test', '7.25', 1)].join('\n') + '\n',
          'latin1',
        ),
      );
      const plain = await runCli(['import', reader, file, '-o', join(dir, 'l.arrow')]);
      expect(plain.code).toBe(2);
      expect(plain.stderr).toContain(
        'is not UTF-8 (byte 0xe9); if the file is latin-1, read it with --encoding latin1',
      );
      const imp = await runCli(['import', reader, file, '-o', join(dir, 'l.arrow'), '--encoding', 'latin1']);
      expect(imp.code, imp.stderr).toBe(0);
      expect(imp.stderr).toContain('2 orders imported (2 customers');
      const customers = join(dir, `${reader}-latin1-customers.csv`);
      const replay = await runCli(['replay', file, '--encoding', 'latin1', '--customers', customers]);
      expect(replay.code, replay.stderr).toBe(0);
      expect(replay.stdout).toContain(`${file}: `);
      expect(replay.stdout).not.toContain(`${file}: CSV`);
      expect(readFileSync(customers, 'utf8')).toContain('josé@x.test,1,1,12.5,');
    },
  );

  test("an order dated in year 1 is refused by --min-year, and the as-of stays the data's", async () => {
    const file = join(dir, 'year-one.csv');
    writeFileSync(
      file,
      'customer_id,ts,amount\na,2024-03-01T10:00:00Z,10\nb,0001-01-01T00:00:00Z,20\nc,2024-05-01T10:00:00Z,30\n',
    );
    const json = join(dir, 'year-one.json');
    const r = await runCli(['replay', file, '--json', json]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 time before --min-year');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report).toMatchObject({ customers: 2, rejected: 1 });
    const kept = await runCli(['replay', file, '--min-year', '1', '--json', json]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ customers: 3, rejected: 0 });
    const cart = join(dir, 'year-one-shopify.csv');
    const s = READERS.shopify;
    writeFileSync(
      cart,
      [s.header, s.row('a@x.test', '10.00', 0), `#1001,b@x.test,paid,20.00,0001-01-01 00:00:00 +0000,Thing`].join(
        '\n',
      ) + '\n',
    );
    const imp = await runCli(['import', 'shopify', cart, '-o', join(dir, 'y.arrow')]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stderr).toContain('1 time before --min-year');
  });
});
