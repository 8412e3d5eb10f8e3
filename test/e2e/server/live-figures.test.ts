/**
 * The live engine's cultivation and core-retention figures are the report's: CDNOW in time
 * order, fed in batches that straddle month ends (and in one batch spanning all 18 months),
 * measures what `rfm replay --cohorts --from` measures by reading the file once a month.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { RecordBatchConverter } from '../../../src/batch/record-batches.js';
import { LiveEngine } from '../../../src/server/live.js';
import { buildOrderBatch } from '../../../src/sources/batch-builder.js';
import { Random } from '../../../src/sources/generator/random.js';
import { runCli, tempDir } from '../../support/cli.js';
import { cdnowMaster } from '../../support/data.js';

const dir = tempDir();
const cdnow = join(dir, 'cdnow.arrow');
/** The latest month end at least 90 days before CDNOW's last order (1998-06-30). */
const BASELINE = '1998-03-31T23:59:59.999Z';

interface Row {
  id: number;
  ts: number;
  amount: number;
}

/** CDNOW's rows in time order (a stable sort: same-day rows keep the file's order). */
function rowsByTime(): Row[] {
  return readFileSync(cdnowMaster(), 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 4 && /^\d+$/.test(f[0]))
    .map((f) => ({
      id: Number(f[0]),
      ts: Date.UTC(+f[1].slice(0, 4), +f[1].slice(4, 6) - 1, +f[1].slice(6, 8)),
      amount: Number(f[3]),
    }))
    .sort((a, b) => a.ts - b.ts);
}

function batchOf(rows: Row[], text?: (id: number) => string) {
  const columns = {
    numRows: rows.length,
    ts: Float64Array.from(rows, (r) => r.ts),
    amount: Float64Array.from(rows, (r) => r.amount),
    kind: new Int8Array(rows.length),
  };
  if (text) return buildOrderBatch({ ...columns, idStrings: rows.map((r) => text(r.id)) });
  const words = new Int32Array(2 * rows.length);
  for (const [i, r] of rows.entries()) words[2 * i] = r.id;
  return buildOrderBatch({
    numRows: rows.length,
    idWords: words,
    ts: Float64Array.from(rows, (r) => r.ts),
    amount: Float64Array.from(rows, (r) => r.amount),
    kind: new Int8Array(rows.length),
  });
}

/**
 * The live figures of the rows in batches of sizes(); the row of id -1 (a guest's email) goes
 * alone; the others' ids are integers or, with textIds, text.
 */
async function liveFigures(rows: Row[], sizes: () => number, textIds = false) {
  const live = new LiveEngine({ workers: 2 }, 1000);
  try {
    const convert = new RecordBatchConverter(live.engine.sourceOptions(), 'cdnow');
    for (let at = 0; at < rows.length; ) {
      if (rows[at].id === -1) {
        await live.ingest(convert.convert(batchOf([rows[at]], () => 'guest@example.com')));
        at++;
        continue;
      }
      let n = Math.min(rows.length - at, sizes());
      for (let k = at; k < at + n; k++) if (rows[k].id === -1) n = k - at;
      await live.ingest(convert.convert(batchOf(rows.slice(at, at + n), textIds ? (id) => `c${id}` : undefined)));
      at += n;
    }
    await live.markSourceDone();
    return (await live.snapshot()).figures!;
  } finally {
    await live.close();
  }
}

let report: Record<string, any>;
beforeAll(async () => {
  copyFileSync(inject('cdnowArrow'), cdnow);
  const out = join(dir, 'report.json');
  const r = await runCli(['replay', cdnow, '--cohorts', '--from', BASELINE, '--json', out, '-q']);
  expect(r.code, r.stderr).toBe(0);
  report = JSON.parse(readFileSync(out, 'utf8'));
}, 120_000);

describe('the live figures', () => {
  const rows = rowsByTime();

  test("in batches of 1 to 5,000 rows that straddle month ends: the report's " +
    'cultivation and core retention', async () => {
    const rng = new Random(11);
    const figures = await liveFigures(rows, () => 1 + Math.floor(rng.next() * 5000));
    expect(figures.measuredAt).toBe('1998-06-30T00:00:00.000Z');
    expect(figures.cultivation).toEqual(report.cultivation);
    expect(figures.cultivation!.cohorts.map((c) => c.month)).toEqual(['1997-01', '1997-02', '1997-03']);
    expect(figures.coreRetention).toEqual(report.headlines.coreRetention);
    expect(figures.coreRetention!.from).toBe(BASELINE);
    expect(figures.coreRetention!.coreAtFrom).toBeGreaterThan(1000);
  }, 120_000);

  test('in one batch spanning all 18 months: the same', async () => {
    const figures = await liveFigures(rows, () => rows.length);
    expect(figures.cultivation).toEqual(report.cultivation);
    expect(figures.coreRetention).toEqual(report.headlines.coreRetention);
  }, 120_000);

  test('ids that turn from integers to text part-way (the customers dealt out ' +
    'again): the same as text ids throughout', async () => {
    const guest = { id: -1, ts: Date.UTC(1997, 5, 15), amount: 25 };
    const mixed = [...rows.filter((r) => r.ts <= guest.ts), guest, ...rows.filter((r) => r.ts > guest.ts)];
    const rng = new Random(3);
    const turned = await liveFigures(mixed, () => 1 + Math.floor(rng.next() * 5000));
    const rng2 = new Random(3);
    const texts = await liveFigures(mixed, () => 1 + Math.floor(rng2.next() * 5000), true);
    expect(turned.cultivation).toEqual(texts.cultivation);
    expect(turned.coreRetention).toEqual(texts.coreRetention);
    expect(turned.cultivation!.cohorts[0].within365).toBeGreaterThan(0.1);
  }, 120_000);

  test('before the first month end: nothing measured, then the end of the source measures', async () => {
    const january = rows.filter((r) => r.ts < Date.UTC(1997, 0, 20));
    const live = new LiveEngine({ workers: 1 }, 1000);
    try {
      await live.ingest(new RecordBatchConverter(live.engine.sourceOptions(), 'cdnow').convert(batchOf(january)));
      expect((await live.snapshot()).figures).toEqual({ cultivation: null, coreRetention: null, measuredAt: null });
      await live.markSourceDone();
      const f = (await live.snapshot()).figures!;
      expect(f.measuredAt).toBe('1997-01-19T00:00:00.000Z');
      expect(f.cultivation!.cohorts).toEqual([
        {
          month: '1997-01',
          customers: new Set(january.map((r) => r.id)).size,
          within90: null,
          within180: null,
          within365: null,
        },
      ]);
      expect(f.coreRetention).toBeNull();
    } finally {
      await live.close();
    }
  });
});
