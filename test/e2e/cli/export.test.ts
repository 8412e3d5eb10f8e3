import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { CART_FIXTURES } from '../../support/data.js';
import { runCli, tempDir } from '../../support/cli.js';

const dir = tempDir();
const file = (name: string): string => join(dir, name);
const cdnow = file('cdnow.arrow');
const AUDIENCES = ['VIP Customers', 'Repeat Purchasers', 'Churn Risks', 'Winback Opportunities', 'Prospective Buyers'];

/** The list's rows as records by header name. */
function rowsOf(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
}

async function report(args: string[]): Promise<Record<string, any>> {
  const out = file(`r-${Math.random().toString(36).slice(2)}.json`);
  const r = await runCli(['replay', ...args, '--json', out, '-q']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8'));
}

beforeAll(async () => {
  copyFileSync(inject('cdnowArrow'), cdnow);
});

describe('rfm export: lists an email tool imports', () => {
  test(
    'each audience, segment, group and retention state of CDNOW lists ' +
      'exactly the customers the report counts, on both kernels',
    async () => {
      const r = await report([cdnow, '--exact']);
      const args = [
        cdnow,
        '--exact',
        ...AUDIENCES.flatMap((a) => ['--audience', a]),
        '--segment',
        'Champions',
        '--group',
        'lost',
        '--retention',
        'Drifting',
      ];
      for (const core of ['wasm', 'js']) {
        const out = file(`lists-${core}.csv`);
        const e = await runCli(['export', ...args, '--core', core, '-o', out]);
        expect(e.code, e.stderr).toBe(0);
        expect(readFileSync(out, 'utf8').split('\n')[0]).toBe(
          'Email Address,Customer ' +
            'ID,List,Segment,Group,Retention,Orders,Purchase Days,Net Spend,First ' +
            'Order,Last Order,Recency Days,R,F,M',
        );
        const rows = rowsOf(out);
        // the checks below read rows of these lists: none may be empty, or they would hold vacuously
        expect(rows.length).toBeGreaterThan(1000);
        for (const list of ['Churn Risks', 'Lost'])
          expect(rows.filter((y) => y.List === list).length, list).toBeGreaterThan(0);
        const listed = (list: string): Set<string> =>
          new Set(rows.filter((x) => x.List === list).map((x) => x['Customer ID']));
        for (const a of AUDIENCES) {
          expect(listed(a).size, a).toBe(r.audiences[a].customers);
          expect(rows.filter((x) => x.List === a).length, a).toBe(r.audiences[a].customers);
        }
        expect(listed('Champions').size).toBe(r.segments.Champions.customers);
        expect(listed('Lost').size).toBe(r.groups.Lost.customers);
        expect(listed('Drifting').size).toBe(r.retention.Drifting.customers);
        for (const x of rows.filter((y) => y.List === 'Churn Risks')) expect(x.Retention).toBe('Churn-risk');
        for (const x of rows.filter((y) => y.List === 'Lost'))
          expect(['Lost Core', 'Lost Potential Core']).toContain(x.Segment);
        // CDNOW's ids are numbers: no email column, and it says so
        expect(rows.every((x) => x['Email Address'] === '')).toBe(true);
        expect(e.stderr).toContain('no customer id is an email');
      }
      expect(readFileSync(file('lists-js.csv'), 'utf8').split('\n').sort()).toEqual(
        readFileSync(file('lists-wasm.csv'), 'utf8').split('\n').sort(),
      );
    },
  );

  test('prospects (engaged, no order) are listed in an audience of prospects', async () => {
    const orders = file('generated.arrow');
    expect(
      (await runCli(['generate', '--customers', '2000', '--orders', '10000', '--seed', '5', '-o', orders])).code,
    ).toBe(0);
    const r = await report([orders]);
    expect(r.audiences['Prospective Buyers'].customers).toBeGreaterThan(0);
    const out = file('prospects.csv');
    const e = await runCli(['export', orders, '--audience', 'prospective buyers', '-o', out]);
    expect(e.code, e.stderr).toBe(0);
    const rows = rowsOf(out);
    expect(rows).toHaveLength(r.audiences['Prospective Buyers'].customers);
    for (const x of rows) expect({ orders: x.Orders, segment: x.Segment }).toEqual({ orders: '0', segment: '' });
  });

  test("a cart export's guests are their emails; a customer id is not an email", async () => {
    const out = file('woo.csv');
    const e = await runCli([
      'export',
      join(CART_FIXTURES, 'woocommerce-orders.csv'),
      '--group',
      'Core',
      '--group',
      'Potential Core',
      '--group',
      'Non-core',
      '--group',
      'Lost',
      '-o',
      out,
    ]);
    expect(e.code, e.stderr).toBe(0);
    const rows = rowsOf(out);
    expect(rows.map((x) => [x['Email Address'], x['Customer ID']]).sort()).toEqual([
      ['', '17'],
      ['', '23'],
      ['guest@example.de', 'guest@example.de'],
    ]);
  });

  test(
    '--since-segment lists the customers who entered the segment after the ' + "date: the migration's moves into it",
    async () => {
      const r = await report([cdnow, '--from', '1997-09-30', '--to', '1998-06-30', '--exact']);
      const entered = r.migration.moves
        .filter((m: { from: string | null; to: string }) => m.to === 'Champions' && m.from !== 'Champions')
        .reduce((n: number, m: { customers: number }) => n + m.customers, 0);
      const out = file('new-champions.csv');
      const e = await runCli([
        'export',
        cdnow,
        '--segment',
        'Champions',
        '--since-segment',
        '1997-09-30',
        '--as-of',
        '1998-06-30',
        '--exact',
        '-o',
        out,
      ]);
      expect(e.code, e.stderr).toBe(0);
      expect(rowsOf(out)).toHaveLength(entered);
      expect(entered).toBeGreaterThan(1000);
    },
  );

  test("a list that is not the model's, or no list, is refused by name", async () => {
    const cases: [string[], RegExp][] = [
      [['--audience', 'Whales'], /--audience "Whales": the model has no such audience \(VIP Customers, /],
      [[], /name at least one list/],
      [
        ['--audience', 'Churn Risks', '--since-segment', '1997-09-30'],
        /--since-segment picks customers who entered a segment: give --segment/,
      ],
    ];
    for (const [args, message] of cases) {
      const e = await runCli(['export', cdnow, ...args, '-o', file('x.csv')]);
      expect(e.code, args.join(' ')).toBe(2);
      expect(e.stderr).toMatch(message);
    }
    const empty = file('empty.csv');
    writeFileSync(empty, 'customer_id,ts,amount\n');
    const none = await runCli(['export', empty, '--audience', 'Churn Risks', '-o', file('x.csv')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('empty.csv: no rows to export');
  });
});
