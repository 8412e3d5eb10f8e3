import { expect, test } from 'vitest';
import type { ColumnBatch } from '../../../src/domain/types.js';
import { allocColumnBatch } from '../../../src/batch/column-batch.js';
import { planOf } from '../hand-built.js';
import type { MakeKernel } from '../kernels.js';
import { loadDefaultModel } from '../../../src/model/model.js';

const CUSTOMERS = 1_200_000;

/** One order of every customer, ids in a stride order so every pass meets them differently. */
function pass(stride: number): ColumnBatch {
  const { batch } = allocColumnBatch({ numRows: CUSTOMERS, idMode: 'int', idBytesLen: 0 });
  for (let i = 0; i < CUSTOMERS; i++) {
    const id = (i * stride) % CUSTOMERS;
    batch.idWords![2 * i] = id * 7919;
    batch.idWords![2 * i + 1] = id & 3;
    batch.ts[i] = Date.UTC(2025, 0, 1) + i;
    batch.amount[i] = 1;
  }
  return batch;
}

// An index entry holds a few bits of the key's hash above the slot (10 bits at this size:
// 1.2 M customers, 2^22 entries), so a probe that meets another customer's entry skips it
// unread unless the bits agree. With ~30 % of probes meeting another entry, a few hundred
// lookups here meet one whose bits agree and must go on to the right customer.
export function indexLookups(make: MakeKernel): void {
  test('finds every customer again among 1.2 M, whatever its neighbours in the index', () => {
    const k = make();
    for (const stride of [1, 7, 1_000_003]) k.ingest(pass(stride), 0, 1);
    expect(k.numCustomers).toBe(CUSTOMERS);
    const plan = planOf(loadDefaultModel(), {
      asOf: Date.UTC(2026, 0, 1),
      cuts: [0, 1, 2, 3, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4],
    });
    const rows = k.exportRows(plan);
    let wrong = 0;
    for (let s = 0; s < rows.numRows; s++) if (rows.orders[s] !== 3 || rows.spend[s] !== 3) wrong++;
    expect(wrong).toBe(0);
  });
}
