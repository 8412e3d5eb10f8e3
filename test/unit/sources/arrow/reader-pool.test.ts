/**
 * The reading threads kept for request bodies: at most `size` at once, a thread that settled
 * its input reads the next (after an input error too), and every input reads as it would on a
 * thread of its own.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Float64, Int64, Table, TimestampMillisecond, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, expect, test } from 'vitest';
import { Engine } from '../../../../src/engine/engine.js';
import { RfmError } from '../../../../src/domain/errors.js';
import { ReaderPool } from '../../../../src/sources/arrow/reader-pool.js';
import { readArrow } from '../../../../src/sources/arrow/source.js';
import { tempDir } from '../../../support/cli.js';

const dir = tempDir();
const engine = new Engine({ workers: 0 });
afterAll(() => engine.close());

function ordersFile(name: string, rows: number): string {
  const path = join(dir, name);
  const table = new Table({
    customer_id: vectorFromArray(
      Array.from({ length: rows }, (_, i) => BigInt(i % 97)),
      new Int64(),
    ),
    ts: vectorFromArray(
      Array.from({ length: rows }, (_, i) => Date.UTC(2025, 0, 1) + i * 60_000),
      new TimestampMillisecond(),
    ),
    amount: vectorFromArray(
      Array.from({ length: rows }, (_, i) => 1 + (i % 50)),
      new Float64(),
    ),
  });
  writeFileSync(path, tableToIPC(table, 'stream'));
  return path;
}

/** The rows read, or the error's message. */
async function rowsOf(path: string, readers?: ReaderPool): Promise<number | string> {
  let rows = 0;
  try {
    for await (const c of readArrow(path, { ...engine.sourceOptions(), keepRejects: false, readers }))
      rows += c.orders + c.rejected;
    return rows;
  } catch (e) {
    return e instanceof RfmError ? e.message : `not an RfmError: ${String(e)}`;
  }
}

test('at most size threads at once; one given back settled is the next one taken', async () => {
  const pool = new ReaderPool(2);
  const a = await pool.acquire();
  const b = await pool.acquire();
  expect(a.threadId).not.toBe(b.threadId);
  let third: number | null = null;
  const waiting = pool.acquire().then((w) => (third = w.threadId));
  // both busy: the third waits (a turn of the event loop gives it every chance not to)
  await new Promise((r) => setImmediate(r));
  expect(third).toBeNull();
  pool.release(a, true);
  await waiting;
  expect(third).toBe(a.threadId);
  // one that did not settle is ended, and a fresh thread takes its place
  const exited = new Promise((r) => b.once('exit', r));
  pool.release(b, false);
  await exited;
  const c = await pool.acquire();
  expect([a.threadId, b.threadId]).not.toContain(c.threadId);
  pool.release(c, true);
  await pool.close();
});

test('inputs read through two kept threads as on threads of their own, an error between them', async () => {
  const files = [ordersFile('a.arrow', 5000), ordersFile('b.arrow', 1), ordersFile('c.arrow', 70_000)];
  const garbage = join(dir, 'garbage.arrow');
  writeFileSync(garbage, Buffer.from('not arrow at all, but long enough to be looked at'));
  const inputs = [...files, garbage, ...files, garbage, ...files];
  const alone = await Promise.all(inputs.map((f) => rowsOf(f)));
  expect(alone.slice(0, 4)).toEqual([5000, 1, 70_000, expect.stringContaining('garbage.arrow')]);
  const pool = new ReaderPool(2);
  expect(await Promise.all(inputs.map((f) => rowsOf(f, pool)))).toEqual(alone);
  await pool.close();
});
