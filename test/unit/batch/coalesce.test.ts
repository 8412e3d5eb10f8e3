import { describe, expect, test } from 'vitest';
import { CoreKernel } from '../../../src/core/core-kernel.js';
import { convertBatch } from '../../../src/batch/convert.js';
import { DEFAULT_COLUMNS } from '../../../src/batch/schema.js';
import type { ConvertedBatch } from '../../../src/batch/converted.js';
import { joinConverted } from '../../../src/batch/coalesce.js';
import { digest } from '../../support/bytes.js';
import { randomHistory } from '../../support/random-batches.js';

/**
 * Joining converted batches (what the reading thread does with small batches) changes
 * nothing a kernel keeps: the state after the joined batch is byte for byte the state after
 * the batches one by one, and the counts add up. Rejected rows (null customers, NaN amounts)
 * and string ids, whose offsets must be moved, are in the mix.
 */
describe.each([false, true])('joining converted batches (string ids: %s)', (stringIds) => {
  test('gives the kernel the same rows, in order, and the same counts', () => {
    const batches = randomHistory({
      customers: 300,
      rows: 6_000,
      batches: 4,
      seed: 7,
      stringIds,
      shuffleRate: 0.2,
      badRate: 0.02,
    });
    let firstRow = 0;
    const convert = (): ConvertedBatch[] =>
      batches.map((b) => {
        const c = convertBatch(b, { names: DEFAULT_COLUMNS, keepRejects: true, firstRow, source: 'test' });
        firstRow += b.numRows;
        return c;
      });
    const separate = convert();
    firstRow = 0;
    const joined = joinConverted(convert());

    const one = new CoreKernel();
    for (const c of separate) one.ingest(c.columns, 0, 1);
    const all = new CoreKernel();
    all.ingest(joined.columns, 0, 1);
    expect(digest(all.serialize())).toBe(digest(one.serialize()));
    expect(all.numCustomers).toBeGreaterThan(250);

    const sum = (pick: (c: ConvertedBatch) => number) => separate.reduce((n, c) => n + pick(c), 0);
    expect(joined.batches).toBe(4);
    expect(joined.columns.numRows).toBe(6_000);
    expect(joined.orders).toBe(sum((c) => c.orders));
    expect(joined.refunds).toBe(sum((c) => c.refunds));
    expect(joined.rejected).toBe(sum((c) => c.rejected));
    expect(joined.rejected).toBeGreaterThan(0);
    expect(joined.maxTs).toBe(Math.max(...separate.map((c) => c.maxTs)));
    expect(joined.rejects.map((r) => r.row)).toEqual(separate.flatMap((c) => c.rejects.map((r) => r.row)));
  });
});
