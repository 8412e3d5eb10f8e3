import { afterAll, expect, test } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { Engine } from '../../src/engine/engine.js';
import type { Report } from '../../src/report/report.js';
import { randomHistory } from '../support/random-batches.js';
import { digest } from '../support/bytes.js';

const engines: Engine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

const asOf = Date.UTC(2026, 0, 1);

function engine(workers: number): Engine {
  const e = new Engine({ asOf, workers });
  engines.push(e);
  return e;
}

async function reportOf(batches: RecordBatch[]): Promise<Report> {
  const e = engine(0);
  for (const b of batches) await e.ingest(b);
  return e.report('sketch');
}


// A snapshot plans from every shard's sketches, then every shard classifies under that
// plan. A batch given in between used to reach the shards before the classify tasks, so
// its customers were counted under cut points made without them, with the counts of the
// batches after it: a report of no state the engine was ever in.
test('a batch given while a snapshot is taken is in both of its phases or in neither', async () => {
  const [a] = randomHistory({ customers: 3_000, rows: 30_000, batches: 1, seed: 11 });
  // other customers, and more of them, so the cut points move when it lands
  const [b] = randomHistory({ customers: 40_000, rows: 60_000, batches: 1, seed: 12, days: 30 });
  const before = await reportOf([a]);
  const after = await reportOf([a, b]);
  expect(after.customers).toBeGreaterThan(before.customers);
  const seen = new Set<string>();
  for (let ticks = 0; ticks < 12; ticks++) {
    const e = engine(2);
    await e.ingest(a);
    // applied, so the snapshot asks for the sketches within a few microtasks of its start
    await e.flush();
    const snapshot = e.report('sketch');
    for (let i = 0; i < ticks; i++) await Promise.resolve();
    await e.ingest(b);
    const report = await snapshot;
    const which = JSON.stringify(report) === JSON.stringify(before) ? 'before' : JSON.stringify(report) === JSON.stringify(after) ? 'after' : null;
    expect(which, `a batch given ${ticks} microtasks after the snapshot began`).not.toBeNull();
    seen.add(which!);
  }
  // the batch landed before the snapshot in some trials and after it in others, so both
  // orders were tried
  expect([...seen].sort()).toEqual(['after', 'before']);
});

test('flush waits for a batch held back by a snapshot', async () => {
  const [a] = randomHistory({ customers: 3_000, rows: 30_000, batches: 1, seed: 11 });
  const [b] = randomHistory({ customers: 40_000, rows: 60_000, batches: 1, seed: 12, days: 30 });
  const both = engine(0);
  await both.ingest(a);
  await both.ingest(b);
  const e = engine(2);
  await e.ingest(a);
  await e.flush();
  const snapshot = e.report('sketch');
  // the snapshot holds batches from its first microtask on
  for (let i = 0; i < 3; i++) await Promise.resolve();
  const given = e.ingest(b);
  await e.flush();
  // counted on the shards, which hold the batch once flush is done
  expect(await e.numCustomers()).toBe(await both.numCustomers());
  await Promise.all([snapshot, given]);
});

test('an export taken while a batch is given has the customers of before or after it', async () => {
  const [a] = randomHistory({ customers: 3_000, rows: 30_000, batches: 1, seed: 11 });
  const [b] = randomHistory({ customers: 40_000, rows: 60_000, batches: 1, seed: 12, days: 30 });
  const rowsOf = async (batches: RecordBatch[]): Promise<string> => {
    const e = engine(2);
    for (const x of batches) await e.ingest(x);
    return JSON.stringify(digest((await e.customers('sketch')).parts));
  };
  const before = await rowsOf([a]);
  const after = await rowsOf([a, b]);
  const seen = new Set<string>();
  for (let ticks = 0; ticks < 6; ticks++) {
    const e = engine(2);
    await e.ingest(a);
    await e.flush();
    const exported = e.customers('sketch');
    for (let i = 0; i < ticks; i++) await Promise.resolve();
    await e.ingest(b);
    const rows = JSON.stringify(digest((await exported).parts));
    const which = rows === before ? 'before' : rows === after ? 'after' : null;
    expect(which, `a batch given ${ticks} microtasks after the export began`).not.toBeNull();
    seen.add(which!);
  }
  expect([...seen].sort()).toEqual(['after', 'before']);
});
