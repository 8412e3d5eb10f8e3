import { expect, test } from 'vitest';
import type { Kernel } from '../../../src/domain/types.js';
import { convertBatch } from '../../../src/batch/convert.js';
import { DEFAULT_COLUMNS } from '../../../src/batch/schema.js';
import { loadDefaultModel } from '../../../src/model/model.js';
import { planOf } from '../hand-built.js';
import { KERNELS } from '../kernels.js';
import type { MakeKernel } from '../kernels.js';
import { randomHistory } from '../random-batches.js';
import { digest } from '../bytes.js';

const model = loadDefaultModel();

function ingestAll(k: Kernel, batches: ReturnType<typeof randomHistory>): void {
  for (const b of batches)
    k.ingest(
      convertBatch(b, { names: DEFAULT_COLUMNS, keepRejects: false, firstRow: 0, source: 'test' }).columns,
      0,
      1,
    );
}

/** State written by any kernel restores into this one, which goes on as if it never stopped. */
export function stateRestores(make: MakeKernel): void {
  test.each(
    KERNELS.flatMap(([from, makeFrom]) => [false, true].map((stringIds) => [from, stringIds, makeFrom] as const)),
  )(
    'state written by the %s restores and goes on exactly as if it never stopped (string ids: %s)',
    (_from, stringIds, makeFrom) => {
      const batches = randomHistory({ customers: 4000, rows: 30_000, batches: 6, seed: 11, stringIds });
      const whole = makeFrom();
      ingestAll(whole, batches);

      const first = makeFrom();
      ingestAll(first, batches.slice(0, 3));
      const resumed = make();
      resumed.restore(first.serialize());
      expect(resumed.numCustomers).toBe(first.numCustomers);
      expect(digest(resumed.sketches())).toEqual(digest(first.sketches()));
      ingestAll(resumed, batches.slice(3));

      expect(digest(resumed.serialize())).toEqual(digest(whole.serialize()));
      expect(digest(resumed.sketches())).toEqual(digest(whole.sketches()));
      const plan = planOf(model, {
        asOf: Date.UTC(2026, 0, 1),
        cuts: [0, 1e12, 1.6e12, 1.7e12, 2, 3, 4, 5, 10, 50, 100, 500, 5, 10, 20, 40],
      });
      expect(digest(resumed.exportRows(plan))).toEqual(digest(whole.exportRows(plan)));
    },
  );

  test('a state that is not ours is refused', () => {
    expect(() => make().restore(new Uint8Array(64))).toThrow(/not an rfmstream kernel state/);
  });
}
