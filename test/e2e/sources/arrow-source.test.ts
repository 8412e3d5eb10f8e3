import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, test } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { readArrow } from '../../../src/sources/arrow/source.js';
import { writeArrow } from '../../../src/report/arrow-writer.js';
import { tempDir } from '../../support/cli.js';
import { randomHistory } from '../../support/random-batches.js';
import { ingestBatches, reportOf } from '../../support/engine.js';

/**
 * Reading a file through the reading thread (pread, body buffers used over and over, small
 * batches joined, a copy per shard) gives the same report as handing the same RecordBatches
 * to the engine directly. Twelve batches of 20,000 rows: more than the ring of body buffers,
 * each body above the size that goes into the ring, string ids and a kind dictionary that
 * must outlive the ring, and all twelve joined into one batch of 240,000 rows.
 */
describe.each(['file', 'stream'] as const)('Arrow IPC %s read by the reading thread', (format) => {
  test('gives the same report as the batches given directly', async () => {
    const batches = randomHistory({ customers: 5_000, rows: 240_000, batches: 12, seed: 21, stringIds: true });
    const path = join(tempDir(), `orders.${format}`);
    await writeArrow(path, batches, format);

    const direct = new Engine({ workers: 2, asOf: Date.UTC(2040, 0, 1) });
    await ingestBatches(direct, batches);
    const viaFile = new Engine({ workers: 2, asOf: Date.UTC(2040, 0, 1) });
    let handed = 0;
    let held = 0;
    for await (const c of readArrow(path, { ...viaFile.sourceOptions(), keepRejects: false })) {
      await viaFile.ingest(c);
      handed++;
      held += c.batches;
    }
    expect(handed).toBe(1);
    expect(held).toBe(12);
    expect(viaFile.counts.batches).toBe(12);
    const want = await reportOf(direct, 'exact');
    expect(await reportOf(viaFile, 'exact')).toEqual(want);
    expect(want.customers).toBeGreaterThan(4_000);
    expect(await reportOf(viaFile, 'sketch')).toEqual(await reportOf(direct, 'sketch'));
    await Promise.all([direct.close(), viaFile.close()]);
  });
});

/**
 * A pipe may be live (a producer that writes a batch now and the next one later): its
 * batches are handed over as they come, not held back to be joined.
 */
test('batches from a pipe are handed over one by one', async () => {
  const batches = randomHistory({ customers: 500, rows: 12_000, batches: 6, seed: 5 });
  const dir = tempDir();
  const file = join(dir, 'orders.stream');
  await writeArrow(file, batches, 'stream');
  const fifo = join(dir, 'orders.fifo');
  execFileSync('mkfifo', [fifo]);
  const writing = pipeline(createReadStream(file), createWriteStream(fifo));
  const engine = new Engine({ workers: 0 });
  let handed = 0;
  for await (const c of readArrow(fifo, { ...engine.sourceOptions(), keepRejects: false })) {
    await engine.ingest(c);
    expect(c.batches).toBe(1);
    handed++;
  }
  await writing;
  expect(handed).toBe(6);
  expect(engine.counts.rows).toBe(12_000);
  await engine.close();
});
