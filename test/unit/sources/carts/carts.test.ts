import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readCartOrders } from '../../../../src/sources/carts/cart-import.js';
import type { CartImportOptions } from '../../../../src/sources/carts/cart-import.js';
import { newCartSummary } from '../../../../src/sources/carts/cart-summary.js';
import type { CartSummary } from '../../../../src/sources/carts/cart-summary.js';
import { CartTime, parseMoney } from '../../../../src/sources/carts/cart-values.js';
import { ZoneClock } from '../../../../src/sources/carts/zone-time.js';
import { tempDir } from '../../../support/cli.js';
import { CART_FIXTURES } from '../../../support/data.js';

const FIXTURES = CART_FIXTURES;
const fixture = (name: string): string => join(FIXTURES, name);
const dir = tempDir();

interface Customer {
  orders: number;
  refunds: number;
  net: number;
  times: string[];
}

/** Every event the importer writes, by customer. */
async function importCart(
  files: string[],
  o: Partial<CartImportOptions> = {},
): Promise<{ summary: CartSummary; customers: Map<string, Customer> }> {
  const summary = newCartSummary();
  const customers = new Map<string, Customer>();
  for await (const b of readCartOrders(files, { preset: 'auto', ...o }, summary)) {
    const id = b.getChild('customer_id')!;
    const ts = b.getChild('ts')!;
    const amount = b.getChild('amount')!;
    const kind = b.getChild('kind')!;
    for (let i = 0; i < b.numRows; i++) {
      const c = customers.get(id.get(i)) ?? { orders: 0, refunds: 0, net: 0, times: [] };
      customers.set(id.get(i), c);
      if (kind.get(i) === 'order') {
        c.orders++;
        c.times.push(new Date(Number(ts.get(i))).toISOString());
      } else {
        expect(kind.get(i)).toBe('refund');
        expect(amount.get(i)).toBeLessThan(0);
        c.refunds++;
      }
      c.net = Math.round((c.net + amount.get(i)) * 100) / 100;
    }
  }
  for (const c of customers.values()) c.times.sort();
  return { summary, customers };
}

const none = { cancelled: 0, failed: 0, declined: 0, pending: 0, test: 0, refunded: 0 };

describe("cart exports, each platform's fixture", () => {
  test('Shopify (current header): line items folded into orders, the email is the customer', async () => {
    const { summary, customers } = await importCart([fixture('shopify-orders.csv')]);
    expect(summary).toMatchObject({
      preset: 'shopify',
      rows: 13,
      orders: 3,
      customers: 3,
      refundEvents: 1,
      revenue: 12665.75,
      refunded: 25,
      currency: 'USD',
      excluded: { ...none, cancelled: 2, pending: 2, test: 1, refunded: 1 },
      rejected: 1,
      rejectedBy: { 'no customer': 1 },
      otherCurrencies: { CAD: 1 },
    });
    expect(summary.firstRejected).toMatchObject({ line: 6, reason: 'no customer' });
    expect(Object.fromEntries(customers)).toEqual({
      'alice@example.com': { orders: 1, refunds: 0, net: 120.5, times: ['2023-10-15T20:20:03.000Z'] },
      // Bob@Example.com and bob@example.com are one customer; #1002 refunded whole was no
      // purchase (left out, counted as refunded), #1003 refunded in part
      'bob@example.com': { orders: 1, refunds: 1, net: 12475, times: ['2023-10-20T12:15:00.000Z'] },
      // an order at 23:30 -0400 is the next day in UTC
      'grace@example.com': { orders: 1, refunds: 0, net: 45.25, times: ['2023-11-02T03:30:00.000Z'] },
    });
  });

  test('Shopify (the older header, no Payment Method or Refunded Amount)', async () => {
    const { summary, customers } = await importCart([fixture('shopify-orders-2012.csv')]);
    expect(summary).toMatchObject({
      preset: 'shopify',
      rows: 4,
      orders: 2,
      customers: 1,
      refundEvents: 0,
      revenue: 45,
      rejected: 0,
      excluded: { ...none, cancelled: 1 },
      otherCurrencies: {},
    });
    expect(Object.fromEntries(customers)).toEqual({
      'ivan@example.com': {
        orders: 2,
        refunds: 0,
        net: 45,
        times: ['2012-01-01T16:13:25.000Z', '2012-01-03T16:13:25.000Z'],
      },
    });
  });

  test("WooCommerce: the customer id, or a guest's email; store-local times in --timezone", async () => {
    const { summary, customers } = await importCart([fixture('woocommerce-orders.csv')], { timezone: 'Europe/Berlin' });
    expect(summary).toMatchObject({
      preset: 'woocommerce',
      rows: 12,
      orders: 4,
      customers: 3,
      refundEvents: 1,
      revenue: 2629.89,
      refunded: 10,
      currency: 'EUR',
      excluded: { ...none, cancelled: 1, failed: 1, pending: 2, refunded: 1 },
      rejected: 1,
      rejectedBy: { 'no customer': 1 },
      otherCurrencies: { USD: 1 },
    });
    // line 4: the order after one whose note holds a line break
    expect(summary.firstRejected).toMatchObject({ line: 4 });
    expect(Object.fromEntries(customers)).toEqual({
      // 16:20 in Berlin in October (CEST, +2) and 09:15 in November (CET, +1)
      // the order of 18 October was refunded whole: no purchase
      17: { orders: 1, refunds: 0, net: 59.9, times: ['2023-10-15T14:20:00.000Z'] },
      23: { orders: 1, refunds: 0, net: 2450, times: ['2023-11-03T08:15:00.000Z'] },
      'guest@example.de': {
        orders: 2,
        refunds: 1,
        net: 109.99,
        times: ['2023-10-16T06:30:00.000Z', '2023-10-20T16:45:00.000Z'],
      },
    });
  });

  test("Magento 2: money with its sign, 12-hour times, another store view's currency counted apart", async () => {
    const { summary, customers } = await importCart([fixture('magento-orders.csv')]);
    expect(summary).toMatchObject({
      preset: 'magento',
      rows: 10,
      orders: 3,
      customers: 3,
      refundEvents: 1,
      revenue: 1600.4,
      refunded: 6,
      currency: '',
      excluded: { ...none, cancelled: 1, declined: 1, pending: 2, refunded: 1 },
      rejected: 1,
      otherCurrencies: { 'French Store View': 1 },
    });
    // line 5: after an order whose Purchase Point spans three lines
    expect(summary.firstRejected).toMatchObject({ line: 5, reason: 'no customer' });
    expect(Object.fromEntries(customers)).toEqual({
      // alice's order of 16 October was refunded whole: no purchase
      'alice@example.com': { orders: 1, refunds: 0, net: 219.4, times: ['2023-10-15T16:20:03.000Z'] },
      'bob@example.com': { orders: 1, refunds: 1, net: 1300, times: ['2023-10-20T16:20:03.000Z'] },
      'dave@example.com': { orders: 1, refunds: 0, net: 75, times: ['2023-11-03T23:59:59.000Z'] },
    });
  });

  test('BigCommerce: one order shipped to two addresses is one order; the date order told by the file', async () => {
    const { summary, customers } = await importCart([fixture('bigcommerce-orders.csv')]);
    expect(summary).toMatchObject({
      preset: 'bigcommerce',
      rows: 12,
      orders: 3,
      customers: 2,
      refundEvents: 1,
      revenue: 1586,
      refunded: 20.5,
      currency: 'AUD',
      excluded: { cancelled: 1, failed: 0, declined: 1, pending: 2, test: 1, refunded: 1 },
      rejected: 1,
      otherCurrencies: { USD: 1 },
    });
    expect(Object.fromEntries(customers)).toEqual({
      // the order of 2 October was refunded whole: no purchase
      12: { orders: 1, refunds: 0, net: 1306, times: ['2023-10-01T00:00:00.000Z'] },
      'guest@shop.com.au': {
        orders: 2,
        refunds: 1,
        net: 259.5,
        times: ['2023-10-01T00:00:00.000Z', '2023-10-25T00:00:00.000Z'],
      },
    });
  });
});

describe('cart rules across files and options', () => {
  test('an order in two overlapping exports counts once', async () => {
    const again = join(dir, 'shopify-again.csv');
    copyFileSync(fixture('shopify-orders.csv'), again);
    const once = await importCart([fixture('shopify-orders.csv')]);
    const twice = await importCart([fixture('shopify-orders.csv'), again]);
    expect(twice.summary.orders).toBe(once.summary.orders);
    expect(twice.summary.rows).toBe(2 * once.summary.rows);
    expect(Object.fromEntries(twice.customers)).toEqual(Object.fromEntries(once.customers));
  });

  test('a Shopify export whose rows come in another order gives the same orders', async () => {
    // line items before their order's first line: they must not take the order's id
    const text = readFileSync(fixture('shopify-orders.csv'), 'utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    const header = text[0];
    const records: string[] = [];
    for (const line of text.slice(1)) {
      // a quoted line break continues the record before
      if (records.length > 0 && (records[records.length - 1].split('"').length - 1) % 2 === 1)
        records[records.length - 1] += '\r\n' + line;
      else if (line !== '') records.push(line);
    }
    const reversed = join(dir, 'shopify-reversed.csv');
    writeFileSync(reversed, [header, ...records.reverse()].join('\r\n') + '\r\n');
    const once = await importCart([fixture('shopify-orders.csv')]);
    const other = await importCart([reversed]);
    const where = { files: [], firstRejected: null, firstRejectedBy: {} };
    expect({ ...other.summary, ...where }).toEqual({ ...once.summary, ...where });
    expect(Object.fromEntries(other.customers)).toEqual(Object.fromEntries(once.customers));
  });

  test("--currency takes the store's currency; the most common one otherwise", async () => {
    const cad = await importCart([fixture('shopify-orders.csv')], { currency: 'cad' });
    expect(cad.summary).toMatchObject({ currency: 'CAD', orders: 1, revenue: 60, otherCurrencies: { USD: 4 } });
    expect([...cad.customers.keys()]).toEqual(['alice@example.com']);
  });

  test('slashed dates that read both ways wait for one that tells, or need --date-format', async () => {
    const text = readFileSync(fixture('bigcommerce-orders.csv'), 'utf8').split('\r\n');
    // keep the header and the orders dated 01/10 and 02/10: either could be day first
    const ambiguous = join(dir, 'bigcommerce-ambiguous.csv');
    writeFileSync(ambiguous, [text[0], ...text.filter((l) => /^"?10[012]/.test(l))].join('\r\n') + '\r\n');
    await expect(importCart([ambiguous])).rejects.toThrow(/read as day\/month or month\/day.*--date-format/);
    // (the order of 02/10 was refunded whole: left out, the first tells the reading)
    const dmy = await importCart([ambiguous], { dateFormat: 'dd/mm/yyyy' });
    expect(dmy.customers.get('12')!.times).toEqual(['2023-10-01T00:00:00.000Z']);
    const mdy = await importCart([ambiguous], { dateFormat: 'mm/dd/yyyy' });
    expect(mdy.customers.get('12')!.times).toEqual(['2023-01-10T00:00:00.000Z']);
    expect([dmy.summary.excluded.refunded, mdy.summary.excluded.refunded]).toEqual([1, 1]);
  });

  test('a header of another cart, or of no cart, is refused by name', async () => {
    await expect(importCart([fixture('magento-orders.csv')], { preset: 'shopify' })).rejects.toThrow(
      /is a Magento 2 orders grid export, not a Shopify orders export/,
    );
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, 'customer_id,ts,amount\n1,2024-01-01,5\n');
    await expect(importCart([plain])).rejects.toThrow(
      /not one of a Shopify, WooCommerce, Magento 2 or BigCommerce order export/,
    );
    const lacking = join(dir, 'shopify-no-total.csv');
    writeFileSync(
      lacking,
      'Name,Email,Financial Status,Lineitem name,Created at\n#1,a@b.c,paid,Mug,2024-01-01 10:00:00 +0000\n',
    );
    await expect(importCart([lacking])).rejects.toThrow(/needs the columns "Total"/);
  });

  test('an unreadable total or time is a rejected order, counted with its line', async () => {
    const lines = readFileSync(fixture('shopify-orders-2012.csv'), 'utf8').split('\n');
    const bad = join(dir, 'shopify-bad.csv');
    writeFileSync(
      bad,
      [
        lines[0],
        lines[1].replaceAll(',30.00,', ',thirty,'),
        lines[2],
        lines[3].replace('2012-01-01 11:13:25 -0500', '2012-02-30 11:13:25 -0500'),
        lines[4],
      ].join('\n') + '\n',
    );
    const { summary } = await importCart([bad]);
    expect(summary).toMatchObject({
      orders: 0,
      rejected: 2,
      rejectedBy: { 'unreadable total': 1, 'unreadable time': 1 },
      excluded: { ...none, cancelled: 1 },
    });
    expect(summary.firstRejected).toMatchObject({ line: 2, reason: 'unreadable total' });
  });
});

describe('cart values', () => {
  test('money as the carts print it', () => {
    expect(parseMoney('$1,306.00', false)).toBe(1306);
    expect(parseMoney('CA$12.50', false)).toBe(12.5);
    expect(parseMoney('€100.00', false)).toBe(100);
    expect(parseMoney('1.306,00 €', true)).toBe(1306);
    expect(parseMoney('-$5.00', false)).toBe(-5);
    expect(parseMoney('12,50', false)).toBeNaN();
    expect(parseMoney('', false)).toBeNaN();
    expect(parseMoney('n/a', false)).toBeNaN();
  });

  test("times in the carts' forms", () => {
    const t = new CartTime();
    expect(new Date(t.read('2023-10-15 16:20:03 -0400', null).exact).toISOString()).toBe('2023-10-15T20:20:03.000Z');
    expect(new Date(t.read('2023-10-15T16:20:03+05:30', null).exact).toISOString()).toBe('2023-10-15T10:50:03.000Z');
    expect(t.read('2023-10-15 16:20', null).exact).toBeNaN();
    expect(new Date(t.wall).toISOString()).toBe('2023-10-15T16:20:00.000Z');
    expect(new Date(t.read('Oct 15, 2023 4:20:03 PM', null).wall).toISOString()).toBe('2023-10-15T16:20:03.000Z');
    expect(new Date(t.read('Oct 15, 2023, 12:05:00\u202fAM', null).wall).toISOString()).toBe(
      '2023-10-15T00:05:00.000Z',
    );
    expect(new Date(t.read('15 Oct 2023, 16:20:03', null).wall).toISOString()).toBe('2023-10-15T16:20:03.000Z');
    expect(new Date(t.read('15/10/2023', null).wall).toISOString()).toBe('2023-10-15T00:00:00.000Z');
    expect(t.told).toBe('dmy');
    expect(t.read('03/04/2023', null).ambiguous).toBe(true);
    expect(new Date(t.read('03/04/2023', 'mdy').wall).toISOString()).toBe('2023-03-04T00:00:00.000Z');
    expect(t.read('2023-02-30 10:00', null).wall).toBeNaN();
    expect(t.read('13:00 PM Oct 1', null).wall).toBeNaN();
    expect(t.read('Oct 15, 2023 13:20:03 PM', null).wall).toBeNaN();
  });

  test('store-local times to UTC, across the clock changes', () => {
    const ny = new ZoneClock('America/New_York');
    const wall = (s: string): number => Date.parse(`${s}Z`);
    expect(new Date(ny.utc(wall('2023-07-01T12:00:00'))).toISOString()).toBe('2023-07-01T16:00:00.000Z');
    expect(new Date(ny.utc(wall('2023-12-01T12:00:00'))).toISOString()).toBe('2023-12-01T17:00:00.000Z');
    // 02:30 does not exist on 12 March 2023 in New York: an hour on, 03:30 EDT
    expect(new Date(ny.utc(wall('2023-03-12T02:30:00'))).toISOString()).toBe('2023-03-12T07:30:00.000Z');
    expect(new ZoneClock('UTC').utc(wall('2023-03-12T02:30:00'))).toBe(wall('2023-03-12T02:30:00'));
    expect(() => new ZoneClock('Mars/Olympus')).toThrow(/not a time zone/);
  });
});
