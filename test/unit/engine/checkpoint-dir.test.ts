/**
 * A checkpoint directory gives back the state it was given, and refuses one of another run,
 * one damaged or cut short, and one of an older format, saying why (the CLI's own refusals
 * through `rfm replay --checkpoint` are e2e/cli/checkpoint.test.ts's).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RecordBatchConverter } from '../../../src/batch/record-batches.js';
import { CheckpointDir } from '../../../src/engine/checkpoint-dir.js';
import { Engine } from '../../../src/engine/engine.js';
import type { EngineCheckpoint } from '../../../src/engine/engine.js';
import { RfmError } from '../../../src/domain/errors.js';
import { buildOrderBatch } from '../../../src/sources/batch-builder.js';
import { tempDir } from '../../support/cli.js';

const root = tempDir();
const IDENTITY = { input: 'orders.arrow (100 bytes)', maxAmount: 1e12, workers: 2 };
let engine: Engine;
let state: EngineCheckpoint;

beforeAll(async () => {
  engine = new Engine({ workers: 0 });
  const n = 500;
  const batch = buildOrderBatch({
    numRows: n,
    idWords: Int32Array.from({ length: 2 * n }, (_, i) => (i % 2 ? 0 : (i / 2) % 80)),
    ts: Float64Array.from({ length: n }, (_, i) => Date.UTC(2025, 0, 1) + i * 3_600_000),
    amount: Float64Array.from({ length: n }, (_, i) => 1 + (i % 30)),
    kind: new Int8Array(n),
  });
  await engine.ingest(new RecordBatchConverter(engine.sourceOptions()).convert(batch));
  state = await engine.checkpoint();
});
afterAll(() => engine.close());

/** A directory holding one checkpoint of the state, at 7 batches. */
async function written(name: string): Promise<string> {
  const dir = join(root, name);
  await new CheckpointDir(dir, IDENTITY).write({ batches: 7 }, state);
  return dir;
}

async function refusal(dir: string, identity = IDENTITY): Promise<string> {
  try {
    await new CheckpointDir(dir, identity).load();
  } catch (e) {
    expect(e).toBeInstanceOf(RfmError);
    return (e as RfmError).message;
  }
  throw new Error('the checkpoint was loaded');
}

test('what was written comes back: the position, the counts and every shard', async () => {
  const dir = await written('same');
  const back = await new CheckpointDir(dir, IDENTITY).load();
  expect(back?.position).toEqual({ batches: 7 });
  expect(back?.engine.counts).toEqual(state.counts);
  expect(back?.engine.shards).toEqual(state.shards);
  expect(await new CheckpointDir(join(root, 'none'), IDENTITY).load()).toBeNull();
});

test('one of another run names what differs', async () => {
  const dir = await written('other');
  expect(await refusal(dir, { ...IDENTITY, maxAmount: 500 })).toMatch(
    /the checkpoint in .* is of another run \(maxAmount: 1000000000000 then, 500 now\)/,
  );
  expect(await refusal(dir, { ...IDENTITY, workers: 1 })).toMatch(/workers: 2 then, 1 now/);
});

test('a state file with a flipped byte, or cut short, does not match its checksum', async () => {
  const dir = await written('damaged');
  const file = readdirSync(dir).find((f) => f.endsWith('.bin'))!;
  const whole = readFileSync(join(dir, file));
  const flipped = Buffer.from(whole);
  flipped[flipped.length >> 1] ^= 0xff;
  writeFileSync(join(dir, file), flipped);
  expect(await refusal(dir)).toMatch(
    new RegExp(`${file} does not match its checksum; delete the directory to start over`),
  );
  writeFileSync(join(dir, file), whole.subarray(0, whole.length - 100));
  expect(await refusal(dir)).toMatch(new RegExp(`${file} does not match its checksum`));
});

test('a manifest cut short is damaged; one of an older format is refused by format', async () => {
  const dir = await written('manifest');
  const manifest = readFileSync(join(dir, 'manifest.json'), 'utf8');
  writeFileSync(join(dir, 'manifest.json'), manifest.slice(0, manifest.length >> 1));
  expect(await refusal(dir)).toMatch(
    /the checkpoint manifest in .* is damaged \(not JSON\); delete the directory to start over/,
  );
  // one written by an earlier rfmstream (its states of an older kernel format)
  const older = JSON.parse(manifest) as { checksum: string; manifest: { format: number } };
  older.manifest.format = 1;
  older.checksum = createHash('sha256').update(JSON.stringify(older.manifest)).digest('hex');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(older));
  expect(await refusal(dir)).toMatch(/is of format 1; this rfmstream reads format 2: delete it to start over/);
});
