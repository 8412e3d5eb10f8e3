import { describe, expect, test } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { Engine } from '../../../src/engine/engine.js';
import { readCdnow } from '../../../src/sources/cdnow.js';
import { generateOrders } from '../../../src/sources/generator/generator.js';
import { newImportStats } from '../../../src/sources/import-stats.js';
import { cdnowMaster } from '../../support/data.js';
import { ingestBatches } from '../../support/engine.js';

/** Share of customers whose segment is the same under sketch and exact ranks. */
async function agreement(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
): Promise<{ share: number; customers: number }> {
  const engine = new Engine({ workers: 2 });
  try {
    await ingestBatches(engine, batches);
    const exact = await engine.customers('exact');
    const sketch = await engine.customers('sketch');
    let same = 0;
    let n = 0;
    exact.parts.forEach((part, p) => {
      const other = sketch.parts[p];
      for (let i = 0; i < part.numRows; i++) {
        if (part.orders[i] === 0) continue;
        n++;
        if (part.segment[i] === other.segment[i]) same++;
      }
    });
    return { share: same / n, customers: n };
  } finally {
    await engine.close();
  }
}

describe('sketch ranks agree with exact ranks', () => {
  test('on >= 99.5 % of CDNOW customers', async () => {
    const { share, customers } = await agreement(readCdnow(cdnowMaster(), newImportStats()));
    expect(customers).toBe(23_570);
    expect(share).toBeGreaterThanOrEqual(0.995);
  });

  test('on >= 99.5 % of a generated history of 10^6 customers', async () => {
    const { share, customers } = await agreement(generateOrders({ customers: 1_000_000, orders: 4_000_000, seed: 7 }));
    expect(customers).toBe(1_000_000);
    expect(share).toBeGreaterThanOrEqual(0.995);
  });
});
