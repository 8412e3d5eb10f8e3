import { afterAll, expect, test } from 'vitest';
import type { RecordBatch } from 'apache-arrow';
import { Engine } from '../../../src/engine/engine.js';
import type { Report } from '../../../src/report/report.js';
import { randomHistory } from '../../support/random-batches.js';
import { digest } from '../../support/bytes.js';
import { ingestBatch, reportOf } from '../../support/engine.js';

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

const [a] = randomHistory({ customers: 3_000, rows: 30_000, batches: 1, seed: 11 });
// other customers, and more of them, so the cut points move when it lands
const [b] = randomHistory({ customers: 40_000, rows: 60_000, batches: 1, seed: 12, days: 30 });

async function readOf(batches: RecordBatch[], read: (e: Engine) => Promise<string>): Promise<string> {
  const e = engine(2);
  for (const x of batches) await ingestBatch(e, x);
  return read(e);
}

/**
 * Starts `read` on an engine holding batch a, gives it batch b 0..trials-1 microtasks later,
 * and requires what it read to be what it reads of a alone or of a and b, never a mix, and
 * both to have happened among the trials.
 */
async function expectOneState(
  read: (e: Engine) => Promise<string>,
  trials: number,
  what: string,
): Promise<{ before: string; after: string }> {
  const before = await readOf([a], read);
  const after = await readOf([a, b], read);
  const seen = new Set<string>();
  for (let ticks = 0; ticks < trials; ticks++) {
    const e = engine(2);
    await ingestBatch(e, a);
    // applied, so the read asks for the sketches within a few microtasks of its start
    await e.flush();
    const reading = read(e);
    for (let i = 0; i < ticks; i++) await Promise.resolve();
    await ingestBatch(e, b);
    const got = await reading;
    const which = got === before ? 'before' : got === after ? 'after' : null;
    expect(which, `a batch given ${ticks} microtasks after the ${what} began`).not.toBeNull();
    seen.add(which!);
  }
  // the batch landed before the read in some trials and after it in others, so both orders
  // were tried
  expect([...seen].sort()).toEqual(['after', 'before']);
  return { before, after };
}

// A snapshot plans from every shard's sketches, then every shard classifies under that
// plan. A batch given in between used to reach the shards before the classify tasks, so
// its customers were counted under cut points made without them, with the counts of the
// batches after it: a report of no state the engine was ever in.
test('a batch given while a snapshot is taken is in both of its phases or in neither', async () => {
  const { before, after } = await expectOneState(
    async (e) => JSON.stringify(await reportOf(e, 'sketch')),
    12,
    'snapshot',
  );
  expect((JSON.parse(after) as Report).customers).toBeGreaterThan((JSON.parse(before) as Report).customers);
});

test('an export taken while a batch is given has the customers of before or after it', async () => {
  await expectOneState(async (e) => JSON.stringify(digest((await e.customers('sketch')).parts)), 6, 'export');
});

test('flush waits for a batch held back by a snapshot', async () => {
  const both = engine(0);
  await ingestBatch(both, a);
  await ingestBatch(both, b);
  const e = engine(2);
  await ingestBatch(e, a);
  await e.flush();
  const snapshot = reportOf(e, 'sketch');
  // the snapshot holds batches from its first microtask on
  for (let i = 0; i < 3; i++) await Promise.resolve();
  const given = ingestBatch(e, b);
  await e.flush();
  // counted on the shards, which hold the batch once flush is done
  expect(await e.numCustomers()).toBe(await both.numCustomers());
  await Promise.all([snapshot, given]);
});
