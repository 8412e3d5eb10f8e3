import { expect, test } from 'vitest';
import { toInput } from '../../../src/batch/converted.js';
import type { ConvertedBatch } from '../../../src/batch/converted.js';
import { BufferPool, transferable } from '../../../src/batch/buffer-pool.js';
import { allocColumnBatch } from '../../../src/batch/column-batch.js';

function converted(pool: BufferPool): ConvertedBatch {
  const { batch } = allocColumnBatch({ numRows: 1000, idMode: 'int', idBytesLen: 0 }, pool);
  for (let i = 0; i < 1000; i++) {
    batch.idWords![2 * i] = i;
    batch.ts[i] = i;
    batch.amount[i] = i / 2;
  }
  return {
    columns: batch,
    batches: 1,
    orders: 1000,
    refunds: 0,
    engagements: 0,
    rejected: 0,
    afterAsOf: 0,
    maxTs: 999,
    rejects: [],
  };
}

test('from a shared pool, every shard reads the one SharedArrayBuffer: nothing copied, nothing to transfer', () => {
  const input = toInput(converted(new BufferPool(true)), 3);
  expect(input.parts).toHaveLength(3);
  expect(input.parts[0].buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(input.parts.every((p) => p.buffer === input.parts[0].buffer)).toBe(true);
  expect(transferable(input.parts.map((p) => p.buffer))).toEqual([]);
});

test('from an unshared pool, each extra shard gets a copy of its own to transfer', () => {
  const input = toInput(converted(new BufferPool()), 3);
  const buffers = input.parts.map((p) => p.buffer);
  expect(new Set(buffers).size).toBe(3);
  expect(transferable(buffers)).toHaveLength(3);
  const bytes = (b: ArrayBufferLike) => Array.from(new Uint8Array(b, 0, 25_000));
  expect(bytes(buffers[2])).toEqual(bytes(buffers[0]));
});

test('the pool hands out the smallest free buffer that fits, so small batches leave the large buffers', () => {
  const pool = new BufferPool();
  const large = new ArrayBuffer(8 << 20);
  const small = new ArrayBuffer(1 << 20);
  pool.give(large);
  pool.give(small);
  expect(pool.take(500_000)).toBe(small);
  expect(pool.take(500_000)).toBe(large);
  expect(pool.take(500_000)).not.toBe(large);
});

test('a buffer given back twice is handed out once', () => {
  const pool = new BufferPool(true);
  const b = pool.take(1000);
  pool.give(b);
  pool.give(b);
  expect(pool.take(1000)).toBe(b);
  expect(pool.take(1000)).not.toBe(b);
});
