/**
 * The WebAssembly CSV reader against the plain one (csv/plain-reader.ts, the reference): random
 * CSVs with every quoting case, line end, date format, decimal comma, odd value and bad
 * row, cut into random chunks, give the same report, the same rejects (row, reason) and the
 * same counts; CDNOW written as CSV gives the report of the CDNOW route.
 */
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { convertRecordBatches } from '../../../../src/batch/record-batches.js';
import { Engine } from '../../../../src/engine/engine.js';
import { readCdnow } from '../../../../src/sources/cdnow.js';
import { readCsvOrders } from '../../../../src/sources/csv/plain-reader.js';
import type { CsvImportOptions } from '../../../../src/sources/csv/csv-options.js';
import { readCsv } from '../../../../src/sources/csv/source.js';
import { readCsvRecordBatches } from '../../../../src/sources/csv/record-batches.js';
import type { RecordBatch } from 'apache-arrow';
import { newImportStats } from '../../../../src/sources/import-stats.js';
import type { ImportStats } from '../../../../src/sources/import-stats.js';
import { Random } from '../../../../src/sources/generator/random.js';
import { cdnowMaster } from '../../../support/data.js';
import { ingestBatches, reportOf } from '../../../support/engine.js';
import { randomCsv, SHAPES } from '../../../support/random-csv.js';

/** The text in chunks of 1 to `most` bytes (records and UTF-8 sequences cut anywhere). */
function chunked(text: string, seed: number, most: number): Readable {
  const bytes = Buffer.from(text);
  const rng = new Random(seed);
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const n = 1 + Math.floor(rng.next() * most);
    parts.push(bytes.subarray(at, at + n));
    at += n;
  }
  return Readable.from(parts);
}

interface Outcome {
  report: unknown;
  rejects: string[];
  stats: ImportStats;
}

async function outcome(text: string, o: CsvImportOptions, fast: boolean, seed: number, most: number): Promise<Outcome> {
  const engine = new Engine({ workers: 0, keepRejects: true, asOf: Date.UTC(2026, 0, 1) });
  try {
    const stats = newImportStats();
    const source = fast
      ? readCsv(chunked(text, seed, most), o, engine.sourceOptions(), stats)
      : convertRecordBatches(readCsvOrders(chunked(text, seed, most), o, stats), engine.sourceOptions());
    for await (const c of source) await engine.ingest(c);
    return {
      report: await reportOf(engine, 'exact'),
      rejects: engine.takeRejects().map((r) => `${r.row}:${r.reason}`),
      stats,
    };
  } finally {
    await engine.close();
  }
}

describe('the WebAssembly CSV reader reads as the plain reader does', () => {
  test.each(SHAPES.map((s, i) => [i, s] as const))(
    'shape %i: %j, in chunks of 1-7 and 1-4,000 bytes',
    async (i, shape) => {
      const text = randomCsv(shape, 100 + i, 3000);
      const o: CsvImportOptions = {
        customer: 'customer_id',
        ts: 'ts',
        amount: 'amount',
        delimiter: shape.delimiter,
        header: true,
        dateFormat: shape.format,
        decimalComma: shape.comma,
        idType: 'auto',
      };
      const want = await outcome(text, o, false, 1, 4000);
      // the cases are there: rejects of each reason, rows left out, quoted line ends
      expect(want.stats.badFieldCounts).toBeGreaterThan(5);
      expect(new Set(want.rejects.map((r) => r.split(':')[1])).size).toBeGreaterThanOrEqual(3);
      for (const [seed, most] of [
        [2, 7],
        [3, 4000],
      ]) {
        const got = await outcome(text, o, true, seed, most);
        expect(got.stats).toEqual(want.stats);
        expect(got.rejects).toEqual(want.rejects);
        expect(got.report).toEqual(want.report);
      }
    },
  );

  test('CDNOW written as CSV gives the report of the CDNOW route', async () => {
    const rows: string[] = ['customer_id,ts,amount'];
    for await (const b of readCdnow(cdnowMaster(), newImportStats())) {
      const id = b.getChild('customer_id')!;
      const ts = b.getChild('ts')!;
      const amount = b.getChild('amount')!;
      for (let i = 0; i < b.numRows; i++)
        rows.push(`${id.get(i)},${new Date(Number(ts.get(i))).toISOString().slice(0, 10)},${amount.get(i)}`);
    }
    const viaCdnow = new Engine({ workers: 2 });
    const viaCsv = new Engine({ workers: 2 });
    try {
      await ingestBatches(viaCdnow, readCdnow(cdnowMaster(), newImportStats()));
      const o: CsvImportOptions = {
        customer: 'customer_id',
        ts: 'ts',
        amount: 'amount',
        delimiter: ',',
        header: true,
        dateFormat: 'iso',
        decimalComma: false,
        idType: 'auto',
      };
      for await (const c of readCsv(
        Readable.from([rows.join('\n') + '\n']),
        o,
        viaCsv.sourceOptions(),
        newImportStats(),
      ))
        await viaCsv.ingest(c);
      const want = await reportOf(viaCdnow, 'exact');
      expect((want as { orders: number }).orders).toBe(69_659);
      expect(await reportOf(viaCsv, 'exact')).toEqual(want);
    } finally {
      await viaCdnow.close();
      await viaCsv.close();
    }
  });
});

describe('rfm import csv on the scanner writes what the plain reader writes', () => {
  /** Every row of the batches as text: id, time, amount, kind (nulls as null). */
  async function rowsOf(batches: AsyncIterable<RecordBatch>): Promise<string[]> {
    const out: string[] = [];
    for await (const b of batches) {
      const cols = ['customer_id', 'ts', 'amount', 'kind'].map((n) => b.getChild(n)!);
      for (let i = 0; i < b.numRows; i++) out.push(cols.map((c) => String(c.get(i))).join('|'));
    }
    return out;
  }
  test.each(SHAPES.map((s, i) => [i, s] as const))('shape %i: %j', async (i, shape) => {
    const text = randomCsv(shape, 300 + i, 2000);
    const o: CsvImportOptions = {
      customer: 'customer_id',
      ts: 'ts',
      amount: 'amount',
      delimiter: shape.delimiter,
      header: true,
      dateFormat: shape.format,
      decimalComma: shape.comma,
      idType: 'auto',
    };
    const wantStats = newImportStats();
    const want = await rowsOf(readCsvOrders(chunked(text, 1, 5000), o, wantStats));
    const gotStats = newImportStats();
    const got = await rowsOf(readCsvRecordBatches(chunked(text, 2, 9), o, gotStats));
    expect(want.length).toBeGreaterThan(1900);
    expect(got).toEqual(want);
    expect(gotStats).toEqual(wantStats);
  });
});

describe('a malformed CSV ends with RFM_ERR_INPUT naming the input and the line', () => {
  const o: CsvImportOptions = {
    customer: 'customer_id',
    ts: 'ts',
    amount: 'amount',
    delimiter: ',',
    header: true,
    dateFormat: 'iso',
    decimalComma: false,
    idType: 'auto',
  };
  const good = 'customer_id,ts,amount\n' + Array.from({ length: 20 }, (_, i) => `${i + 1},2024-01-01,5\n`).join('');
  async function refusal(bytes: Buffer): Promise<string> {
    const engine = new Engine({ workers: 0 });
    try {
      for await (const c of readCsv(Readable.from([bytes]), o, engine.sourceOptions(), newImportStats()))
        await engine.ingest(c);
      return 'no error';
    } catch (e) {
      return `${(e as { code?: string }).code}: ${(e as Error).message}`;
    } finally {
      await engine.close();
    }
  }
  test.each([
    [
      'a quote that never closes',
      Buffer.from(good + '21,"2024-01-02,7\n22,2024-01-03,1\n'),
      'RFM_ERR_INPUT: the request body: a quoted field opened on line 22 never closes',
    ],
    [
      'a NUL byte',
      Buffer.concat([Buffer.from(good), Buffer.from([0x32, 0x31, 0x2c, 0x00, 0x0a])]),
      'RFM_ERR_INPUT: the request body: line 22 holds a NUL byte',
    ],
    [
      'bytes that are not UTF-8',
      Buffer.concat([Buffer.from(good + '21,2024-01-01,'), Buffer.from([0xe9, 0x0a])]),
      'RFM_ERR_INPUT: the request body: line 22 is not UTF-8 (byte 0xe9)',
    ],
    [
      'a record past a million bytes',
      Buffer.from(good + `21,"${'x'.repeat(1_100_000)}",5\n`),
      'RFM_ERR_INPUT: the request body: the record on line 22 is longer than 1,048,576 bytes',
    ],
  ])('%s', async (_name, bytes, message) => {
    expect(await refusal(bytes)).toContain(message);
  });
});
