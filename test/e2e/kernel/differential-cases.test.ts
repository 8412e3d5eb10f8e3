/**
 * A thousand small seeded cases, each held to identical results in the WASM kernel and the
 * plain core (state bytes, exact and sketch reports, customer rows). A failing case is
 * shrunk to the fewest rows that still differ, and that batch is printed.
 */
import { expect, test } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { Engine } from '../../../src/engine/engine.js';
import { compileModel } from '../../../src/model/model.js';
import type { Model, ModelFile } from '../../../src/model/model.js';
import { buildOrderBatch } from '../../../src/sources/batch-builder.js';
import { Random } from '../../../src/sources/generator/random.js';
import { digest } from '../../support/bytes.js';
import { ingestBatch, reportOf } from '../../support/engine.js';

interface Row {
  id: number;
  ts: number;
  amount: number;
  kind: number;
}

const DAY = 86_400_000;

function randomRows(seed: number): Row[] {
  const rng = new Random(seed);
  const n = 1 + Math.floor(rng.next() * 200);
  const customers = 1 + Math.floor(rng.next() * 30);
  const days = 1 + Math.floor(rng.next() * 400);
  const amounts = [0, 0.01, 1, 9.99, 10, 10, 49.5, 100, 1e6, 3.3];
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const k = rng.next();
    rows.push({
      id: Math.floor(rng.next() * customers),
      // whole days, half days and odd milliseconds, in no particular order
      ts:
        Date.UTC(2024, 0, 1) +
        Math.floor(rng.next() * days) * DAY +
        (rng.next() < 0.3 ? Math.floor(rng.next() * DAY) : 0),
      amount: amounts[Math.floor(rng.next() * amounts.length)] * (rng.next() < 0.1 ? -1 : 1),
      kind: k < 0.75 ? 0 : k < 0.85 ? 1 : k < 0.95 ? 2 : 3,
    });
  }
  return rows;
}

function batchOf(rows: Row[]): RecordBatch {
  const words = new Int32Array(2 * rows.length);
  for (const [i, r] of rows.entries()) words[2 * i] = r.id;
  return buildOrderBatch({
    numRows: rows.length,
    idWords: words,
    ts: Float64Array.from(rows, (r) => r.ts),
    amount: Float64Array.from(rows, (r) => r.amount),
    kind: Int8Array.from(rows, (r) => r.kind),
  });
}

async function outcome(rows: Row[], core: 'js' | 'wasm', model?: Model): Promise<unknown> {
  const e = new Engine({ core, workers: 0, model });
  await ingestBatch(e, batchOf(rows));
  const result = {
    state: await e.serialize(),
    exact: await reportOf(e, 'exact'),
    sketch: await reportOf(e, 'sketch'),
    rows: (await e.customers('exact')).parts,
  };
  await e.close();
  return digest(result);
}

async function differs(rows: Row[], model?: Model): Promise<boolean> {
  return JSON.stringify(await outcome(rows, 'js', model)) !== JSON.stringify(await outcome(rows, 'wasm', model));
}

/** Fewest rows that still differ: drop halves, then single rows, while the difference stays. */
async function shrink(rows: Row[], model?: Model): Promise<Row[]> {
  let current = rows;
  for (let size = Math.floor(current.length / 2); size >= 1; size = Math.floor(size / 2)) {
    for (let at = 0; at + size <= current.length; ) {
      const candidate = [...current.slice(0, at), ...current.slice(at + size)];
      if (candidate.length > 0 && (await differs(candidate, model))) current = candidate;
      else at += size;
    }
  }
  return current;
}

test('1,000 random cases: WASM kernel == plain core', async () => {
  let rowsChecked = 0;
  for (let seed = 1; seed <= 1000; seed++) {
    const rows = randomRows(seed);
    rowsChecked += rows.length;
    if (await differs(rows)) {
      const smallest = await shrink(rows);
      expect.fail(
        `seed ${seed}: kernels differ; smallest batch (${smallest.length} rows): ${JSON.stringify(smallest)}`,
      );
    }
  }
  expect(rowsChecked).toBeGreaterThan(50_000);
});

const RETENTION: ModelFile['retention'] = {
  defaultGapDays: 20,
  states: [{ name: 'Active', maxRatio: 1 }, { name: 'Drifting', maxRatio: 3 }, { name: 'Lost' }],
};

/** Every field and every op, r in segments (re-run when lost) and in audiences. */
const EVERY_FIELD: ModelFile = {
  name: 'every field',
  retention: RETENTION,
  groups: ['G1', 'G2', 'Gone'],
  segments: [
    { name: 'a', group: 'G1', when: ['r >= 3', 'engagements >= 1'] },
    { name: 'b', group: 'G1', when: ['gap_cv < 0.5', 'purchase_days >= 2'] },
    { name: 'c', group: 'G2', when: ['gap_cv > 0.2'] },
    { name: 'd', group: 'G2', when: ['spend_over_median > 0', 'recency_days <= 30'] },
    { name: 'e', group: 'G1', when: ['retention != Active', 'm = 3'] },
    { name: 'f', group: 'G2', when: ['engaged_since_order = 1'] },
    { name: 'g', group: 'G2', when: ['spend < 50', 'f <= 1', 'aov > 1'] },
    { name: 'h', group: 'G1', when: ['orders >= 3', 'r < 5'] },
    { name: 'gone 1', group: 'Gone', lostFrom: 'G1' },
  ],
  lost: { retention: 'Lost', r: 4 },
  audiences: [
    { name: 'r5', when: ['r = 5'] },
    { name: 'long ago', when: ['recency_days > 100'] },
    { name: 'regular', when: ['spend >= 10', 'gap_cv >= 0', 'gap_cv <= 1'] },
    { name: 'silent', when: ['engagements = 0', 'retention = Drifting'] },
    { name: 'odd basket', when: ['aov != 3'] },
    { name: 'none', when: [] },
  ],
};

/** More distinct conditions than the kernel's masks hold (31): classified one by one. */
const MANY_CONDITIONS: ModelFile = {
  name: 'many conditions',
  retention: RETENTION,
  groups: ['G'],
  segments: Array.from({ length: 40 }, (_, i) => ({
    name: `s${i}`,
    group: 'G',
    when: [`spend >= ${(40 - i) * 7}`, i % 2 ? 'r >= 2' : 'f <= 4'],
  })),
  lost: { retention: 'Lost', r: 5 },
  audiences: [{ name: 'big', when: ['spend >= 100', 'gap_cv > 0.3'] }],
};

test.each([EVERY_FIELD, MANY_CONDITIONS])('other models ($name): WASM kernel == plain core', async (file) => {
  const model = compileModel(file, file.name);
  for (let seed = 1; seed <= 150; seed++) {
    const rows = randomRows(seed);
    if (await differs(rows, model)) {
      const smallest = await shrink(rows, model);
      expect.fail(
        `seed ${seed}: kernels differ under ${file.name};` +
          ` smallest batch (${smallest.length} rows): ${JSON.stringify(smallest)}`,
      );
    }
  }
});
