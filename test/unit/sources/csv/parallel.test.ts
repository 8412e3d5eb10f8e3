/**
 * The parallel CSV reader gives what one scan from the start gives, for any number of
 * threads and chunk sizes: the same report, rejects (row, reason, line) and counts, on
 * random CSVs whose quoted fields hold line ends (so some chunks start inside one, and the
 * coordinator scans them again), and the same error, on the same line, for a bad byte.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Engine } from '../../../../src/engine/engine.js';
import type { CsvImportOptions } from '../../../../src/sources/csv/csv-options.js';
import { readCsvParallel } from '../../../../src/sources/csv/parallel.js';
import { readCsv } from '../../../../src/sources/csv/source.js';
import { newImportStats } from '../../../../src/sources/import-stats.js';
import type { ImportStats } from '../../../../src/sources/import-stats.js';
import { RepeatOrders } from '../../../../src/batch/repeat-orders.js';
import { reportOf } from '../../../support/engine.js';
import { randomCsv, SHAPES } from '../../../support/random-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'rfm-csv-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  report: unknown;
  rejects: string[];
  stats: ImportStats;
}

const tally = { chunks: 0, rescanned: 0 };

async function outcome(file: string, o: CsvImportOptions, readers: number | null, chunkBytes = 4096): Promise<Outcome> {
  const engine = new Engine({ workers: 2, keepRejects: true, asOf: Date.UTC(2026, 0, 1) });
  try {
    const stats = newImportStats();
    const source =
      readers === null
        ? readCsv(file, o, engine.sourceOptions(), stats)
        : readCsvParallel(file, o, engine.sourceOptions(), stats, { readers, chunkBytes, tally });
    for await (const c of source) await engine.ingest(c);
    return {
      report: await reportOf(engine, 'exact'),
      rejects: engine.takeRejects().map((r) => `${r.row}:${r.line}:${r.reason}`),
      stats,
    };
  } finally {
    await engine.close();
  }
}

describe('the parallel CSV reader reads as one scan does', () => {
  test.each([0, 1, 2, 4].map((i) => [i, SHAPES[i]] as const))(
    'shape %i (%j): 2 and 4 threads, chunks of 4 KiB and 64 KiB',
    async (i, shape) => {
      const file = join(dir, `shape-${i}.csv`);
      writeFileSync(file, randomCsv(shape, 200 + i, 6000));
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
      const want = await outcome(file, o, null);
      expect(want.stats.records).toBeGreaterThan(5000);
      expect(want.rejects.length).toBeGreaterThan(50);
      tally.chunks = 0;
      tally.rescanned = 0;
      for (const [readers, chunk] of [
        [2, 4096],
        [4, 4096],
        [2, 65_536],
      ]) {
        const got = await outcome(file, o, readers, chunk);
        expect(got.stats, `${readers} threads, ${chunk}-byte chunks`).toEqual(want.stats);
        expect(got.rejects).toEqual(want.rejects);
        expect(got.report).toEqual(want.report);
      }
      // the files are cut into many chunks, and some start inside a quoted line end
      expect(tally.chunks).toBeGreaterThan(100);
      expect(tally.rescanned).toBeGreaterThan(0);
    },
  );

  test(
    'integer ids, then emails and 007 further on: read, one customer per ' + 'id (was: an error at the first email)',
    async () => {
      const file = join(dir, 'mixed-ids.csv');
      const lines = ['customer_id,ts,amount'];
      for (let i = 0; i < 30_000; i++)
        lines.push(`${1 + (i % 700)},2024-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')},${i % 50}.25`);
      for (let i = 0; i < 3000; i++)
        lines.push(
          `${i % 3 === 0 ? `guest${i % 40}@example.com` : i % 3 === 1 ? `00${1 + (i % 9)}` : String(1 + (i % 700))}` +
            `,2024-10-01,3`,
        );
      writeFileSync(file, lines.join('\n') + '\n');
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
      const asText = await outcome(file, { ...o, idType: 'string' }, null);
      // 700 integers, 40 guests, and 002, 005, 008 apart from 2, 5, 8
      expect((asText.report as { customers: number }).customers).toBe(743);
      expect((await outcome(file, o, null)).report).toEqual(asText.report);
      expect((await outcome(file, o, 2)).report).toEqual(asText.report);
    },
  );

  test('a byte that is not UTF-8 deep in the file: the same error on the same line', async () => {
    const file = join(dir, 'bad-byte.csv');
    const lines = ['customer_id,ts,amount'];
    for (let i = 0; i < 20_000; i++)
      lines.push(`${1 + (i % 500)},2024-01-${String(1 + (i % 28)).padStart(2, '0')},${i % 90}.5`);
    const text = lines.join('\n') + '\n';
    const at = text.indexOf('\n', Math.floor(text.length * 0.7)) + 1;
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(text.slice(0, at)),
        Buffer.from([0x31, 0x2c, 0xff, 0x0a]),
        Buffer.from(text.slice(at)),
      ]),
    );
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
    const errorOf = async (readers: number | null): Promise<string> =>
      outcome(file, o, readers).then(
        () => 'no error',
        (e: Error) => e.message,
      );
    const want = await errorOf(null);
    expect(want).toMatch(/line \d+ is not UTF-8/);
    expect(await errorOf(2)).toBe(want);
    expect(await errorOf(4)).toBe(want);
  });

  test('order ids (quoted, some holding a line end) come through every thread as one scan gives them', async () => {
    const file = join(dir, 'order-ids.csv');
    const lines = ['customer_id,order_id,ts,amount'];
    // 1,500 of the 6,000 ids repeat an earlier one
    for (let i = 0; i < 6000; i++)
      lines.push(
        `${1 + (i % 300)},"o,${i % 4500}${(i % 4500) % 7 === 0 ? '\n' : ''}",2024-03-` +
          `${String(1 + (i % 28)).padStart(2, '0')},${i % 40}.5`,
      );
    writeFileSync(file, lines.join('\n') + '\n');
    const o: CsvImportOptions = {
      customer: 'customer_id',
      ts: 'ts',
      amount: 'amount',
      delimiter: ',',
      header: true,
      dateFormat: 'iso',
      decimalComma: false,
      idType: 'auto',
      order: { name: 'order_id', required: false },
    };
    const keysOf = async (readers: number | null): Promise<{ keys: string[]; dropped: number }> => {
      const engine = new Engine({ workers: 1 });
      const repeats = new RepeatOrders();
      const keys: string[] = [];
      try {
        const stats = newImportStats();
        const source =
          readers === null
            ? readCsv(file, o, engine.sourceOptions(), stats)
            : readCsvParallel(file, o, engine.sourceOptions(), stats, { readers, chunkBytes: 4096 });
        for await (const c of source) {
          const k = c.orderKeys!;
          for (let i = 0; i + 1 < k.offsets.length; i++)
            keys.push(
              k.ids[i] === k.ids[i]
                ? String(k.ids[i])
                : Buffer.from(k.bytes.subarray(k.offsets[i], k.offsets[i + 1])).toString(),
            );
          repeats.drop(c);
          await engine.ingest(c);
        }
        expect(engine.counts.orders).toBe(4500);
        return { keys, dropped: repeats.dropped };
      } finally {
        await engine.close();
      }
    };
    const want = await keysOf(null);
    expect(want.keys.slice(6, 8)).toEqual(['o,6', 'o,7\n']);
    expect(want).toMatchObject({ dropped: 1500 });
    expect(await keysOf(2)).toEqual(want);
    expect(await keysOf(4)).toEqual(want);
  });
});
