/**
 * Churn Risks refined by P(alive): models/churn-by-p-alive.json adds "p_alive < 0.5" to the
 * default model's Churn Risks. On the CDNOW sample: fewer Churn Risks than the default's,
 * and the same number in the report, in the exported list and in this test's own count over
 * the customer CSV (retention Churn-risk and its MBG/NBD P(alive) column below 0.5: CDNOW
 * has no engagement events); the fit the report names is rfm --predict's; both kernels
 * agree; a live server serving the file ends with the replay's count; a fit that cannot
 * converge makes the conditions hold for no one, and says so.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, inject, test } from 'vitest';
import { packageRoot } from '../../../src/package-root.js';
import { runCli, startCli, tempDir } from '../../support/cli.js';
import { LiveClient } from '../../support/live-client.js';

const dir = tempDir();
const file = (name: string): string => join(dir, name);
const refined = join(packageRoot(), 'models', 'churn-by-p-alive.json');

interface ReportJson {
  audiences: Record<string, { customers: number }>;
  thresholds: {
    aliveFit?: { model: string; r: number; alpha: number; a: number; b: number; converged: boolean; message: string };
  };
  predictions?: { fits: { mbgnbd: { r: number; alpha: number; a: number; b: number } } };
}

const read = (name: string): ReportJson => JSON.parse(readFileSync(file(name), 'utf8')) as ReportJson;

/** The rows of a CSV without quoted fields (these files have none), as objects by header. */
function rows(name: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(file(name), 'utf8').trimEnd().split('\n');
  const keys = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
}

beforeAll(async () => {
  copyFileSync(inject('cdnowSampleArrow'), file('sample.arrow'));
}, 60_000);

test('the report, the list and a count of the customer CSV agree on the refined Churn Risks', async () => {
  for (const args of [
    ['replay', file('sample.arrow'), '--json', file('default.json'), '-q'],
    [
      'replay',
      file('sample.arrow'),
      '--model',
      refined,
      '--predict',
      '--json',
      file('refined.json'),
      '--customers',
      file('customers.csv'),
      '-q',
    ],
    ['replay', file('sample.arrow'), '--model', refined, '--core', 'js', '--json', file('refined-js.json'), '-q'],
    [
      'export',
      file('sample.arrow'),
      '--model',
      refined,
      '--audience',
      'Churn Risks',
      '--predict',
      '-o',
      file('churn.csv'),
    ],
  ]) {
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
  }
  const before = read('default.json').audiences['Churn Risks'].customers;
  const report = read('refined.json');
  const after = report.audiences['Churn Risks'].customers;
  expect(after).toBeGreaterThan(0);
  expect(after).toBeLessThan(before);
  // this test's own count: late on their rhythm, and the model doubts they are still buying
  const customers = rows('customers.csv');
  expect(customers.some((c) => c.p_alive_mbgnbd === '0.5')).toBe(false);
  const own = customers.filter((c) => c.retention === 'Churn-risk' && Number(c.p_alive_mbgnbd) < 0.5).length;
  expect(own).toBe(after);
  expect(customers.filter((c) => c.retention === 'Churn-risk').length).toBe(before);
  const list = rows('churn.csv');
  expect(list).toHaveLength(after);
  expect(
    list.every((c) => c.List === 'Churn Risks' && c.Retention === 'Churn-risk' && Number(c['P Alive']) < 0.5),
  ).toBe(true);
  // the fit behind the rule is the one the predictions give
  const fit = report.thresholds.aliveFit!;
  expect(fit).toMatchObject({ model: 'mbgnbd', converged: true });
  const m = report.predictions!.fits.mbgnbd;
  expect([fit.r, fit.alpha, fit.a, fit.b]).toEqual([m.r, m.alpha, m.a, m.b]);
  // the plain core decides the same
  const js = read('refined-js.json');
  expect(js.audiences).toEqual(report.audiences);
  expect(js.thresholds.aliveFit).toEqual(fit);
  // the default model fits nothing
  expect(read('default.json').thresholds.aliveFit).toBeUndefined();
}, 120_000);

test('a purchase model that cannot be fitted leaves the refined audience empty, and says why', async () => {
  // three one-time buyers: no repeat purchase to tell drop-out from the rate of buying
  writeFileSync(file('few.csv'), 'customer_id,ts,amount\n1,2025-01-02,10\n2,2025-02-03,20\n3,2025-03-04,30\n');
  const r = await runCli([
    'replay',
    file('few.csv'),
    '--model',
    refined,
    '--as-of',
    '2025-12-31',
    '--json',
    file('few.json'),
    '-q',
  ]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain('p_alive conditions hold for no customer');
  const j = read('few.json');
  expect(j.thresholds.aliveFit!.converged).toBe(false);
  expect(j.audiences['Churn Risks'].customers).toBe(0);
}, 60_000);

test("rfm serve with the refined model ends with the replay's Churn Risks", async () => {
  // before, the server's fit of its first snapshot (a few batches in) served for a minute
  const { child, url } = await startCli([
    'serve',
    file('sample.arrow'),
    '--model',
    refined,
    '--port',
    '0',
    '--workers',
    '2',
    '--interval',
    '50',
    '--no-figures',
  ]);
  try {
    const client = await LiveClient.connect(url.replace('http', 'ws') + 'live');
    const last = await client.snapshotWhere((m) => m.ingest.sourceDone);
    client.close();
    expect(last.audiences['Churn Risks'].customers).toBe(read('refined.json').audiences['Churn Risks'].customers);
  } finally {
    child.kill('SIGKILL');
  }
}, 60_000);
