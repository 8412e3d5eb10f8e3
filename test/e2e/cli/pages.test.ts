/**
 * What a merchant reads on the pages, in a real browser (Debian's chromium) at 1200 and 390
 * px: the store's currency with money, "what was counted" equal to the import's summary, and
 * no figure broken across lines. The report of a cart export, and the dashboard serving it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, startCli, tempDir } from '../../support/cli.js';
import { CART_FIXTURES } from '../../support/data.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FIXTURES = CART_FIXTURES;
const dir = tempDir();
const file = (name: string): string => join(dir, name);
let browser: Browser;
let summary: {
  rows: number;
  orders: number;
  rejected: number;
  excluded: Record<string, number>;
  otherCurrencies: Record<string, number>;
  currency: string;
};
let exportFile: string;

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`).toBe(true);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  // the Shopify fixture with a large order and an order dated in the future
  const lines = readFileSync(join(FIXTURES, 'shopify-orders.csv'), 'utf8').split('\n');
  const future = lines
    .find((l) => l.startsWith('#1001,alice'))!
    .replace('#1001,alice@', '#1099,zed@')
    .replace('2023-10-15 16:20:03 -0400', '2099-01-01 12:00:00 -0500');
  exportFile = file('orders_export.csv');
  writeFileSync(exportFile, [lines[0], future, ...lines.slice(1)].join('\n'));
  const imp = await runCli([
    'import',
    'shopify',
    exportFile,
    '-o',
    file('orders.arrow'),
    '--json',
    file('summary.json'),
  ]);
  expect(imp.code, imp.stderr).toBe(0);
  summary = JSON.parse(readFileSync(file('summary.json'), 'utf8'));
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** The elements holding a figure whose box is more than one line high (a number broken across lines). */
async function brokenFigures(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(
    (sel) =>
      [...document.querySelectorAll(sel)]
        .filter((e) => {
          const style = getComputedStyle(e);
          const line = parseFloat(style.lineHeight) || 1.4 * parseFloat(style.fontSize);
          const rects = [...e.getClientRects()];
          return rects.length > 1 || rects.some((r) => r.height > 1.5 * line);
        })
        .map((e) => `${e.getAttribute('data-key') ?? e.id}: ${e.textContent}`),
    selector,
  );
}

describe('the report of a cart export', () => {
  test("currency with money, what was counted equal to the import's summary, " +
    'no figure broken, at 1200 and 390 px', async () => {
    const html = file('report.html');
    const r = await runCli(['report', exportFile, '-o', html, '--json', file('report.json')]);
    expect(r.code, r.stderr).toBe(0);
    for (const width of [1200, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(`file://${html}`);
      const text = async (key: string): Promise<string> => (await page.textContent(`[data-key="${key}"]`))!;
      // a card's money says its currency under the figure (on a phone the card has no room beside it)
      expect(await page.locator('.card', { has: page.locator('[data-key="revenue"]') }).textContent()).toMatch(
        /^[\d,]+\.\d\dnet revenue, USD$/,
      );
      expect(await text('segments.Champions.revenue')).toMatch(/ USD$/);
      expect(await page.textContent('header')).toContain('money in USD');
      expect(await text('counted.rowsRead')).toBe(summary.rows.toLocaleString('en-US'));
      expect(await text('counted.orders')).toBe(summary.orders.toLocaleString('en-US'));
      expect(await text('counted.rejected')).toBe(String(summary.rejected));
      for (const [why, k] of Object.entries(summary.excluded))
        if (k > 0) expect(await text(`counted.excluded.${why}`)).toBe(String(k));
      for (const [cur, k] of Object.entries(summary.otherCurrencies))
        expect(await text(`counted.otherCurrencies.${cur}`)).toBe(String(k));
      expect(await text('counted.rejectedBy.time too far ahead of the clock (--max-future).count')).toBe('1');
      // the footer's count is the same one
      expect(await page.textContent('footer')).toContain(`${summary.rejected} rows rejected`);
      expect(await brokenFigures(page, '[data-key], .nowrap'), `${width} px`).toEqual([]);
      await page.screenshot({ path: file(`report-${width}.png`), fullPage: true });
      await page.close();
    }
  }, 60_000);
});

describe('the dashboard serving a cart export', () => {
  test('currency, what was counted, no moves yet said in words, an icon, no ' +
    'figure broken, at 1200 and 390 px', async () => {
    const { child, url } = await startCli(['serve', exportFile, '--port', '0', '--workers', '1', '--interval', '50']);
    // the page opens after the replay: no customer moves after that
    await new Promise<void>((resolve) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('rfm: replayed')) resolve();
      });
    });
    try {
      for (const width of [1200, 390]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        const missing: string[] = [];
        page.on('response', (res) => {
          if (res.status() >= 400) missing.push(`${res.status()} ${res.url()}`);
        });
        await page.goto(url);
        await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('replay done'));
        await page.waitForFunction(
          (orders) => document.getElementById('k-orders')!.textContent === String(orders),
          summary.orders,
        );
        expect(await page.textContent('#k-revenue')).toMatch(/ USD$/);
        expect(await page.textContent('#k-rejected')).toBe(String(summary.rejected));
        const counted = (await page.locator('#counted tr').allTextContents()).map((t) => t.trim());
        expect(counted).toContain(`rows read${summary.rows}`);
        expect(counted).toContain(`orders counted${summary.orders}`);
        for (const [why, k] of Object.entries(summary.excluded))
          if (k > 0)
            expect(
              counted.some(
                (t) =>
                  t.startsWith(`left out: ${why === 'refunded' ? 'refunded whole' : why}`) && t.endsWith(String(k)),
              ),
            ).toBe(true);
        expect(await page.textContent('#money-note')).toBe('Money in USD.');
        expect(await page.textContent('#migration')).toContain('No moves yet');
        expect(await brokenFigures(page, '.kpi .v'), `${width} px`).toEqual([]);
        const icon = await page.evaluate(async () => (await fetch('/favicon.ico')).status);
        expect(icon).toBe(200);
        expect(missing).toEqual([]);
        await page.screenshot({ path: file(`dashboard-${width}.png`), fullPage: true });
        await page.close();
      }
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
