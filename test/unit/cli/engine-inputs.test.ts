/** How many workers a command's engine gets when --workers does not say. */
import { closeSync, openSync, ftruncateSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { SMALL_INPUT_BYTES, workersFor } from '../../../src/cli/engine-inputs.js';
import { tempDir } from '../../support/cli.js';

const dir = tempDir();
/** A sparse file of `bytes` (nothing written: only its size is read). */
function sized(name: string, bytes: number): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

test('small inputs run in this thread; larger ones, or stdin, on a worker a core', () => {
  const cores = availableParallelism();
  const small = sized('small.csv', 1 << 20);
  const half = sized('half.arrow', SMALL_INPUT_BYTES / 2);
  expect(workersFor([small], undefined)).toBe(0);
  // what counts is the inputs' sum
  expect(workersFor([half, sized('other-half.csv', SMALL_INPUT_BYTES / 2)], undefined)).toBe(cores);
  expect(workersFor([half, small], undefined)).toBe(0);
  expect(workersFor([sized('large.csv', SMALL_INPUT_BYTES)], undefined)).toBe(cores);
  // Parquet's bytes are compressed rows
  expect(workersFor([sized('orders.parquet', Math.ceil(SMALL_INPUT_BYTES / 3))], undefined)).toBe(cores);
  expect(workersFor(['-'], undefined)).toBe(cores);
  // a missing file is left to the reader to name
  expect(workersFor([join(dir, 'missing.csv')], undefined)).toBe(0);
});

test('--workers is what it says, whatever the inputs', () => {
  expect(workersFor([sized('tiny.csv', 10)], 2)).toBe(2);
  expect(workersFor(['-'], 0)).toBe(0);
});
