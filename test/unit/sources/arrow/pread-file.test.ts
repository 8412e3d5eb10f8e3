/**
 * The reading thread loads apache-arrow's single-file bundle and has record batch bodies read
 * into a ring of buffers, finding apache-arrow's file wrapper by shape (its private names are
 * minified in the bundle). If an upgrade changed that shape, reading would still work but
 * every body would go to a fresh buffer again: this test says so instead.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as entry from 'apache-arrow';
import { expect, test } from 'vitest';
import { writeArrow } from '../../../../src/report/arrow-writer.js';
import { PreadFile, reuseBodyBuffers } from '../../../../src/sources/arrow/pread-file.js';
import { tempDir } from '../../../support/cli.js';
import { randomHistory } from '../../../support/random-batches.js';

const bundle = createRequire(import.meta.url)('apache-arrow/Arrow.esnext.min') as typeof entry;

test.each([
  ['the bundle', bundle],
  ['the package entry', entry],
] as const)('record batch bodies are read into the ring, with %s', async (_name, arrow) => {
  // 6 batches of 20,000 rows: bodies of ~500 KB, above the size that goes into the ring
  const batches = randomHistory({ customers: 2_000, rows: 120_000, batches: 6, seed: 4 });
  const path = join(tempDir(), 'orders.arrow');
  await writeArrow(path, batches, 'file');
  const file = new PreadFile(path);
  let ringReads = 0;
  const readIntoRing = file.readIntoRing.bind(file);
  file.readIntoRing = (position, length) => {
    ringReads++;
    return readIntoRing(position, length);
  };
  const reader = await arrow.RecordBatchReader.from(file as never);
  await reader.open();
  reuseBodyBuffers(reader as unknown as entry.RecordBatchReader, file);
  let rows = 0;
  let spend = 0;
  for await (const b of reader as AsyncIterable<entry.RecordBatch>) {
    rows += b.numRows;
    for (const v of b.getChild('amount')!.toArray() as Float64Array) spend += v;
  }
  await file.close();
  expect(rows).toBe(120_000);
  expect(ringReads).toBe(6);
  const want = batches.reduce(
    (sum, b) => sum + (b.getChild('amount')!.toArray() as Float64Array).reduce((x, y) => x + y, 0),
    0,
  );
  expect(spend).toBe(want);
});
