import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { customerIdOf } from '../../../src/report/customers-csv.js';
import { readCdnow } from '../../../src/sources/cdnow.js';
import { newImportStats } from '../../../src/sources/import-stats.js';
import { cdnowMaster } from '../../support/data.js';
import { independentRfm } from '../../support/independent-rfm.js';
import type { Order } from '../../support/independent-rfm.js';
import { ingestBatches, reportOf } from '../../support/engine.js';
import { shuffled } from '../../support/shuffle.js';

const DAY = 86_400_000;

function parseMaster(): Order[] {
  const lines = readFileSync(cdnowMaster(), 'utf8').split('\n').slice(1);
  const orders: Order[] = [];
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 4) continue;
    const d = f[1];
    orders.push({
      customer: String(Number(f[0])),
      day: Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8)) / DAY,
      amount: Number(f[3]),
    });
  }
  return orders;
}

/** CDNOW_master.txt with its lines in a seeded random order (header first), as a file. */
function shuffledMaster(seed: number): string {
  const [header, ...lines] = readFileSync(cdnowMaster(), 'utf8').trim().split('\n');
  const file = join(mkdtempSync(join(tmpdir(), 'rfm-cdnow-')), `CDNOW_master-shuffled-${seed}.txt`);
  writeFileSync(file, [header, ...shuffled(lines, seed)].join('\n') + '\n');
  return file;
}

async function replayCdnow(o: { core: 'wasm' | 'js'; workers: number; shuffled?: number }): Promise<Engine> {
  const engine = new Engine({ core: o.core, workers: o.workers });
  const file = o.shuffled === undefined ? cdnowMaster() : shuffledMaster(o.shuffled);
  await ingestBatches(engine, readCdnow(file, newImportStats()), 'CDNOW_master.txt');
  return engine;
}

describe('CDNOW master, exact mode', () => {
  const orders = parseMaster();

  test.each([
    { core: 'wasm' as const, workers: 2 },
    { core: 'js' as const, workers: 0 },
    // the lines in another order: the same customers, purchase days and segments
    { core: 'wasm' as const, workers: 2, shuffled: 1 },
    { core: 'js' as const, workers: 1, shuffled: 2 },
  ])(
    'totals match the file and every customer matches an independent ' +
      'computation ($core, $workers workers, shuffled: $shuffled)',
    async (o) => {
      const engine = await replayCdnow(o);
      try {
        const report = await reportOf(engine, 'exact');
        expect(report.customers).toBe(23_570);
        expect(report.orders).toBe(69_659);
        expect(orders.length).toBe(69_659);
        const fileCents = orders.reduce((s, x) => s + Math.round(x.amount * 100), 0);
        expect(Math.round(report.revenue * 100)).toBe(fileCents);
        expect(report.rejected).toBe(0);
        expect(report.asOf).toBe('1998-06-30T00:00:00.000Z');

        const expected = independentRfm(orders, Date.UTC(1998, 5, 30) / DAY);
        const exp = await engine.customers('exact');
        const model = engine.model;
        let checked = 0;
        const segmentCounts: Record<string, number> = {};
        for (const part of exp.parts) {
          for (let i = 0; i < part.numRows; i++) {
            const id = customerIdOf(part, i);
            const want = expected.get(id)!;
            const got = {
              orders: part.orders[i],
              purchaseDays: part.purchaseDays[i],
              r: part.r[i],
              f: part.f[i],
              m: part.m[i],
              aov: part.aovScore[i],
              retention: model.retentionNames[part.retention[i]],
              segment: model.segmentNames[part.segment[i]],
            };
            expect(got, `customer ${id}`).toEqual({
              orders: want.orders,
              purchaseDays: want.purchaseDays,
              r: want.r,
              f: want.f,
              m: want.m,
              aov: want.aov,
              retention: want.retention,
              segment: want.segment,
            });
            segmentCounts[want.segment] = (segmentCounts[want.segment] ?? 0) + 1;
            checked++;
          }
        }
        expect(checked).toBe(23_570);
        for (const [name, tally] of Object.entries(report.segments))
          expect(tally.customers, name).toBe(segmentCounts[name] ?? 0);
        const audienceCounts: Record<string, number> = {};
        for (const e of expected.values())
          for (const a of e.audiences) audienceCounts[a] = (audienceCounts[a] ?? 0) + 1;
        for (const name of ['VIP Customers', 'Repeat Purchasers', 'Churn Risks', 'Winback Opportunities']) {
          expect(report.audiences[name].customers, name).toBe(audienceCounts[name] ?? 0);
        }
        expect(report.audiences['Prospective Buyers'].customers).toBe(0);
      } finally {
        await engine.close();
      }
    },
  );

  test('the exact report of the lines shuffled is the time-ordered one', async () => {
    const reports = [];
    for (const shuffled of [undefined, 3]) {
      const engine = await replayCdnow({ core: 'wasm', workers: 2, shuffled });
      try {
        reports.push(await reportOf(engine, 'exact'));
      } finally {
        await engine.close();
      }
    }
    expect(reports[1]).toEqual(reports[0]);
    expect(reports[0].customers).toBe(23_570);
  });
});
