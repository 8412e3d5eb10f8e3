import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cdnowMaster, cdnowSample } from '../../support/data.js';
import { runCli, tempDir } from '../../support/cli.js';

const dir = tempDir();
const SEGMENTS = [
  'Champions',
  'Big Spenders',
  'Loyalists',
  'Low Value',
  'Promising',
  'New Customers',
  'Lost Core',
  'Lost Potential Core',
];
const GROUPS = ['Core', 'Potential Core', 'Non-core', 'Lost'];
const RETENTION = ['Active', 'Drifting', 'Churn-risk', 'Lost'];
const AUDIENCES = ['VIP Customers', 'Repeat Purchasers', 'Churn Risks', 'Winback Opportunities', 'Prospective Buyers'];

describe('rfm generate + rfm replay', () => {
  test(
    'the report has exactly the documented keys and every name, and the ' + 'customer list one row per customer',
    async () => {
      const orders = join(dir, 'orders.arrow');
      const g = await runCli(['generate', '--customers', '5000', '--orders', '40000', '--seed', '3', '-o', orders]);
      expect(g.code, g.stderr).toBe(0);
      expect(g.stderr).toContain('40,000 orders of 5,000 customers');
      const json = join(dir, 'report.json');
      const csv = join(dir, 'customers.csv');
      const r = await runCli(['replay', orders, '--json', json, '--customers', csv]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('rfmstream report as of');
      expect(r.stdout).toContain('Lost Potential Core');
      const report = JSON.parse(readFileSync(json, 'utf8'));
      expect(Object.keys(report)).toEqual([
        'asOf',
        'customers',
        'orders',
        'revenue',
        'currency',
        'rejected',
        'mode',
        'segments',
        'groups',
        'retention',
        'audiences',
        'concentration',
        'thresholds',
        'counted',
        'headlines',
      ]);
      expect(Object.keys(report.headlines)).toEqual(['coreWorth', 'concentration']);
      const core = report.groups.Core;
      const others = { customers: report.customers - core.customers, revenue: report.revenue - core.revenue };
      expect(report.headlines.coreWorth.coreMeanSpend).toBeCloseTo(core.revenue / core.customers, 2);
      expect(report.headlines.coreWorth.ratio).toBeCloseTo(
        core.revenue / core.customers / (others.revenue / others.customers),
        6,
      );
      expect(report.headlines.coreWorth.revenueShare).toBeCloseTo(core.revenue / report.revenue, 9);
      expect(report.headlines.concentration).toMatchObject(report.concentration);
      expect(report.headlines.concentration.lorenz).toHaveLength(21);
      expect(report.headlines.concentration.lorenz[0]).toBe(0);
      expect(report.headlines.concentration.lorenz[20]).toBeCloseTo(1, 9);
      expect(r.stdout).toContain("core worth: a Core customer's net spend is");
      expect(report.customers).toBe(5000);
      expect(report.orders).toBe(40_000);
      expect(report.mode).toBe('sketch');
      expect(Object.keys(report.segments)).toEqual(SEGMENTS);
      expect(Object.keys(report.groups)).toEqual(GROUPS);
      expect(Object.keys(report.retention)).toEqual(RETENTION);
      expect(Object.keys(report.audiences)).toEqual(AUDIENCES);
      expect(Object.keys(report.concentration)).toEqual(['top1', 'top10', 'top20', 'gini']);
      const sum = (o: Record<string, { customers: number }>) => Object.values(o).reduce((s, t) => s + t.customers, 0);
      expect(sum(report.segments)).toBe(5000);
      expect(sum(report.groups)).toBe(5000);
      expect(sum(report.retention)).toBe(5000);
      const lines = readFileSync(csv, 'utf8').trim().split('\n');
      expect(lines[0]).toBe(
        'customer_id,orders,purchase_days,spend,first_ts,last_ts,recency_days,r,f,m,aov_score,retention,segment,group',
      );
      expect(lines.length).toBe(1 + 5000 + 250); // customers with orders, and the generator's 5 % prospects
      expect(report.audiences['Prospective Buyers'].customers).toBe(250);
      const bySegment: Record<string, number> = {};
      for (const l of lines.slice(1)) {
        const f = l.split(',');
        bySegment[f[12]] = (bySegment[f[12]] ?? 0) + 1;
      }
      for (const s of SEGMENTS) expect(bySegment[s] ?? 0, s).toBe(report.segments[s].customers);
    },
  );

  test('--as-of measures recency from the given date and leaves later orders out', async () => {
    const orders = join(dir, 'asof.arrow');
    await runCli(['generate', '--customers', '2000', '--orders', '10000', '-o', orders]);
    const full = JSON.parse((await runCli(['replay', orders, '--json', '-', '-q'])).stdout);
    const r = await runCli(['replay', orders, '--as-of', '2025-06-30', '--json', '-', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const early = JSON.parse(r.stdout);
    // the end of that day: its orders count
    expect(early.asOf).toBe('2025-06-30T23:59:59.999Z');
    expect(early.orders).toBeLessThan(full.orders);
    expect(early.orders).toBeGreaterThan(0);
    // and says how many it left out (orders, refunds and visits after the date)
    const left = Number(/([\d,]+) events after --as-of were left out/.exec(r.stderr)?.[1].replace(/,/g, ''));
    expect(left).toBeGreaterThanOrEqual(full.orders - early.orders);
  });
});

describe('rfm import', () => {
  test('cdnow sample: every line becomes an order, --exact totals match the file', async () => {
    const out = join(dir, 'sample.arrow');
    const i = await runCli(['import', 'cdnow', cdnowSample(), '-o', out]);
    expect(i.code, i.stderr).toBe(0);
    expect(i.stderr).toContain('imported 6,919 rows');
    const r = await runCli(['replay', out, '--exact', '--json', '-']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.customers).toBe(2357);
    expect(report.orders).toBe(6919);
    const cents = readFileSync(cdnowSample(), 'utf8')
      .trim()
      .split('\n')
      .reduce((s, l) => s + Math.round(Number(l.trim().split(/\s+/)[4]) * 100), 0);
    expect(Math.round(report.revenue * 100)).toBe(cents);
    expect(report.mode).toBe('exact');
    expect(r.stderr).toContain('rfmstream report'); // the table moves to stderr when stdout carries JSON
  });

  test('csv with string ids: the customer list names customers as the input did', async () => {
    const src = join(dir, 'shop.csv');
    writeFileSync(
      src,
      [
        'Email;Created;Total;Type',
        'ann@example.com;05/01/2025;1.234,50;order',
        '"bob, jr@example.com";06/01/2025;20,00;order',
        'ann@example.com;20/02/2025;10,00;order',
        'ann@example.com;21/02/2025;10,00;refund',
        'cat@example.com;31/02/2025;5,00;order',
        'dan@example.com;01/03/2025;;visit',
      ].join('\n'),
    );
    const out = join(dir, 'shop.arrow');
    const i = await runCli([
      'import',
      'csv',
      src,
      '-o',
      out,
      '--delimiter',
      ';',
      '--customer',
      'Email',
      '--ts',
      'Created',
      '--amount',
      'Total',
      '--kind',
      'Type',
      '--date-format',
      'dd/mm/yyyy',
      '--decimal-comma',
    ]);
    expect(i.code, i.stderr).toBe(0);
    expect(i.stderr).toContain('1 with an unreadable time');
    const csv = join(dir, 'shop-customers.csv');
    const r = await runCli(['replay', out, '--customers', csv, '--json', '-', '-q', '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.rejected).toBe(1);
    expect(report.customers).toBe(2);
    expect(report.revenue).toBe(1254.5);
    expect(report.audiences['Prospective Buyers'].customers).toBe(1);
    const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).sort();
    expect(rows.map((l) => l.split(',')[0])).toEqual(['"bob', 'ann@example.com', 'dan@example.com']);
    const ann = rows.find((l) => l.startsWith('ann@'))!.split(',');
    expect(ann.slice(1, 4)).toEqual(['2', '2', '1234.5']);
    expect(rows.find((l) => l.startsWith('"bob'))).toContain('"bob, jr@example.com",1,1,20,');
  });

  test(
    'rfm replay reads the CSV itself, told by its bytes (even named ' + '.arrow): the report of import + replay',
    async () => {
      const src = join(dir, 'shop2.csv');
      const lines = ['Email;Created;Total;Type'];
      for (let i = 0; i < 300; i++)
        lines.push(
          `c${i % 37}@example.com;${1 + (i % 28)}/0${1 + (i % 9)}/2025;${(i * 7) % 500},${i % 100};` +
            `${i % 11 === 0 ? 'refund' : 'order'}`,
        );
      lines.push(
        '"bob, jr@example.com";06/01/2025;20,00;order',
        'x@example.com;31/02/2025;5,00;order',
        'y@example.com;01/03/2025;1,00;bogus',
      );
      writeFileSync(src, lines.join('\r\n') + '\r\n');
      const opts = ['--delimiter', ';', '--date-format', 'dd/mm/yyyy', '--decimal-comma'];
      const out = join(dir, 'shop2.arrow');
      const i = await runCli([
        'import',
        'csv',
        src,
        '-o',
        out,
        '--customer',
        'Email',
        '--ts',
        'Created',
        '--amount',
        'Total',
        '--kind',
        'Type',
        ...opts,
      ]);
      expect(i.code, i.stderr).toBe(0);
      const cols = [
        '--customer-column',
        'Email',
        '--ts-column',
        'Created',
        '--amount-column',
        'Total',
        '--kind-column',
        'Type',
      ];
      const viaArrow = await runCli(['replay', out, '--json', '-', '-q', '--exact']);
      expect(viaArrow.code, viaArrow.stderr).toBe(0);
      const misnamed = join(dir, 'shop2-really-csv.arrow');
      writeFileSync(misnamed, readFileSync(src));
      for (const file of [src, misnamed]) {
        const direct = await runCli(['replay', file, '--json', '-', '-q', '--exact', ...cols, ...opts]);
        expect(direct.code, direct.stderr).toBe(0);
        // the same report; only where the first rejected rows stand is said in each input's terms
        const { counted: c1, ...r1 } = JSON.parse(direct.stdout);
        const { counted: c2, ...r2 } = JSON.parse(viaArrow.stdout);
        expect(r1).toEqual(r2);
        expect(Object.keys(c1.rejectedBy)).toEqual(Object.keys(c2.rejectedBy));
        expect(c1.rejectedBy['null or unreadable time'].first).toBe(
          `line 303 of ${file}: "x@example.com", "31/02/2025", "5,00"`,
        );
        expect(r1.rejected).toBe(2);
      }
    },
  );

  test(
    'CDNOW master as it is (runs of spaces): a one-column header hints the ' +
      "delimiter; with it, the CDNOW route's report",
    async () => {
      const plain = await runCli(['replay', cdnowMaster()]);
      expect(plain.code).toBe(2);
      expect(plain.stderr).toContain('the header is one column: is the delimiter runs of spaces (--delimiter " ")?');
      // runs of spaces go through the plain reader, whose batches carry the default names (before:
      // "column date is missing")
      const direct = await runCli([
        'replay',
        cdnowMaster(),
        '--delimiter',
        ' ',
        '--ts-column',
        'date',
        '--amount-column',
        'dollar_value',
        '--date-format',
        'yyyymmdd',
        '--exact',
        '-q',
        '--json',
        '-',
      ]);
      expect(direct.code, direct.stderr).toBe(0);
      const out = join(dir, 'cdnow-master.arrow');
      expect((await runCli(['import', 'cdnow', cdnowMaster(), '-o', out])).code).toBe(0);
      const viaImport = await runCli(['replay', out, '--exact', '-q', '--json', '-']);
      expect(JSON.parse(direct.stdout)).toMatchObject({ customers: 23_570, orders: 69_659 });
      expect(JSON.parse(direct.stdout)).toEqual(JSON.parse(viaImport.stdout));
    },
  );

  test('csv: a column named kind is read without --kind, and an unknown kind is a rejected row', async () => {
    const src = join(dir, 'kinds.csv');
    writeFileSync(
      src,
      'customer_id,ts,amount,kind\n1,2025-01-01,30,order\n1,2025-01-02,10,refund\n' +
        '2,2025-01-02,,visit\n3,2025-01-03,5,bogus\n',
    );
    const out = join(dir, 'kinds.arrow');
    const i = await runCli(['import', 'csv', src, '-o', out]);
    expect(i.code, i.stderr).toBe(0);
    expect(i.stderr).toContain('1 with an unknown kind');
    const r = await runCli(['replay', out, '--json', '-', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ customers: 1, orders: 1, revenue: 20, rejected: 1 });
    expect(report.audiences['Prospective Buyers'].customers).toBe(1);
  });
});
