/**
 * What a merchant reads says what was counted and what was left out: events dated in the
 * future refused by default, rejected rows by reason with the first of each, and an input
 * whose rows are all rejected named with the likely fix.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli, tempDir } from '../../support/cli.js';
import { CART_FIXTURES, cdnowSample } from '../../support/data.js';

const FIXTURES = CART_FIXTURES;
const dir = tempDir();

describe('events dated in the future', () => {
  test(
    'one Shopify order dated 2099 is refused by default, named, and the ' +
      'segments stay those of the export without it',
    async () => {
      const text = readFileSync(join(FIXTURES, 'shopify-orders.csv'), 'utf8');
      const lines = text.split('\n');
      // order #1001 again as #1099, a customer of its own, dated 2099
      const row = lines
        .find((l) => l.startsWith('#1001,alice'))!
        .replace('#1001,alice@', '#1099,zed@')
        .replace('2023-10-15 16:20:03 -0400', '2099-01-01 12:00:00 -0500');
      const future = join(dir, 'future.csv');
      writeFileSync(future, [lines[0], row, ...lines.slice(1)].join('\n'));
      const base = await runCli(['replay', join(FIXTURES, 'shopify-orders.csv'), '--exact', '--json', '-', '-q']);
      expect(base.code, base.stderr).toBe(0);
      const r = await runCli(['replay', future, '--exact', '--json', '-', '-q']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`1 time too far ahead of the clock (--max-future) (the first on line 2 of ${future})`);
      const a = JSON.parse(base.stdout);
      const b = JSON.parse(r.stdout);
      expect(b.asOf).toBe(a.asOf);
      expect(b.segments).toEqual(a.segments);
      expect(b.rejected).toBe(a.rejected + 1);
      expect(b.counted.rejectedBy['time too far ahead of the clock (--max-future)']).toEqual({
        count: 1,
        first: `line 2 of ${future}`,
      });

      const imp = await runCli(['import', 'shopify', future, '-o', join(dir, 'future.arrow')]);
      expect(imp.code, imp.stderr).toBe(0);
      expect(imp.stderr).toContain('1 time too far ahead of the clock (--max-future) (the first on line 2');

      const off = JSON.parse(
        (await runCli(['replay', future, '--exact', '--json', '-', '-q', '--max-future', 'off'])).stdout,
      );
      // the same instant, shown in the zone the export's offsets tell
      expect(off.asOf).toBe('2099-01-01T12:00:00.000-05:00');
      expect(off.rejected).toBe(a.rejected);
      expect(off.customers).toBe(a.customers + 1);
    },
  );
});

describe('rejected rows say why', () => {
  test('a summary gives each reason with its first row; the JSON the same', async () => {
    const csv = join(dir, 'mixed.csv');
    writeFileSync(
      csv,
      'customer_id,ts,amount\na,2024-01-02,10\n,2024-01-03,5\nb,yesterday,7\nc,2024-01-04,abc\nd,2024-01-05,8\n',
    );
    const r = await runCli(['replay', csv, '--exact', '--json', join(dir, 'mixed.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('3 rows rejected (--rejects FILE lists them):');
    expect(r.stderr).toContain(`1 null customer (the first: line 3 of ${csv}: "2024-01-03", "5")`);
    expect(r.stderr).toContain(`1 null or unreadable time (the first: line 4 of ${csv}: "b", "yesterday", "7")`);
    expect(r.stderr).toContain(`1 null or NaN amount (the first: line 5 of ${csv}: "c", "2024-01-04", "abc")`);
    const report = JSON.parse(readFileSync(join(dir, 'mixed.json'), 'utf8'));
    expect(report.counted).toMatchObject({ rowsRead: 5, orders: 2, rejected: 3 });
    expect(Object.values(report.counted.rejectedBy).map((x) => (x as { count: number }).count)).toEqual([1, 1, 1]);
  });

  test(
    'a German semicolon file with dotted dates, read without ' + '--date-format: the commonest reason and the fix',
    async () => {
      const csv = join(dir, 'bestellungen.csv');
      const rows = ['Kunde;Datum;Betrag'];
      for (let i = 0; i < 150; i++) rows.push(`k${i % 40};${1 + (i % 28)}.${1 + (i % 12)}.2024;${10 + i},50`);
      writeFileSync(csv, rows.join('\n') + '\n');
      const opts = [
        '--delimiter',
        ';',
        '--customer-column',
        'Kunde',
        '--ts-column',
        'Datum',
        '--amount-column',
        'Betrag',
        '--decimal-comma',
      ];
      const r = await runCli(['replay', csv, ...opts]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'every one of the 150 rows was rejected; the commonest reason: 150 null or unreadable time',
      );
      expect(r.stderr).toContain('dates like 31.12.2024: try --date-format dd.mm.yyyy');
      // the real CDNOW sample read by the plain reader (runs of spaces), dates yyyymmdd: it keeps no
      // text of a time it could not read, so the advice names the options, not an empty column
      const sample = await runCli([
        'replay',
        cdnowSample(),
        '--no-header',
        '--delimiter',
        ' ',
        '--customer-column',
        '1',
        '--ts-column',
        '3',
        '--amount-column',
        '5',
      ]);
      expect(sample.code).toBe(2);
      expect(sample.stderr).toContain('6,919 null or unreadable time');
      expect(sample.stderr).toContain(
        'no time was read: check --ts-column and --date-format (iso, epoch-ms, epoch-s, yyyymmdd',
      );
      expect(sample.stderr).not.toContain('is empty');
      const fixed = await runCli(['replay', csv, ...opts, '--date-format', 'dd.mm.yyyy', '--json', '-', '-q']);
      expect(fixed.code, fixed.stderr).toBe(0);
      expect(JSON.parse(fixed.stdout)).toMatchObject({ orders: 150, rejected: 0 });
    },
  );
});

describe('files as they come', () => {
  test('a gzipped export is read as it is, to the same report as the plain file', async () => {
    const { gzipSync } = await import('node:zlib');
    const plain = join(FIXTURES, 'shopify-orders.csv');
    const gz = join(dir, 'orders_export.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    const a = await runCli(['replay', plain, '--exact', '--json', '-', '-q']);
    const b = await runCli(['replay', gz, '--exact', '--json', '-', '-q']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout.replaceAll(JSON.stringify(plain).slice(1, -1), JSON.stringify(gz).slice(1, -1)));
    // a plain CSV gzipped, read by the scanner on one thread
    const csv = join(dir, 'plain.csv');
    writeFileSync(csv, 'customer_id,ts,amount\n1,2024-01-02,10\n2,2024-01-03,5.5\n1,2024-02-01,7\n');
    writeFileSync(`${csv}.gz`, gzipSync(readFileSync(csv)));
    const c = JSON.parse((await runCli(['replay', `${csv}.gz`, '--exact', '--json', '-', '-q'])).stdout);
    expect(c).toMatchObject({ customers: 2, orders: 3, revenue: 22.5 });
    // cut short: zlib's end of stream, said as such
    const cut = join(dir, 'cut.csv.gz');
    const whole = gzipSync(
      Buffer.from(
        'customer_id,ts,amount\n' + Array.from({ length: 2000 }, (_, i) => `${i},2024-01-02,${i}`).join('\n') + '\n',
      ),
    );
    writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    const d = await runCli(['replay', cut]);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('the gzip stream ends early or is damaged');
  });

  test('other files are told apart by what they are', async () => {
    const png = join(dir, 'orders.png');
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const json = join(dir, 'orders.json');
    writeFileSync(json, '[{"customer":"a","amount":3}]\n');
    const xlsx = join(dir, 'orders.xlsx');
    writeFileSync(xlsx, Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'));
    for (const [file, what] of [
      [png, 'is a PNG image, not an order file'],
      [json, 'is JSON, not CSV'],
      [xlsx, 'an Excel workbook?'],
    ]) {
      const r = await runCli(['replay', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(what);
      expect(r.stderr).not.toContain('UTF-16');
    }
  });

  test('a file cut mid-line is called cut short, on every reader', async () => {
    const csv = join(dir, 'cut.csv');
    writeFileSync(csv, 'customer_id,ts,amount\n1,2024-01-02,10\n2,2024-01-03,5.5\n3,2024-01-0');
    const r = await runCli(['replay', csv]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${csv} looks cut short: its last line ("3,2024-01-0") has 2 of the header's 3 fields and no line end`,
    );
    const imp = await runCli(['import', 'csv', csv, '-o', join(dir, 'cut.arrow')]);
    expect(imp.code).toBe(2);
    expect(imp.stderr).toContain('looks cut short');
    // the Shopify export cut in its last line (a line item's row, no quotes in it)
    const text = readFileSync(join(FIXTURES, 'shopify-orders.csv'), 'utf8').trimEnd();
    const cart = join(dir, 'shopify-cut.csv');
    writeFileSync(cart, text.slice(0, text.lastIndexOf('\n') + 40));
    const c = await runCli(['import', 'shopify', cart, '-o', join(dir, 'cut.arrow')]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('looks cut short');
    // a last line without its line end that is whole is read
    const whole = join(dir, 'whole.csv');
    writeFileSync(whole, 'customer_id,ts,amount\n1,2024-01-02,10\n2,2024-01-03,5.5');
    expect(JSON.parse((await runCli(['replay', whole, '--json', '-', '-q'])).stdout)).toMatchObject({ orders: 2 });
  });

  test('rfm report takes -q, and --json alone without -o', async () => {
    const out = join(dir, 'only.json');
    const r = await runCli(['report', join(FIXTURES, 'shopify-orders.csv'), '-q', '--json', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).currency).toBe('USD');
    const none = await runCli(['report', join(FIXTURES, 'shopify-orders.csv')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('rfm report writes -o FILE (the HTML report) or --json FILE');
  });
});

describe('a fully refunded order is no purchase', () => {
  test('a plain input: the customer with no net purchase stays out of Churn Risks, in both kernels', async () => {
    const rows = ['customer_id,ts,amount,kind'];
    const day = (d: number): string => new Date(Date.UTC(2024, 0, 1) + d * 86_400_000).toISOString();
    for (const c of ['a', 'b']) for (let d = 0; d <= 100; d += 10) rows.push(`${c},${day(d)},50,order`);
    rows.push(`y,${day(70)},30,order`, `z,${day(70)},30,order`, `z,${day(71)},30,refund`);
    const csv = join(dir, 'refunded.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    for (const core of ['wasm', 'js']) {
      const out = join(dir, `churn-${core}.csv`);
      const r = await runCli([
        'export',
        csv,
        '--exact',
        '--core',
        core,
        '--audience',
        'Churn Risks',
        '--retention',
        'Churn-risk',
        '-o',
        out,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const rows = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').slice(1, 3).join(' in '));
      // both are Churn-risk by the clock; only y bought something to come back for
      expect(rows.sort()).toEqual(['y in Churn Risks', 'y in Churn-risk', 'z in Churn-risk']);
      const report = JSON.parse((await runCli(['replay', csv, '--exact', '--core', core, '--json', '-', '-q'])).stdout);
      expect(report.audiences['Churn Risks'].customers).toBe(1);
      expect(report.retention['Churn-risk'].customers).toBe(2);
    }
    const only = join(dir, 'churn-only.csv');
    expect((await runCli(['export', csv, '--exact', '--audience', 'Churn Risks', '-o', only])).code).toBe(0);
    expect(
      readFileSync(only, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[1]),
    ).toEqual(['y']);
  });

  test('a cart export: an order refunded whole is left out, counted as refunded, and makes no customer', async () => {
    const text = readFileSync(join(FIXTURES, 'shopify-orders.csv'), 'utf8');
    const lines = text.split('\n');
    // #1002 (bob's, refunded whole) again as zoe's only order
    const row = lines.find((l) => l.startsWith('#1002,'))!.replace('#1002,Bob@Example.com', '#1097,zoe@example.com');
    const file = join(dir, 'zoe.csv');
    writeFileSync(file, [lines[0], row, ...lines.slice(1)].join('\n'));
    const r = await runCli([
      'replay',
      file,
      '--exact',
      '--json',
      '-',
      '-q',
      '--customers',
      join(dir, 'refund-customers.csv'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.counted.excluded).toMatchObject({ refunded: 2 });
    const ids = readFileSync(join(dir, 'refund-customers.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 2).join(','));
    // zoe bought nothing; bob's F counts his one purchase, not the refunded one
    expect(ids.some((id) => id.startsWith('zoe@'))).toBe(false);
    expect(ids).toContain('bob@example.com,1');
    expect(report.customers).toBe(3);
  });
});

test('export --predict on a store with too few repeat customers says which columns are blank and why', async () => {
  const out = join(dir, 'predict-list.csv');
  const r = await runCli([
    'export',
    join(FIXTURES, 'shopify-orders.csv'),
    '--segment',
    'New Customers',
    '--predict',
    '-o',
    out,
  ]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain('rfm: P(alive) (MBG/NBD) left blank: MBG/NBD cannot be fitted: 0 customers bought again');
  expect(r.stderr).toContain('rfm: CLV left blank: Gamma-Gamma cannot be fitted');
  const rows = readFileSync(out, 'utf8').trim().split('\n');
  expect(rows[0]).toContain('P Alive');
  expect(rows.length).toBeGreaterThan(1);
});

test("a yen store: a 128,000 order counts, the currency is the store's, nothing is rejected for its size", async () => {
  const text = readFileSync(join(FIXTURES, 'shopify-orders.csv'), 'utf8')
    .replaceAll(',USD,', ',JPY,')
    .replaceAll('12500.00', '128000');
  const file = join(dir, 'yen.csv');
  writeFileSync(file, text);
  const r = await runCli([
    'replay',
    file,
    '--exact',
    '--json',
    '-',
    '-q',
    '--customers',
    join(dir, 'yen-customers.csv'),
  ]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain('revenue 128,165.75 JPY');
  const report = JSON.parse(r.stdout);
  expect(report).toMatchObject({ currency: 'JPY', customers: 3, rejected: 1 });
  expect(report.counted.rejectedBy).toEqual({ 'no customer': { count: 1, first: `line 6 of ${file}` } });
  expect(readFileSync(join(dir, 'yen-customers.csv'), 'utf8')).toContain('\nbob@example.com,1,1,127975,');
  // the summary table's money says its currency
  expect((await runCli(['replay', file, '--exact'])).stdout).toContain('revenue 128,140.75 JPY   rejected rows 1');
});

test("a New York store's dates: a DATE is the end of that day there, and times are shown there", async () => {
  const csv = join(dir, 'new-york.csv');
  writeFileSync(
    csv,
    'customer_id,ts,amount\na,2025-06-01T10:00:00-04:00,50\n' +
      'b,2025-12-31T08:00:00-05:00,30\na,2025-12-31T19:21:00-05:00,20\n',
  );
  const ny = ['--timezone', 'America/New_York'];
  const plain = JSON.parse(
    (await runCli(['replay', csv, ...ny, '--json', '-', '-q', '--customers', join(dir, 'ny-customers.csv')])).stdout,
  );
  expect(plain.asOf).toBe('2025-12-31T19:21:00.000-05:00');
  // the customer list and an export's dates are the store's too
  expect(readFileSync(join(dir, 'ny-customers.csv'), 'utf8')).toContain(
    '\na,2,2,70,2025-06-01T10:00:00.000-04:00,2025-12-31T19:21:00.000-05:00,',
  );
  const list = join(dir, 'ny-list.csv');
  expect((await runCli(['export', csv, ...ny, '--group', 'Core', '--group', 'Potential Core', '-o', list])).code).toBe(
    0,
  );
  expect(readFileSync(list, 'utf8')).toMatch(/\n,a,[^\n]*,2025-06-01,2025-12-31,/);
  const toDay = JSON.parse((await runCli(['replay', csv, ...ny, '--as-of', '2025-12-31', '--json', '-', '-q'])).stdout);
  expect(toDay).toMatchObject({ orders: 3, asOf: '2025-12-31T23:59:59.999-05:00' });
  // the same day in UTC ends before the last order (00:21 UTC on 1 January)
  const utc = JSON.parse((await runCli(['replay', csv, '--as-of', '2025-12-31', '--json', '-', '-q'])).stdout);
  expect(utc).toMatchObject({ orders: 2, asOf: '2025-12-31T23:59:59.999Z' });
  expect(utc.counted.afterAsOf).toBe(1);
  const html = join(dir, 'new-york.html');
  const r = await runCli(['report', csv, ...ny, '--from', '2025-06-30', '-o', html]);
  expect(r.code, r.stderr).toBe(0);
  // what the page shows (the embedded JSON keeps the sketches' UTC day cut points)
  const page = readFileSync(html, 'utf8')
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, '');
  expect(page).toContain('2025-06-30 to 2025-12-31');
  expect(page).not.toContain('2026-01-01');
});

test("a Shopify export's own offsets tell the store's zone when --timezone does not", async () => {
  const file = join(FIXTURES, 'shopify-orders.csv');
  const json = join(dir, 'told-zone.json');
  const told = await runCli(['replay', file, '--json', json, '--as-of', '2023-11-02']);
  expect(told.code, told.stderr).toBe(0);
  expect(told.stderr).toContain(
    "rfm: the export's times carry the offsets -04:00: the store's zone is " +
      'taken as America/New_York (--timezone to say another)',
  );
  // the DATE ends at the store's midnight, and the as-of is shown as the store's time
  expect(JSON.parse(readFileSync(json, 'utf8')).asOf).toBe('2023-11-02T23:59:59.999-04:00');
  const utc = await runCli(['replay', file, '--json', '-', '-q', '--as-of', '2023-11-02', '--timezone', 'UTC']);
  expect(utc.stderr).not.toContain("the store's zone is taken as");
  expect(JSON.parse(utc.stdout).asOf).toBe('2023-11-02T23:59:59.999Z');
});

test('exports of stores in two currencies are said to be added up as one', async () => {
  const r = await runCli([
    'replay',
    join(FIXTURES, 'woocommerce-orders.csv'),
    join(FIXTURES, 'shopify-orders.csv'),
    '--json',
    '-',
    '-q',
  ]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain('rfm: these exports are in EUR and USD: their money is added up as one');
  expect(JSON.parse(r.stdout).currency).toBeNull();
  // --currency keeps one: the other store's orders are left out, counted by currency
  const eur = JSON.parse(
    (
      await runCli([
        'replay',
        join(FIXTURES, 'woocommerce-orders.csv'),
        join(FIXTURES, 'shopify-orders.csv'),
        '--currency',
        'EUR',
        '--json',
        '-',
        '-q',
      ])
    ).stdout,
  );
  expect(eur.currency).toBe('EUR');
  expect(eur.counted.otherCurrencies.USD).toBeGreaterThan(0);
});
