/**
 * Predictions in `rfm serve`: GET /predictions refits BG/NBD, MBG/NBD and Gamma-Gamma on
 * the live state (calibration end: the day of the latest event), the same fits `rfm predict
 * --calibration-end` gives for that day; with --predict-every the server pushes them to every
 * client; the dashboard's card shows them, in chromium.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { beforeAll, expect, inject, test } from 'vitest';
import type { PredictionsMessage } from '../../../src/server/live-predictions.js';
import { runCli, startCli, tempDir } from '../../support/cli.js';
import { LiveClient } from '../../support/live-client.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dir = tempDir();
const sample = join(dir, 'sample.arrow');

beforeAll(async () => {
  copyFileSync(inject('cdnowSampleArrow'), sample);
});

test('GET /predictions fits the live state as rfm predict fits the same ' +
  'orders; --predict-every pushes them; the page shows them', async () => {
  const { child, url } = await startCli([
    'serve',
    '--port',
    '0',
    '--workers',
    '2',
    '--interval',
    '50',
    '--predict-every',
    '300ms',
    '--no-figures',
  ]);
  try {
    const posted = await fetch(url + 'ingest', { method: 'POST', body: readFileSync(sample) });
    expect(posted.status).toBe(200);
    const client = await LiveClient.connect(url.replace('http', 'ws') + 'live');
    const pushed = await client.next<PredictionsMessage>((m) => m.type === 'predictions' && m.customers === 2357);
    const got = (await (await fetch(url + 'predictions')).json()) as PredictionsMessage;
    // the same state: the same fit, not a new one
    expect(got.takenAt).toBe(pushed.takenAt);
    expect(got.calibrationEnd).toBe('1998-06-30');
    const out = join(dir, 'p.json');
    const cli = await runCli(['predict', sample, '--calibration-end', '1998-06-30', '--json', out, '-q']);
    expect(cli.code, cli.stderr).toBe(0);
    const expected = JSON.parse(readFileSync(out, 'utf8'));
    expect(got.bgnbd).toEqual(expected.bgnbd);
    expect(got.mbgnbd).toEqual(expected.mbgnbd);
    expect({ p: got.gammaGamma.p, q: got.gammaGamma.q, v: got.gammaGamma.v }).toEqual({
      p: expected.gammaGamma.p,
      q: expected.gammaGamma.q,
      v: expected.gammaGamma.v,
    });
    expect(got.pAlive.bgnbd.reduce((a, b) => a + b, 0)).toBe(2357);
    expect(got.pAlive.mbgnbd.reduce((a, b) => a + b, 0)).toBe(2357);
    // BG/NBD counts every one-time buyer alive: they are all in the top bin
    expect(got.pAlive.bgnbd[9]).toBeGreaterThanOrEqual(expected.customers - expected.repeaters);
    expect(got.expectedPurchases).toBeGreaterThan(0);
    client.close();

    expect(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`).toBe(
      true,
    );
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(url);
      await page.waitForSelector('#p-purchases');
      expect(await page.textContent('#p-purchases')).toBe(Math.round(got.expectedPurchases).toLocaleString('en-US'));
      expect(await page.locator('#predictions .pcol').count()).toBe(20);
      expect(await page.textContent('#predictions')).toContain(`BG/NBD r ${got.bgnbd.r.toFixed(3)}`);
    } finally {
      await browser.close();
    }
  } finally {
    child.kill('SIGKILL');
  }
}, 90_000);
