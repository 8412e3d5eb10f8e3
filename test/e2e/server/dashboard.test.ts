/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core): it
 * connects, shows the numbers, and they change as orders arrive. Saves a screenshot to
 * build/screenshots/dashboard.png.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { expect, test } from 'vitest';
import { runCli, startCli } from '../../support/cli.js';
import { PROJECT } from '../../support/data.js';
import { LiveClient } from '../../support/live-client.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = resolve(PROJECT, 'build', 'screenshots');

test('the dashboard shows live numbers that change as orders arrive', async () => {
  expect(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`).toBe(true);
  const { child: server, url } = await startCli([
    'demo',
    '--port',
    '0',
    '--rate',
    '20000',
    '--customers',
    '20000',
    '--orders',
    '400000',
    '--workers',
    '1',
  ]);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live');
    await page.waitForFunction(() => Number(document.getElementById('k-orders')!.textContent!.replace(/,/g, '')) > 0);
    const count = async (id: string): Promise<number> => Number((await page.textContent(`#${id}`))!.replace(/,/g, ''));
    const first = await count('k-orders');
    await page.waitForFunction(
      (before) => Number(document.getElementById('k-orders')!.textContent!.replace(/,/g, '')) > before,
      first,
    );
    expect(await count('k-orders')).toBeGreaterThan(first);
    expect(await count('k-customers')).toBeGreaterThan(0);
    expect(await page.locator('#segments tr').count()).toBe(1 + 8);
    expect(await page.textContent('#segments')).toContain('were on the way to core, stopped');
    expect(await page.locator('#trend polyline').count()).toBe(8);
    expect(await page.textContent('#lorenz')).toContain('top 10 %');
    // a series long enough to show in the screenshot
    await page.waitForFunction(
      () => document.querySelector('#trend polyline')!.getAttribute('points')!.trim().split(' ').length >= 20,
    );
    mkdirSync(SHOTS, { recursive: true });
    const shot = join(SHOTS, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  } finally {
    await browser.close();
    server.kill('SIGINT');
  }
});

/** A browser for the page's checks below. */
async function browserOf(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
}

test('opened after a replay at phone width: the whole series, "replay ' +
  'done", nothing spills, a report to download', async () => {
  const orders = join(tmpdir(), `rfm-dash-${process.pid}.arrow`);
  expect(
    (await runCli(['generate', '--customers', '3000', '--orders', '30000', '--seed', '2', '-o', orders])).code,
  ).toBe(0);
  const { child: server, url } = await startCli([
    'serve',
    orders,
    '--port',
    '0',
    '--workers',
    '1',
    '--interval',
    '50',
    '--rate',
    '30000',
  ]);
  const browser = await browserOf();
  try {
    // open the page once the replay is done (a snapshot says so)
    const watcher = await LiveClient.connect(url.replace('http', 'ws') + 'live');
    await watcher.snapshotWhere((m) => m.ingest.sourceDone);
    watcher.close();
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'replay done · serving');
    expect(await page.textContent('#k-rate')).toBe('–');
    // the series the server kept: more than the one snapshot since the page opened
    const points = await page.evaluate(
      () => document.querySelector('#trend polyline')!.getAttribute('points')!.trim().split(' ').length,
    );
    expect(points).toBeGreaterThan(3);
    // y ticks at round values
    const tickValues = await page.evaluate(() =>
      [...document.querySelectorAll('#trend text')]
        .map((t) => t.textContent!)
        .filter((t) => /^[\d,]+$/.test(t))
        .map((t) => Number(t.replace(/,/g, ''))),
    );
    const step = tickValues[1] - tickValues[0];
    expect(String(step)).toMatch(/^[125]0*$/);
    // the series starts at the first order, not at the epoch of an empty engine
    expect(await page.textContent('#trend')).not.toContain('1970');
    // moves since the page opened: none after the replay ended
    expect(await page.textContent('#migration')).toBe(
      'No moves yet: a customer who changes segment after this page opened shows here.',
    );
    // phone width: the page is no wider than the screen, the numbers stay in their cards, chart text stays readable
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(
      await page.evaluate(
        () =>
          [...document.querySelectorAll('.kpi .v')].filter(
            (v) => (v as HTMLElement).scrollWidth > (v as HTMLElement).clientWidth,
          ).length,
      ),
    ).toBe(0);
    const smallest = await page.evaluate(() =>
      Math.min(...[...document.querySelectorAll('svg.chart text')].map((t) => t.getBoundingClientRect().height)),
    );
    expect(smallest).toBeGreaterThanOrEqual(10);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'dashboard-phone.png'), fullPage: true });
    // the HTML report of the state now
    const report = await page.evaluate(async () => {
      const r = await fetch((document.getElementById('report-link') as HTMLAnchorElement).href);
      return { status: r.status, text: await r.text() };
    });
    expect(report.status).toBe(200);
    expect(report.text).toContain('<svg class="lorenz"');
    expect(report.text).toContain('data-key="customers">3,000<');
    // cultivation and core retention, as the report measures them (the page says the baseline's day)
    const sentence = (await page.textContent('#figures .fig'))!;
    const from = /Core customers of (\d{4}-\d{2}-\d{2})/.exec(sentence)![1];
    const out = join(tmpdir(), `rfm-dash-${process.pid}.json`);
    const r = await runCli(['replay', orders, '--cohorts', '--from', `${from}T23:59:59.999Z`, '--json', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const replayed = JSON.parse(readFileSync(out, 'utf8'));
    const pct = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(1)} %`);
    const kept = replayed.headlines.coreRetention;
    expect(sentence).toBe(
      `${pct(kept.notLost)} of the ${kept.coreAtFrom.toLocaleString('en-US')} Core customers of ${from} are not ` +
        `Lost on ${kept.to.slice(0, 10)}; ${pct(kept.stillCore)} are still Core.`,
    );
    const cohorts: {
      month: string;
      customers: number;
      within90: number | null;
      within180: number | null;
      within365: number | null;
    }[] = replayed.cultivation.cohorts;
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll('#cohorts tr')]
        .slice(1)
        .map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(rows).toEqual(
      cohorts
        .slice(-12)
        .reverse()
        .map((c) => [
          c.month,
          c.customers.toLocaleString('en-US'),
          pct(c.within90),
          pct(c.within180),
          pct(c.within365),
        ]),
    );
    expect(report.text).toContain('Cultivation: new customers who became Core');
    expect(report.text.replace(/<[^>]+>/g, '')).toContain(`Core customers of ${from} are not Lost`);
  } finally {
    await browser.close();
    server.kill('SIGINT');
  }
}, 60_000);

test('without the token the page says one is needed; a page that lost its ' +
  'server reconnects to the next one', async () => {
  const { child: guarded, url } = await startCli(['serve', '--port', '0', '--workers', '1', '--token', 's3cret']);
  const browser = await browserOf();
  let next: ChildProcessWithoutNullStreams | null = null;
  try {
    const bare = new URL(url);
    bare.search = '';
    const page = await browser.newPage();
    await page.goto(bare.href);
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('a token is needed'));
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live');
    // the server goes, and another comes on the same port
    const port = new URL(url).port;
    guarded.kill('SIGINT');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'reconnecting…');
    next = (await startCli(['serve', '--port', port, '--workers', '1', '--token', 's3cret'])).child;
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live', undefined, {
      timeout: 20_000,
    });
  } finally {
    await browser.close();
    guarded.kill('SIGINT');
    next?.kill('SIGINT');
  }
}, 60_000);
