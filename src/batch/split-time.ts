/**
 * A converted batch cut in two at a time: the rows at or before it, and the rest. The live
 * figures measure every customer at each month end (src/server/live-figures.ts); a batch
 * that spans one is applied in two, with the measurement between. Each half is the whole
 * batch with the other half's rows marked skip, so the cut is a copy and one pass over the
 * kinds, whatever the ids, and the shards read both as they read any batch.
 */
import { Kind } from '../abi/abi.js';
import type { BatchBuffer, BufferPool } from './buffer-pool.js';
import { columnBatchBytes, columnBatchOver } from './column-batch.js';
import type { ConvertedInput, ShardPart } from './converted.js';

/** [rows at or before t, rows after t]; the rejects and the other counts of conversion go with the first. */
export function splitAtTime(input: ConvertedInput, t: number, pool: BufferPool): [ConvertedInput, ConvertedInput] {
  const shape = input.parts[0].shape;
  const size = columnBatchBytes(shape);
  // the parts share one buffer or are copies of it: cut each distinct buffer once
  const copies = new Map<BatchBuffer, BatchBuffer>();
  for (const part of input.parts) {
    if (copies.has(part.buffer)) continue;
    const copy = pool.take(size);
    new Uint8Array(copy, 0, size).set(new Uint8Array(part.buffer, 0, size));
    copies.set(part.buffer, copy);
  }
  const before = { orders: 0, refunds: 0, engagements: 0, maxTs: -Infinity };
  let counted = false;
  for (const [later, earlier] of copies) {
    const a = columnBatchOver(earlier, shape);
    const b = columnBatchOver(later, shape);
    for (let i = 0; i < shape.numRows; i++) {
      const k = a.kind[i];
      if (k === Kind.skip) continue;
      if (a.ts[i] > t) {
        a.kind[i] = Kind.skip;
        continue;
      }
      b.kind[i] = Kind.skip;
      if (counted) continue;
      if (k === Kind.order) before.orders++;
      else if (k === Kind.refund) before.refunds++;
      else before.engagements++;
      if (a.ts[i] > before.maxTs) before.maxTs = a.ts[i];
    }
    counted = true;
  }
  const partsOf = (pick: (p: ShardPart) => BatchBuffer): ShardPart[] =>
    input.parts.map((p) => ({ shape, buffer: pick(p) }));
  const first: ConvertedInput = { ...input, ...before, parts: partsOf((p) => copies.get(p.buffer)!) };
  const rest: ConvertedInput = {
    ...input,
    parts: partsOf((p) => p.buffer),
    batches: 0,
    rejected: 0,
    afterAsOf: 0,
    rejects: [],
    rejectedBy: undefined,
    largest: undefined,
    orders: input.orders - before.orders,
    refunds: input.refunds - before.refunds,
    engagements: input.engagements - before.engagements,
  };
  return [first, rest];
}
