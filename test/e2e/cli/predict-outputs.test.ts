/**
 * --predict on rfm replay, rfm report and rfm export: the models fitted to the report's
 * customers at its date, the same fits rfm predict gives for that day; the year ahead by
 * segment in the JSON and the HTML report (every number on the page the JSON's); each
 * customer's P(alive), expected purchases and CLV in the customer list and the audience list,
 * the same as rfm predict's for that customer.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, inject, test } from 'vitest';
import { runCli, tempDir } from '../../support/cli.js';

const dir = tempDir();
const file = (name: string): string => join(dir, name);

/** CSV rows by their id column (no quoted commas in these files). */
function rowsById(path: string, idColumn: string): { header: string[]; rows: Map<string, string[]> } {
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const header = head.split(',');
  const at = header.indexOf(idColumn);
  return { header, rows: new Map(lines.map((l) => l.split(',')).map((f) => [f[at], f])) };
}

let predicted: { header: string[]; rows: Map<string, string[]> };
let fits: { bgnbd: unknown; mbgnbd: unknown; gammaGamma: { p: number; q: number; v: number } };
beforeAll(async () => {
  copyFileSync(inject('cdnowSampleArrow'), file('sample.arrow'));
  const p = await runCli([
    'predict',
    file('sample.arrow'),
    '--calibration-end',
    '1998-06-30',
    '--json',
    file('p.json'),
    '--customers',
    file('p.csv'),
    '-q',
  ]);
  expect(p.code, p.stderr).toBe(0);
  predicted = rowsById(file('p.csv'), 'customer_id');
  fits = JSON.parse(readFileSync(file('p.json'), 'utf8'));
}, 60_000);

const close = (a: string, b: string, digits: number): void =>
  expect(Math.abs(Number(a) - Number(b))).toBeLessThanOrEqual(0.5 * 10 ** -digits + 1e-9);

test(
  "rfm replay --predict: the fits of rfm predict at the report's date, " +
    'the year ahead by segment, per customer in --customers',
  async () => {
    const r = await runCli([
      'replay',
      file('sample.arrow'),
      '--predict',
      '--json',
      file('r.json'),
      '--customers',
      file('r.csv'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/the next 52 weeks \(BG\/NBD r 0\.\d{3}/);
    const report = JSON.parse(readFileSync(file('r.json'), 'utf8'));
    const p = report.predictions;
    expect(p.fits.bgnbd).toEqual(fits.bgnbd);
    expect(p.fits.mbgnbd).toEqual(fits.mbgnbd);
    expect(p.fits.gammaGamma.p).toBe(fits.gammaGamma.p);
    const bySegment = p.bySegment as { segment: string; customers: number; clv: number; expectedPurchases: number }[];
    expect(bySegment.reduce((n, s) => n + s.customers, 0)).toBe(report.customers);
    for (const s of bySegment) expect(s.customers).toBe(report.segments[s.segment].customers);
    expect(bySegment.reduce((n, s) => n + s.clv, 0)).toBeCloseTo(p.clv, 6);
    const mine = rowsById(file('r.csv'), 'customer_id');
    expect(mine.header.slice(-4)).toEqual(['p_alive_mbgnbd', 'p_alive_bgnbd', 'expected_purchases_52w', 'clv_52w']);
    const col = (h: string[], name: string): number => h.indexOf(name);
    let compared = 0;
    for (const [id, row] of mine.rows) {
      const other = predicted.rows.get(id)!;
      close(row[col(mine.header, 'p_alive_mbgnbd')], other[col(predicted.header, 'p_alive_mbgnbd')], 4);
      close(row[col(mine.header, 'p_alive_bgnbd')], other[col(predicted.header, 'p_alive_bgnbd')], 4);
      close(row[col(mine.header, 'expected_purchases_52w')], other[col(predicted.header, 'expected_purchases')], 4);
      close(row[col(mine.header, 'clv_52w')], other[col(predicted.header, 'clv')], 2);
      compared++;
    }
    expect(compared).toBe(2357);
  },
);

test(
  "rfm report --predict: a section whose every number is the JSON's; rfm " + 'export --predict: the same per customer',
  async () => {
    const r = await runCli([
      'report',
      file('sample.arrow'),
      '--predict',
      '-o',
      file('r.html'),
      '--json',
      file('rr.json'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const page = readFileSync(file('r.html'), 'utf8');
    const report = JSON.parse(readFileSync(file('rr.json'), 'utf8'));
    expect(page).toContain('What customers are worth next');
    let checked = 0;
    for (const m of page.matchAll(/<span data-key="(predictions\.[^"]+)">([^<]+)<\/span>/g)) {
      const v = m[1].split('.').reduce((o: any, k) => o[k], report) as number;
      const digits = m[2].replace(/[,%\s]/g, '');
      const decimals = digits.includes('.') ? digits.split('.')[1].length : 0;
      const scaled = m[2].includes('%') ? 100 * v : v;
      expect(Math.abs(Number(digits) - scaled), `${m[1]}: ${m[2]} against ${v}`).toBeLessThanOrEqual(
        0.5 * 10 ** -decimals + 1e-9,
      );
      checked++;
    }
    // the sums, every segment's four figures, the ten P(alive) bins
    expect(checked).toBe(3 + 8 * 4 + 10);

    const e = await runCli([
      'export',
      file('sample.arrow'),
      '--audience',
      'Churn Risks',
      '--predict',
      '-o',
      file('l.csv'),
    ]);
    expect(e.code, e.stderr).toBe(0);
    const list = rowsById(file('l.csv'), 'Customer ID');
    expect(list.header.slice(-4)).toEqual(['P Alive', 'P Alive BG/NBD', 'Expected Purchases', 'CLV']);
    expect(list.rows.size).toBe(report.audiences['Churn Risks'].customers);
    for (const [id, row] of list.rows) {
      const other = predicted.rows.get(id)!;
      close(row[list.header.indexOf('P Alive')], other[predicted.header.indexOf('p_alive_mbgnbd')], 4);
      close(row[list.header.indexOf('CLV')], other[predicted.header.indexOf('clv')], 2);
    }
  },
);
