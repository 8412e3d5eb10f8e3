/**
 * Question: how fast does a cart's export import, against a plain order CSV of the same
 * orders? A Shopify-shaped export is generated (the current header's 79 columns, one row a
 * line item, the order's columns on its first line, 1-3 line items, a few refunds, cancelled
 * and pending orders), with the same orders as customer_id,ts,amount beside it. Both are
 * read to RecordBatches in this process, as `rfm import` reads them (nothing written).
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { readCartOrders } from '../src/sources/carts/cart-import.js';
import { newCartSummary } from '../src/sources/carts/cart-summary.js';
import { readCsvRecordBatches } from '../src/sources/csv/record-batches.js';
import { newImportStats } from '../src/sources/import-stats.js';
import { Random } from '../src/sources/generator/random.js';
import { CSV_OPTIONS } from './csv.js';

const HEADER =
  'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled ' +
  'at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount ' +
  'Code,Discount Amount,Shipping Method,Created at,Lineitem ' +
  'quantity,Lineitem name,Lineitem price,Lineitem compare at ' +
  'price,Lineitem sku,Lineitem requires shipping,Lineitem ' +
  'taxable,Lineitem fulfillment status,Billing Name,Billing ' +
  'Street,Billing Address1,Billing Address2,Billing Company,Billing ' +
  'City,Billing Zip,Billing Province,Billing Country,Billing ' +
  'Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping ' +
  'Address2,Shipping Company,Shipping City,Shipping Zip,Shipping ' +
  'Province,Shipping Country,Shipping Phone,Notes,Note ' +
  'Attributes,Cancelled at,Payment Method,Payment Reference,Refunded ' +
  'Amount,Vendor,Outstanding Balance,Employee,Location,Device ' +
  'ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 ' +
  'Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 ' +
  'Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing ' +
  'Province Name,Shipping Province Name,Payment ID,Payment Terms ' +
  'Name,Next Payment Due At,Payment References';
const COLUMNS = HEADER.split(',').length;

/** ±hh:mm offsets as Shopify writes them (-0400): the store's zone. */
function shopifyTime(ms: number): string {
  return new Date(ms - 4 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ') + ' -0400';
}

/** The Shopify-shaped export and the plain CSV of its imported orders (made once per size). */
export async function cartFiles(orders: number, customers: number): Promise<{ shopify: string; plain: string }> {
  const dir = join(packageRoot(), 'build', 'bench-data');
  mkdirSync(dir, { recursive: true });
  const shopify = join(dir, `shopify-${orders}-${customers}.csv`);
  const plain = join(dir, `shopify-${orders}-${customers}-plain.csv`);
  if (existsSync(shopify) && existsSync(plain)) return { shopify, plain };
  process.stderr.write(
    `writing a Shopify-shaped export of ${orders.toLocaleString('en-US')} orders -> ${shopify} ...\n`,
  );
  const rng = new Random(7);
  const random = (): number => rng.next();
  const a = createWriteStream(shopify + '.tmp');
  const b = createWriteStream(plain + '.tmp');
  a.write(HEADER + '\n');
  b.write('customer_id,ts,amount\n');
  const start = Date.UTC(2021, 0, 1);
  const span = 3 * 365 * 86_400_000;
  const at = new Map(HEADER.split(',').map((h, i) => [h, i]));
  let lines: string[] = [];
  let plainLines: string[] = [];
  for (let o = 0; o < orders; o++) {
    const customer = Math.floor(random() * customers);
    const email = `customer${customer}@example.com`;
    const t = start + Math.floor((o / orders) * span);
    const items = 1 + Math.floor(random() * 3);
    const price = Math.round(500 + random() * 15_000) / 100;
    const total = (price * items + 4.99).toFixed(2);
    const r = random();
    const financial = r < 0.02 ? 'pending' : r < 0.05 ? 'partially_refunded' : 'paid';
    const cancelled = r > 0.99 ? shopifyTime(t + 3_600_000) : '';
    const refunded = financial === 'partially_refunded' ? (price / 2).toFixed(2) : '0.00';
    const name = `#${1000 + o}`;
    const first = [
      name,
      email,
      financial,
      shopifyTime(t),
      'fulfilled',
      shopifyTime(t + 86_400_000),
      'no',
      'USD',
      (price * items).toFixed(2),
      '4.99',
      '0.00',
      total,
      '',
      '0.00',
      'Standard',
      shopifyTime(t),
      '1',
      'Coffee beans 1kg',
      price.toFixed(2),
      '',
      'BEAN-1',
      'true',
      'true',
      'fulfilled',
      `Customer ${customer}`,
      `"${customer} Main St, Apt 4"`,
      `${customer} Main St`,
      '',
      '',
      'Springfield',
      "'02928",
      'IL',
      'US',
      '',
      `Customer ${customer}`,
      `"${customer} Main St, Apt 4"`,
      `${customer} Main St`,
      '',
      '',
      'Springfield',
      "'02928",
      'IL',
      'US',
      '',
      '',
      '',
      cancelled,
      'Shopify Payments',
      `c${o}.1`,
      refunded,
      'Acme',
      '0.00',
      '',
      '',
      '',
      String(5e12 + o),
      '',
      'Low',
      'web',
      '0.00',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      'Illinois',
      'Illinois',
      `c${o}`,
      '',
      '',
      `c${o}.1`,
    ];
    if (first.length !== COLUMNS) throw new Error(`a generated Shopify row has ${first.length} fields, not ${COLUMNS}`);
    lines.push(first.join(','));
    for (let i = 1; i < items; i++) {
      // a line item after the first: the order's columns empty, as Shopify writes them
      const line = new Array<string>(COLUMNS).fill('');
      const item: Record<string, string> = {
        Name: name,
        'Lineitem quantity': '2',
        'Lineitem name': 'Mug',
        'Lineitem price': price.toFixed(2),
        'Lineitem sku': 'MUG-1',
        'Lineitem requires shipping': 'true',
        'Lineitem taxable': 'true',
        'Lineitem fulfillment status': 'fulfilled',
        Vendor: 'Acme',
        'Lineitem discount': '0.00',
      };
      for (const [k, v] of Object.entries(item)) line[at.get(k)!] = v;
      lines.push(line.join(','));
    }
    if (financial !== 'pending' && cancelled === '') {
      plainLines.push(`${email},${new Date(t).toISOString()},${total}`);
      if (refunded !== '0.00') plainLines.push(`${email},${new Date(t).toISOString()},-${refunded}`);
    }
    if (lines.length >= 10_000) {
      if (!a.write(lines.join('\n') + '\n')) await new Promise<void>((r2) => a.once('drain', () => r2()));
      if (!b.write(plainLines.join('\n') + '\n')) await new Promise<void>((r2) => b.once('drain', () => r2()));
      lines = [];
      plainLines = [];
    }
  }
  a.write(lines.length ? lines.join('\n') + '\n' : '');
  b.write(plainLines.length ? plainLines.join('\n') + '\n' : '');
  await Promise.all(
    [a, b].map((s) => new Promise<void>((resolve, reject) => s.end((e?: Error | null) => (e ? reject(e) : resolve())))),
  );
  renameSync(shopify + '.tmp', shopify);
  renameSync(plain + '.tmp', plain);
  return { shopify, plain };
}

export interface CartImportRun {
  bytes: number;
  ms: number;
  /** CSV records read (line items). */
  rows: number;
  /** Orders imported. */
  orders: number;
  /** The plain CSV of the same orders: its rows and time. */
  plain: { bytes: number; ms: number; rows: number };
}

/** Each file read to RecordBatches, one after the other, in this process. */
export async function cartImport(files: { shopify: string; plain: string }): Promise<CartImportRun> {
  const summary = newCartSummary();
  let started = performance.now();
  for await (const batch of readCartOrders([files.shopify], { preset: 'shopify' }, summary)) void batch;
  const ms = performance.now() - started;
  started = performance.now();
  let rows = 0;
  for await (const batch of readCsvRecordBatches(files.plain, { ...CSV_OPTIONS, idType: 'string' }, newImportStats()))
    rows += batch.numRows;
  const plainMs = performance.now() - started;
  return {
    bytes: statSync(files.shopify).size,
    ms,
    rows: summary.rows,
    orders: summary.orders,
    plain: { bytes: statSync(files.plain).size, ms: plainMs, rows },
  };
}
