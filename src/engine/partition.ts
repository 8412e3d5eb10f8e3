/**
 * Routes a converted batch's rows to shards: customer hash -> shard (the same keyHash and
 * shardOf the kernels use), one batch per shard, each in its own buffer so it can be
 * transferred to its worker without a copy. Rows marked skip are dropped here: they were
 * counted when the batch was converted. Runs where the batch was converted (the reading
 * thread for files), so each worker sees only its own rows.
 */
import { bytesKeyInto, keyHash, shardOf } from '../core/hash.js';
import { Kind } from '../core/types.js';
import type { ColumnBatch } from '../core/types.js';
import { allocColumnBatch } from './column-batch.js';
import type { BufferPool, ColumnBatchShape } from './column-batch.js';

/** One shard's part of a batch. */
export interface ShardPart {
  shape: ColumnBatchShape;
  buffer: ArrayBuffer;
}

const key = new Int32Array(2);

export function partitionBatch(b: ColumnBatch, numShards: number, pool?: BufferPool): ShardPart[] {
  const n = b.numRows;
  const isUtf8 = b.idMode === 'utf8';
  const shardOfRow = new Uint8Array(n);
  const rows = new Int32Array(numShards);
  const bytes = new Int32Array(numShards);
  for (let i = 0; i < n; i++) {
    if (b.kind[i] === Kind.skip) {
      shardOfRow[i] = 255;
      continue;
    }
    let lo: number;
    let hi: number;
    if (isUtf8) {
      bytesKeyInto(key, b.idBytes!, b.idOffsets![i], b.idOffsets![i + 1]);
      lo = key[0];
      hi = key[1];
    } else {
      lo = b.idWords![2 * i];
      hi = b.idWords![2 * i + 1];
    }
    const s = shardOf(keyHash(lo, hi), numShards);
    shardOfRow[i] = s;
    rows[s]++;
    if (isUtf8) bytes[s] += b.idOffsets![i + 1] - b.idOffsets![i];
  }
  const parts = Array.from({ length: numShards }, (_, s) => {
    const shape: ColumnBatchShape = { numRows: rows[s], idMode: b.idMode, idBytesLen: bytes[s] };
    return { shape, ...allocColumnBatch(shape, pool) };
  });
  // one tight pass per column (typed arrays in locals), rather than one pass touching them all
  const at = new Int32Array(numShards);
  const scatter = (from: Float64Array, to: Float64Array[]): void => {
    at.fill(0);
    for (let i = 0; i < n; i++) {
      const s = shardOfRow[i];
      if (s !== 255) to[s][at[s]++] = from[i];
    }
  };
  scatter(b.ts, parts.map((p) => p.batch.ts));
  scatter(b.amount, parts.map((p) => p.batch.amount));
  const kinds = parts.map((p) => p.batch.kind);
  at.fill(0);
  for (let i = 0; i < n; i++) {
    const s = shardOfRow[i];
    if (s !== 255) kinds[s][at[s]++] = b.kind[i];
  }
  at.fill(0);
  if (isUtf8) {
    const byteAt = new Int32Array(numShards);
    const offsetsIn = b.idOffsets!;
    const bytesIn = b.idBytes!;
    const offsets = parts.map((p) => p.batch.idOffsets!);
    const out = parts.map((p) => p.batch.idBytes!);
    for (let i = 0; i < n; i++) {
      const s = shardOfRow[i];
      if (s === 255) continue;
      const from = offsetsIn[i];
      const to = offsetsIn[i + 1];
      const j = at[s]++;
      offsets[s][j] = byteAt[s];
      out[s].set(bytesIn.subarray(from, to), byteAt[s]);
      byteAt[s] += to - from;
      offsets[s][j + 1] = byteAt[s];
    }
  } else {
    const wordsIn = b.idWords!;
    const words = parts.map((p) => p.batch.idWords!);
    for (let i = 0; i < n; i++) {
      const s = shardOfRow[i];
      if (s === 255) continue;
      const j = 2 * at[s]++;
      words[s][j] = wordsIn[2 * i];
      words[s][j + 1] = wordsIn[2 * i + 1];
    }
  }
  return parts.map(({ shape, buffer }) => ({ shape, buffer }));
}
