/** A converted batch, and its parts as they travel to the shards. */
import type { ColumnBatch } from '../domain/types.js';
import { columnBatchBytes } from './column-batch.js';
import type { ColumnBatchShape } from './column-batch.js';
import type { BatchBuffer, BufferPool } from './buffer-pool.js';
import type { BatchCounts } from './counts.js';
import type { OrderKeys } from './order-keys.js';

export interface ConvertedBatch extends BatchCounts {
  columns: ColumnBatch;
  /** Each row's order id, when the input has an order id column (repeat-orders.ts drops repeats by it). */
  orderKeys?: OrderKeys;
}

/** One shard's view of a batch: the buffer (its own, or shared by all) and the shape to view it by. */
export interface ShardPart {
  shape: ColumnBatchShape;
  buffer: BatchBuffer;
}

/**
 * A converted batch as it travels between threads: a part per shard, and the counts.
 * Every shard gets every row and its kernel keeps its own (customer hash -> shard): routing
 * rows in JavaScript on the reading thread cost 30-45 ns a row on the one thread every row
 * passes through (bench/NOTES.md, section 13). From a shared pool, the parts are one
 * SharedArrayBuffer that the shards read in place; otherwise each extra shard gets a copy.
 */
export interface ConvertedInput extends BatchCounts {
  parts: ShardPart[];
  /** Each row's order id (see ConvertedBatch); stays on the reading thread. */
  orderKeys?: OrderKeys;
}

/** The converted batch for numShards shards: itself for every shard when shared, else copies for all but the first. */
export function toInput(c: ConvertedBatch, numShards: number, pool?: BufferPool): ConvertedInput {
  const { columns, ...counts } = c;
  const whole = columns.ts.buffer as BatchBuffer;
  const shape: ColumnBatchShape = {
    numRows: columns.numRows,
    idMode: columns.idMode,
    idBytesLen: columns.idBytes?.length ?? 0,
  };
  const parts: ShardPart[] = [{ shape, buffer: whole }];
  if (whole instanceof SharedArrayBuffer) {
    for (let s = 1; s < numShards; s++) parts.push({ shape, buffer: whole });
  } else if (numShards > 1) {
    const size = columnBatchBytes(shape);
    const from = new Uint8Array(whole, 0, size);
    for (let s = 1; s < numShards; s++) {
      const buffer = pool ? pool.take(size) : new ArrayBuffer(size);
      new Uint8Array(buffer, 0, size).set(from);
      parts.push({ shape, buffer });
    }
  }
  return { ...counts, parts };
}
