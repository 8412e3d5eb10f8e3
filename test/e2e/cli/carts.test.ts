import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli, tempDir } from '../../support/cli.js';
import { CART_FIXTURES } from '../../support/data.js';

const FIXTURES = CART_FIXTURES;
const dir = tempDir();

describe('rfm import <cart> and rfm replay of a cart export', () => {
  test(
    'import shopify writes the orders and a summary; replay of the export ' + 'gives the report of import + replay',
    async () => {
      const file = join(FIXTURES, 'shopify-orders.csv');
      const arrow = join(dir, 'shopify.arrow');
      const summary = join(dir, 'summary.json');
      const imp = await runCli(['import', 'shopify', file, '-o', arrow, '--json', summary]);
      expect(imp.code, imp.stderr).toBe(0);
      expect(imp.stderr).toContain(
        'Shopify orders export: 13 rows, 3 orders imported (3 customers, 1 ' +
          'refund events); revenue 12,665.75 USD, refunds 25.00',
      );
      expect(imp.stderr).toContain('left out, not imported: 2 cancelled, 2 pending, 1 test, 1 refunded');
      expect(imp.stderr).toContain('rejected 1 order: 1 no customer (the first on line 6 of');
      expect(imp.stderr).toContain('1 order in other currencies than USD, counted apart and not imported: CAD 1');
      expect(JSON.parse(readFileSync(summary, 'utf8'))).toEqual({
        preset: 'shopify',
        files: [{ file, preset: 'shopify' }],
        rows: 13,
        orders: 3,
        customers: 3,
        refundEvents: 1,
        revenue: 12665.75,
        refunded: 25,
        currency: 'USD',
        excluded: { cancelled: 2, failed: 0, declined: 0, pending: 2, test: 1, refunded: 1 },
        rejected: 1,
        rejectedBy: { 'no customer': 1 },
        otherCurrencies: { CAD: 1 },
        duplicates: 0,
      });
      const viaArrow = join(dir, 'via-arrow.json');
      const direct = join(dir, 'direct.json');
      // the Arrow file holds instants and no zone: the one the export's offsets tell is said
      const a = await runCli([
        'replay',
        arrow,
        '--json',
        viaArrow,
        '--exact',
        '--customers',
        join(dir, 'a.csv'),
        '--timezone',
        'America/New_York',
      ]);
      expect(a.code, a.stderr).toBe(0);
      const d = await runCli(['replay', file, '--json', direct, '--exact', '--customers', join(dir, 'd.csv')]);
      expect(d.code, d.stderr).toBe(0);
      expect(d.stdout).toContain('read ' + file + ': Shopify orders export (preset shopify)');
      expect(d.stderr).toContain('3 orders imported');
      // the same figures; read from the export itself, the report also knows its currency and what the rules left out
      const { counted, currency, rejected, ...report } = JSON.parse(readFileSync(direct, 'utf8'));
      const {
        counted: _c,
        currency: noCurrency,
        rejected: _r,
        ...viaArrowReport
      } = JSON.parse(readFileSync(viaArrow, 'utf8'));
      expect(report).toEqual(viaArrowReport);
      expect(report).toMatchObject({ customers: 3, orders: 3, revenue: 12640.75 });
      expect([currency, noCurrency, rejected]).toEqual(['USD', null, 1]);
      // what was counted is the import's summary
      expect(counted).toEqual({
        rowsRead: 13,
        orders: 3,
        refunds: 1,
        currency: 'USD',
        excluded: { cancelled: 2, pending: 2, test: 1, refunded: 1 },
        otherCurrencies: { CAD: 1 },
        duplicates: 0,
        rejected: 1,
        rejectedBy: { 'no customer': { count: 1, first: `line 6 of ${file}` } },
        afterAsOf: 0,
        largeOrders: { over: 12_050, count: 1, atLeast: false, largest: [12_500] },
      });
      expect(readFileSync(join(dir, 'd.csv'), 'utf8')).toBe(readFileSync(join(dir, 'a.csv'), 'utf8'));
      expect(readFileSync(join(dir, 'd.csv'), 'utf8')).toContain('\nbob@example.com,1,1,12475,');
    },
  );

  test(
    'import auto names the cart it took; --format overrides detection and ' + 'is checked against the header',
    async () => {
      const out = join(dir, 'auto.arrow');
      for (const [name, title] of [
        ['woocommerce', 'WooCommerce order export'],
        ['magento', 'Magento 2 orders grid export'],
        ['bigcommerce', 'BigCommerce orders export'],
      ]) {
        const r = await runCli(['import', 'auto', join(FIXTURES, `${name}-orders.csv`), '-o', out]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toContain(`rfm: ${title}: `);
      }
      const wrong = await runCli(['replay', join(FIXTURES, 'magento-orders.csv'), '--format', 'bigcommerce']);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('is a Magento 2 orders grid export, not a BigCommerce orders export');
      const tz = await runCli([
        'import',
        'woocommerce',
        join(FIXTURES, 'woocommerce-orders.csv'),
        '-o',
        out,
        '--timezone',
        'Atlantis/Capital',
      ]);
      expect(tz.code).toBe(2);
      expect(tz.stderr).toContain('--timezone Atlantis/Capital: not a time zone');
      const cur = await runCli([
        'import',
        'woocommerce',
        join(FIXTURES, 'woocommerce-orders.csv'),
        '-o',
        out,
        '--currency',
        'euro',
      ]);
      expect(cur.code).toBe(2);
      expect(cur.stderr).toContain('--currency must be a three-letter code');
    },
  );

  test('an export whose every order is left out ends with a clear error and no output file', async () => {
    const out = join(dir, 'none.arrow');
    const r = await runCli(['import', 'shopify', join(FIXTURES, 'shopify-orders.csv'), '-o', out, '--currency', 'JPY']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no orders to import \(13 rows; 5 excluded, 1 rejected, 5 in other currencies\)/);
    expect(() => readFileSync(out)).toThrow();
  });
});

describe('overlapping exports of one store', () => {
  /**
   * The fixture's orders cut in two overlapping exports, as a merchant exports month by month and
   * quarter by quarter.
   */
  function overlapping(): [string, string] {
    const text = readFileSync(join(FIXTURES, 'shopify-orders.csv'), 'utf8');
    const header = text.slice(0, text.indexOf('\n') + 1);
    // records start at a line that opens with an order name (#10xx); a quoted note runs over lines
    const records = text
      .slice(header.length)
      .split(/\n(?=#10)/)
      .map((r) => r.replace(/\n?$/, '\n'));
    const a = join(dir, 'orders-2023-11.csv');
    const b = join(dir, 'orders-2023-q4.csv');
    writeFileSync(a, header + records.slice(0, 7).join(''));
    writeFileSync(b, header + records.slice(3).join(''));
    return [a, b];
  }

  test('an order in two exports counts once on every path, equal to the single export to the cent', async () => {
    const [a, b] = overlapping();
    const single = join(FIXTURES, 'shopify-orders.csv');
    const imp = await runCli([
      'import',
      'shopify',
      a,
      b,
      '-o',
      join(dir, 'both.arrow'),
      '--json',
      join(dir, 'both-summary.json'),
    ]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stderr).toContain('3 orders imported (3 customers');
    const summary = JSON.parse(readFileSync(join(dir, 'both-summary.json'), 'utf8'));
    expect(summary).toMatchObject({ orders: 3, revenue: 12665.75, duplicates: 4 });
    expect(imp.stderr).toContain('4 orders repeated from an earlier file (overlapping exports), counted once');

    const one = await runCli([
      'replay',
      single,
      '--exact',
      '--json',
      join(dir, 'one.json'),
      '--customers',
      join(dir, 'one.csv'),
    ]);
    expect(one.code, one.stderr).toBe(0);
    const two = await runCli([
      'replay',
      a,
      b,
      '--exact',
      '--json',
      join(dir, 'two.json'),
      '--customers',
      join(dir, 'two.csv'),
    ]);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stderr).toContain('repeated from an earlier file');
    const r1 = JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8'));
    const r2 = JSON.parse(readFileSync(join(dir, 'two.json'), 'utf8'));
    expect(r2.revenue).toBe(r1.revenue);
    expect(r2.orders).toBe(r1.orders);
    expect(r2.segments).toEqual(r1.segments);
    expect(readFileSync(join(dir, 'two.csv'), 'utf8')).toBe(readFileSync(join(dir, 'one.csv'), 'utf8'));

    // the same files in the other order, and one file given twice, change nothing
    const three = await runCli(['replay', b, a, a, '--exact', '--json', join(dir, 'three.json')]);
    expect(three.code, three.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'three.json'), 'utf8')).revenue).toBe(r1.revenue);

    const ex1 = await runCli([
      'export',
      single,
      '--exact',
      '--segment',
      'Champions',
      '--segment',
      'New Customers',
      '-o',
      join(dir, 'ex1.csv'),
    ]);
    expect(ex1.code, ex1.stderr).toBe(0);
    const ex2 = await runCli([
      'export',
      a,
      b,
      '--exact',
      '--segment',
      'Champions',
      '--segment',
      'New Customers',
      '-o',
      join(dir, 'ex2.csv'),
    ]);
    expect(ex2.code, ex2.stderr).toBe(0);
    expect(readFileSync(join(dir, 'ex2.csv'), 'utf8')).toBe(readFileSync(join(dir, 'ex1.csv'), 'utf8'));
  });
});
