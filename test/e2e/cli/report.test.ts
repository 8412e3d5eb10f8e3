/**
 * rfm report: the HTML report of CDNOW between two dates, held to its JSON and rendered in a
 * real browser (Debian's chromium, driven by playwright-core) at desktop and phone width and
 * printed to PDF. The pictures are kept in the test's folder for a person to look at.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { runCli, tempDir } from '../../support/cli.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dir = tempDir();
const file = (name: string): string => join(dir, name);
const html = file('report.html');
const json = file('report.json');

beforeAll(async () => {
  copyFileSync(inject('cdnowArrow'), file('cdnow.arrow'));
  const r = await runCli([
    'report',
    file('cdnow.arrow'),
    '--from',
    '1997-09-30',
    '--to',
    '1998-06-30',
    '--exact',
    '-o',
    html,
    '--json',
    json,
  ]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain(`wrote the report to ${html}`);
});

/** The JSON value a data-key names (migration.FROM.TO: that move; playbook.*: not in the JSON). */
function valueAt(report: Record<string, any>, key: string): number | null {
  if (key.startsWith('playbook.')) return null;
  if (key.startsWith('migration.')) {
    const [, from, to] = key.split('.');
    return report.migration.moves.find(
      (m: { from: string | null; to: string }) => String(m.from) === from && m.to === to,
    ).customers;
  }
  const path = key.startsWith('concentration.') ? ['headlines', ...key.split('.')] : key.split('.');
  return path.reduce((v: any, k) => v[k], report);
}

describe('rfm report', () => {
  test("one self-contained file whose every number is the JSON report's", () => {
    const page = readFileSync(html, 'utf8');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    // no network: nothing fetched, no script run
    expect(page).not.toMatch(/<script(?![^>]*application\/json)|<link|src=|url\(|https?:\/\//i);
    const embedded = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(page)![1]);
    expect({ ...embedded, prospects: undefined }).toEqual({ ...report, prospects: undefined });
    let checked = 0;
    for (const m of page.matchAll(/<span data-key="([^"]+)">([^<]+)<\/span>/g)) {
      const key = m[1].replace(/&#39;/g, "'");
      const shown = m[2];
      const v = valueAt(report, key);
      if (v === null) continue;
      const digits = shown.replace(/[,x%\s]/g, '');
      const decimals = digits.includes('.') ? digits.split('.')[1].length : 0;
      const scaled = shown.includes('%') ? 100 * v : v;
      expect(Math.abs(Number(digits) - scaled), `${key}: ${shown} against ${v}`).toBeLessThanOrEqual(
        0.5 * 10 ** -decimals + 1e-9,
      );
      checked++;
    }
    // the cards, the figures, every segment, group and retention state, the matrix's cells
    expect(checked).toBeGreaterThan(60);
    for (const s of ['Champions', 'Lost Core', 'Lost Potential Core'])
      expect(page).toContain(`data-key="segments.${s}.customers"`);
    const words = page.replace(/<[^>]+>/g, '');
    expect(words).toContain('Who moved where, 1997-09-30 to 1998-06-30');
    expect(page).toContain('<svg class="sankey"');
    expect(page).toContain('Playbook');
    expect(words).toContain('Core customers of 1997-09-30 are not Lost at 1998-06-30');
    // numbers that look alike say why they differ
    const n = (v: number): string => v.toLocaleString('en-US');
    const said = words.replace(/&#34;/g, '"').replace(/&#39;/g, "'");
    expect(said).toContain(
      `Three counts say "Lost": ${n(report.retention.Lost.customers)} customers are past four of their usual gaps ` +
        `(retention); ` +
        `${n(report.groups.Lost.customers)} of them are in the Lost group`,
    );
    expect(said).toContain(`${n(report.audiences['Winback Opportunities'].customers)} are Winback Opportunities`);
    const vip = report.audiences['VIP Customers'].customers;
    expect(said).toContain(
      `VIP Customers (${vip}, an audience) share the Champions rule (R,` +
        ` F and M 4 or 5) but keep the ${vip - report.segments.Champions.customers} whom their own rhythm calls Lost`,
    );
    // technical figures fold under details
    expect(page).toMatch(/<details><summary>details<\/summary><p class="def">Gini coefficient/);
    expect(page).toContain('Core retention: of the customers in a Core segment at the first date');
  });

  test('renders in chromium at desktop and phone width without spilling, and prints to PDF', async () => {
    expect(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`).toBe(
      true,
    );
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      for (const [width, name] of [
        [1200, 'desktop'],
        [390, 'phone'],
      ] as const) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        const requests: string[] = [];
        page.on('request', (r) => {
          if (!r.url().startsWith('file:')) requests.push(r.url());
        });
        await page.goto(`file://${html}`);
        // the page is no wider than the screen: wide parts (the matrix, the Sankey) scroll in their box
        expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(width);
        // no text smaller than 11 px, and the cards' numbers inside their cards
        const smallest = await page.evaluate(() =>
          Math.min(
            ...[...document.querySelectorAll('main *')]
              .filter(
                (e) => e.childNodes.length && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim()),
              )
              .map((e) => parseFloat(getComputedStyle(e).fontSize)),
          ),
        );
        expect(smallest, name).toBeGreaterThanOrEqual(11);
        const spilled = await page.evaluate(
          () =>
            [...document.querySelectorAll('.card b')].filter(
              (b) => (b as HTMLElement).scrollWidth > (b as HTMLElement).clientWidth,
            ).length,
        );
        expect(spilled, name).toBe(0);
        expect(await page.textContent('[data-key="customers"]')).toBe('23,570');
        await page.screenshot({ path: file(`report-${name}.png`), fullPage: true });
        expect(requests).toEqual([]);
        await page.close();
      }
      const page = await browser.newPage();
      await page.goto(`file://${html}`);
      const pdf = await page.pdf({ path: file('report.pdf'), format: 'A4' });
      expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
      const letter = await page.pdf({ format: 'Letter' });
      expect(letter.length).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
