import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { cdnowMaster } from '../../support/data.js';
import { independentRfm } from '../../support/independent-rfm.js';
import type { Order } from '../../support/independent-rfm.js';
import { runCli, tempDir } from '../../support/cli.js';
import { shuffled } from '../../support/shuffle.js';

const DAY = 86_400_000;
const dir = tempDir();
const file = (name: string): string => join(dir, name);
const FROM = '1997-09-30';
const TO = '1998-06-30';
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

interface Move {
  from: string | null;
  to: string;
  customers: number;
}
type Json = Record<string, any>;

async function json(args: string[]): Promise<Json> {
  const out = file(`r-${Math.random().toString(36).slice(2)}.json`);
  const r = await runCli(['replay', ...args, '--json', out, '-q']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8'));
}

function parseMaster(): Order[] {
  return readFileSync(cdnowMaster(), 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 4)
    .map((f) => ({
      customer: String(Number(f[0])),
      day: Date.UTC(+f[1].slice(0, 4), +f[1].slice(4, 6) - 1, +f[1].slice(6, 8)) / DAY,
      amount: Number(f[3]),
    }));
}

const cdnow = file('cdnow.arrow');
beforeAll(async () => {
  copyFileSync(inject('cdnowArrow'), cdnow);
});

describe('rfm replay --from --to: the migration between two dates', () => {
  test(
    'CDNOW 1997-09-30 to 1998-06-30: every cell as a straightforward ' +
      'computation says, the columns as --as-of says',
    async () => {
      const report = await json([cdnow, '--from', FROM, '--to', TO, '--exact']);
      // a DATE is the end of that day (UTC here)
      expect(report.migration.from).toBe(`${FROM}T23:59:59.999Z`);
      expect(report.migration.to).toBe(`${TO}T23:59:59.999Z`);
      const moves: Move[] = report.migration.moves;
      // every customer present at --to once; each row the customers of its segment at --from
      expect(moves.reduce((n, m) => n + m.customers, 0)).toBe(report.customers);
      for (const s of SEGMENTS) {
        expect(
          moves.filter((m) => m.from === s).reduce((n, m) => n + m.customers, 0),
          s,
        ).toBe(report.atFrom.segments[s].customers);
        expect(
          moves.filter((m) => m.to === s).reduce((n, m) => n + m.customers, 0),
          s,
        ).toBe(report.segments[s].customers);
      }
      // the two ends are the reports of --as-of at each date
      const atFrom = await json([cdnow, '--as-of', FROM, '--exact']);
      const atTo = await json([cdnow, '--as-of', TO, '--exact']);
      for (const key of ['asOf', 'customers', 'segments', 'groups', 'retention']) {
        expect(report.atFrom[key], key).toEqual(atFrom[key]);
        expect(report[key], key).toEqual(atTo[key]);
      }
      // an independent computation on the CDNOW rows, cell by cell
      const orders = parseMaster();
      const fromDay = Date.UTC(1997, 8, 30) / DAY;
      // the as-of of a DATE is its last millisecond
      const endOf = (day: number): number => day + 1 - 1 / DAY;
      const before = independentRfm(
        orders.filter((o) => o.day <= fromDay),
        endOf(fromDay),
      );
      const after = independentRfm(orders, endOf(Date.UTC(1998, 5, 30) / DAY));
      const cells = new Map<string, number>();
      for (const [id, e] of after) {
        const key = `${before.get(id)?.segment ?? null} -> ${e.segment}`;
        cells.set(key, (cells.get(key) ?? 0) + 1);
      }
      expect(Object.fromEntries(moves.map((m) => [`${m.from} -> ${m.to}`, m.customers]))).toEqual(
        Object.fromEntries(cells),
      );
      expect(moves.length).toBeGreaterThan(20);
      // core retention from the same cells
      const core = ['Champions', 'Big Spenders', 'Loyalists'];
      const lost = ['Lost Core', 'Lost Potential Core'];
      const fromCore = moves.filter((m) => m.from !== null && core.includes(m.from));
      const n = fromCore.reduce((k, m) => k + m.customers, 0);
      expect(report.headlines.coreRetention).toMatchObject({
        coreAtFrom: report.atFrom.groups.Core.customers,
        notLost: fromCore.filter((m) => !lost.includes(m.to)).reduce((k, m) => k + m.customers, 0) / n,
        stillCore: fromCore.filter((m) => core.includes(m.to)).reduce((k, m) => k + m.customers, 0) / n,
      });
    },
  );

  test('the same orders in another order (CDNOW lines shuffled) move the same customers', async () => {
    const [header, ...lines] = readFileSync(cdnowMaster(), 'utf8').trim().split('\n');
    writeFileSync(file('shuffled.txt'), [header, ...shuffled(lines, 7)].join('\n') + '\n');
    const args = [
      '--delimiter',
      ' ',
      '--id-type',
      'int',
      '--customer-column',
      'customer_id',
      '--ts-column',
      'date',
      '--amount-column',
      'dollar_value',
      '--date-format',
      'yyyymmdd',
    ];
    const a = await json([cdnow, '--from', FROM, '--to', TO, '--exact']);
    const b = await json([file('shuffled.txt'), ...args, '--from', FROM, '--to', TO, '--exact']);
    expect(b.migration).toEqual(a.migration);
    expect(b.atFrom).toEqual(a.atFrom);
  });

  test(
    'a hand-built history moves a customer as DESIGN.md says: New -> ' +
      'Promising -> Champions, then Lost Core by the clock alone',
    async () => {
      // 200 customers with three orders each in 2020 set the scores and are long lost by 2024,
      // when customer x buys
      const rows = ['customer_id,ts,amount'];
      for (let c = 0; c < 200; c++) {
        for (let k = 0; k < 3; k++)
          rows.push(
            `${1000 + c},${new Date(Date.UTC(2020, 0, 1) + (c + 60 * k) * DAY).toISOString()},` +
              `${10 + ((c * 37 + k * 11) % 100)}`,
          );
      }
      const x = (day: number): string => `x,${new Date(Date.UTC(2024, 0, 1) + day * DAY).toISOString()},60`;
      rows.push(x(0));
      rows.push(x(2));
      for (let d = 4; d <= 20; d += 2) rows.push(x(d));
      writeFileSync(file('hand.csv'), rows.join('\n') + '\n');
      const segmentOfX = (csv: string): string =>
        readFileSync(csv, 'utf8')
          .split('\n')
          .find((l) => l.startsWith('x,'))!
          .split(',')[12];
      const dates = ['2024-01-01T12:00:00Z', '2024-01-03T12:00:00Z', '2024-01-21T12:00:00Z', '2024-02-20T12:00:00Z'];
      const expected = ['New Customers', 'Promising', 'Champions', 'Lost Core'];
      for (let i = 0; i < dates.length; i++) {
        const out = file(`x-${i}.csv`);
        const r = await runCli(['replay', file('hand.csv'), '--as-of', dates[i], '--exact', '--customers', out, '-q']);
        expect(r.code, r.stderr).toBe(0);
        expect(segmentOfX(out), dates[i]).toBe(expected[i]);
      }
      for (let i = 1; i < dates.length; i++) {
        const report = await json([file('hand.csv'), '--from', dates[i - 1], '--to', dates[i], '--exact']);
        const moved = report.migration.moves.filter((m: Move) => m.from !== m.to);
        // x is the only customer who moves: the others stay where they were, lost since 2020
        expect(moved, `${dates[i - 1]} -> ${dates[i]}`).toEqual([
          { from: expected[i - 1], to: expected[i], customers: 1 },
        ]);
        expect(report.atFrom.retention.Lost.customers).toBe(200);
      }
    },
  );
});

describe('rfm replay --cohorts: cultivation by cohort', () => {
  test(
    "CDNOW: each month's new customers Core within 90 / 180 / 365 days, as " +
      'a computation of the rules at every month end says',
    async () => {
      const report = await json([cdnow, '--cohorts', '--exact']);
      const orders = parseMaster();
      // the month ends the engine measures at, then the last event
      const ends: number[] = [];
      for (let m = 0; m < 17; m++) ends.push(Date.UTC(1997, m + 1, 1) - 1);
      ends.push(Date.UTC(1998, 5, 30));
      const firstCore = new Map<string, number>();
      for (const end of ends) {
        const day = end / DAY;
        for (const [id, e] of independentRfm(
          orders.filter((o) => o.day <= day),
          day,
        )) {
          if (['Champions', 'Big Spenders', 'Loyalists'].includes(e.segment) && !firstCore.has(id))
            firstCore.set(id, end);
        }
      }
      const first = new Map<string, number>();
      for (const o of orders) first.set(o.customer, Math.min(first.get(o.customer) ?? Infinity, o.day * DAY));
      const asOf = Date.UTC(1998, 5, 30);
      const expected = new Map<string, { customers: number; within: number[]; last: number }>();
      for (const [id, t] of first) {
        const month = new Date(t).toISOString().slice(0, 7);
        const d = new Date(t);
        const row = expected.get(month) ?? {
          customers: 0,
          within: [0, 0, 0],
          last: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1,
        };
        expected.set(month, row);
        row.customers++;
        [90, 180, 365].forEach((days, k) => {
          const c = firstCore.get(id);
          if (c !== undefined && c - t <= days * DAY) row.within[k]++;
        });
      }
      const want = [...expected.entries()].sort().map(([month, r]) => ({
        month,
        customers: r.customers,
        ...Object.fromEntries(
          [90, 180, 365].map((days, k) => [
            `within${days}`,
            r.last + days * DAY <= asOf ? r.within[k] / r.customers : null,
          ]),
        ),
      }));
      // CDNOW is the cohort of the first quarter of 1997
      expect(want.map((r) => r.month)).toEqual(['1997-01', '1997-02', '1997-03']);
      expect(report.cultivation.cohorts).toEqual(want);
      expect(report.cultivation.cohorts[0].within365).toBeGreaterThan(0.1);
      // the rest of the report is the plain one
      const { cultivation: _, ...rest } = report;
      expect(rest).toEqual(await json([cdnow, '--exact']));
    },
  );
});

describe('rfm replay --every', () => {
  test(
    '--every month on CDNOW: 18 reports, each migration since the one ' + "before, the last the plain replay's",
    async () => {
      const lines = file('months.jsonl');
      const r = await runCli([
        'replay',
        cdnow,
        '--every',
        'month',
        '--json-lines',
        lines,
        '--exact',
        '--json',
        file('last.json'),
        '-q',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const reports = readFileSync(lines, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(reports).toHaveLength(18);
      expect(reports[0].asOf).toBe('1997-01-31T23:59:59.999Z');
      expect(reports[0].migration.from).toBeNull();
      expect(reports[16].asOf).toBe('1998-05-31T23:59:59.999Z');
      for (let i = 1; i < 18; i++) {
        expect(reports[i].migration.from).toBe(reports[i - 1].asOf);
        expect(reports[i].migration.moves.reduce((n: number, m: Move) => n + m.customers, 0)).toBe(
          reports[i].customers,
        );
        // a customer present at the month before is in its row; the others came since
        const fromBefore = reports[i].migration.moves
          .filter((m: Move) => m.from !== null)
          .reduce((n: number, m: Move) => n + m.customers, 0);
        expect(fromBefore).toBe(reports[i - 1].customers);
      }
      const plain = await json([cdnow, '--exact']);
      // the last line is the plain replay's report, with the moves and core kept since the month before
      const { migration: _, headlines: lineFigures, ...last } = reports[17];
      // what was counted is the whole read's, on the final report (docs/formats.md)
      const { headlines: plainFigures, counted, ...plainRest } = plain;
      expect(last).toEqual(plainRest);
      expect(counted).toMatchObject({ rowsRead: 69_659, orders: 69_659, rejected: 0 });
      expect(lineFigures.coreWorth).toEqual(plainFigures.coreWorth);
      expect(lineFigures.coreRetention.coreAtFrom).toBe(reports[16].groups.Core.customers);
      expect(JSON.parse(readFileSync(file('last.json'), 'utf8'))).toEqual(plain);
    },
  );

  test('options that do not go together are refused by name, with exit code 2', async () => {
    // every pair is checked in test/unit/cli/replay-checks.test.ts and options.test.ts; here,
    // that the command runs the checks before reading, and how it ends
    const cases: [string[], RegExp][] = [
      [['--every', 'month'], /--every writes a report a period: give --json-lines/],
      [['--every', 'fortnight', '--json-lines', '-'], /--every must be one of day, week, month, quarter/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['replay', cdnow, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const stdin = await runCli(['replay', '-', '--from', FROM], { input: '' });
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain('give files, not stdin');
  });
});
