import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { readArrow } from '../../src/sources/arrow-source.js';
import { writeArrow } from '../../src/sources/arrow-writer.js';
import { tempDir } from '../support/cli.js';
import { randomHistory } from '../support/random-batches.js';

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
    for (const b of batches) await direct.ingest(b);
    const viaFile = new Engine({ workers: 2, asOf: Date.UTC(2040, 0, 1) });
    let handed = 0;
    let held = 0;
    for await (const c of readArrow(path, { ...viaFile.sourceOptions(), keepRejects: false })) {
      await viaFile.ingestConverted(c);
      handed++;
      held += c.batches;
    }
    expect(handed).toBe(1);
    expect(held).toBe(12);
    expect(viaFile.counts.batches).toBe(12);
    const want = await direct.report('exact');
    expect(await viaFile.report('exact')).toEqual(want);
    expect(want.customers).toBeGreaterThan(4_000);
    expect(await viaFile.report('sketch')).toEqual(await direct.report('sketch'));
    await Promise.all([direct.close(), viaFile.close()]);
  });
});
