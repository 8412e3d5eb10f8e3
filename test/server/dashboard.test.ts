/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core): it
 * connects, shows the numbers, and they change as orders arrive. Saves a screenshot to
 * build/screenshots/dashboard.png.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { expect, test } from 'vitest';
import { startCli } from '../support/cli.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = resolve(import.meta.dirname, '../../build/screenshots');

test('the dashboard shows live numbers that change as orders arrive', async () => {
  expect(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`).toBe(true);
  const { child: server, url } = await startCli(['demo', '--port', '0', '--rate', '20000', '--customers', '20000', '--orders', '400000', '--workers', '1']);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live');
    await page.waitForFunction(() => Number(document.getElementById('k-orders')!.textContent!.replace(/,/g, '')) > 0);
    const count = async (id: string): Promise<number> => Number((await page.textContent(`#${id}`))!.replace(/,/g, ''));
    const first = await count('k-orders');
    await page.waitForFunction((before) => Number(document.getElementById('k-orders')!.textContent!.replace(/,/g, '')) > before, first);
    expect(await count('k-orders')).toBeGreaterThan(first);
    expect(await count('k-customers')).toBeGreaterThan(0);
    expect(await page.locator('#segments tr').count()).toBe(1 + 8);
    expect(await page.textContent('#segments')).toContain('were on the way to core, stopped');
    expect(await page.locator('#trend polyline').count()).toBe(8);
    expect(await page.textContent('#lorenz')).toContain('top 10 %');
    await page.waitForTimeout(2000);
    mkdirSync(SHOTS, { recursive: true });
    const shot = join(SHOTS, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  } finally {
    await browser.close();
    server.kill('SIGINT');
  }
});
