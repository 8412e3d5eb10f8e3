import { expect, test } from 'vitest';
import { convertBatch } from '../../../src/batch/convert.js';
import { DEFAULT_COLUMNS } from '../../../src/batch/schema.js';
import { Kind } from '../../../src/domain/types.js';
import { randomHistory } from '../../support/random-batches.js';

/**
 * A converted batch's counts against a count made here, row by row from the Arrow batch
 * itself: bad rows (null time, NaN amount) fall anywhere in a batch, some batches have
 * none, and an as-of time cuts through the middle, so both the plain loop and the full
 * check (from the first row that needs it) are counted.
 */
const KINDS = ['order', 'refund', 'visit', 'email_open'];

test.each([0, 0.001, 0.03])(
  'counts, watermark and marks agree with a count made row by row (bad rows: %s)',
  (badRate) => {
    const batches = randomHistory({ customers: 500, rows: 40_000, batches: 8, seed: 12, badRate });
    const middle = batches[4].get(1000)!.ts as number;
    for (const asOf of [undefined, middle]) {
      for (const b of batches) {
        const c = convertBatch(b, { names: DEFAULT_COLUMNS, asOf, keepRejects: true, firstRow: 0, source: 'test' });
        const want = { orders: 0, refunds: 0, engagements: 0, rejected: 0, afterAsOf: 0, maxTs: -Infinity };
        for (let i = 0; i < b.numRows; i++) {
          const row = b.get(i)!;
          const t = row.ts === null ? NaN : Number(row.ts);
          const a = row.amount === null ? NaN : Number(row.amount);
          const k = KINDS.indexOf(String(row.kind));
          if (Number.isNaN(t) || (k <= Kind.refund && !Number.isFinite(a))) {
            want.rejected++;
            expect(c.columns.kind[i]).toBe(Kind.skip);
          } else if (asOf !== undefined && t > asOf) {
            want.afterAsOf++;
            expect(c.columns.kind[i]).toBe(Kind.skip);
          } else {
            want.maxTs = Math.max(want.maxTs, t);
            if (k === Kind.order && a >= 0) want.orders++;
            else if (k <= Kind.refund) want.refunds++;
            else want.engagements++;
            expect(c.columns.kind[i]).toBe(k);
          }
        }
        const { orders, refunds, engagements, rejected, afterAsOf, maxTs } = c;
        expect({ orders, refunds, engagements, rejected, afterAsOf, maxTs }).toEqual(want);
        expect(c.rejects).toHaveLength(want.rejected);
      }
    }
  },
);
