/**
 * Joins converted batches into one, in order. A file's record batches are often small
 * (64k rows); every batch costs a message to each shard, a task in its pool and a call
 * into its kernel, so the reading thread joins them into batches of a few hundred
 * thousand rows before handing them over. The join is a memcpy per row; sending the small
 * batches together unjoined, or converting them in place into the joined batch, cost more
 * (bench/NOTES.md, section 21).
 */
import { allocColumnBatch } from './column-batch.js';
import type { BatchBuffer, BufferPool } from './buffer-pool.js';
import { addRejectTally, addTally, keepLargest } from './counts.js';
import type { ConvertedBatch } from './converted.js';
import { joinOrderKeys } from './order-keys.js';

/** The batches as one; the parts' buffers go back to the pool. A single batch is returned as it is. */
export function joinConverted(list: ConvertedBatch[], pool?: BufferPool): ConvertedBatch {
  if (list.length === 1) return list[0];
  const idMode = list[0].columns.idMode;
  let numRows = 0;
  let idBytesLen = 0;
  for (const c of list) {
    numRows += c.columns.numRows;
    idBytesLen += c.columns.idBytes?.length ?? 0;
  }
  const { batch: out } = allocColumnBatch({ numRows, idMode, idBytesLen }, pool);
  const joined: ConvertedBatch = {
    columns: out,
    batches: 0,
    orders: 0,
    refunds: 0,
    engagements: 0,
    rejected: 0,
    afterAsOf: 0,
    maxTs: -Infinity,
    rejects: [],
  };
  let row = 0;
  let byte = 0;
  for (const c of list) {
    const b = c.columns;
    const n = b.numRows;
    out.ts.set(b.ts.subarray(0, n), row);
    out.amount.set(b.amount.subarray(0, n), row);
    out.kind.set(b.kind.subarray(0, n), row);
    if (idMode === 'int') {
      out.idWords!.set(b.idWords!.subarray(0, 2 * n), 2 * row);
    } else {
      const offsets = out.idOffsets!;
      for (let i = 0; i < n; i++) offsets[row + i] = b.idOffsets![i] + byte;
      out.idBytes!.set(b.idBytes!, byte);
      byte += b.idBytes!.length;
    }
    row += n;
    addTally(joined, c);
    if (c.maxTs > joined.maxTs) joined.maxTs = c.maxTs;
    for (const r of c.rejects) joined.rejects.push(r);
    if (c.rejectedBy !== undefined) addRejectTally((joined.rejectedBy ??= {}), c.rejectedBy);
    for (const a of c.largest ?? []) keepLargest((joined.largest ??= []), a);
    if (c.unsignedIds) joined.unsignedIds = true;
    pool?.give(b.ts.buffer as BatchBuffer);
  }
  if (idMode === 'utf8') out.idOffsets![numRows] = byte;
  joined.orderKeys = joinOrderKeys(
    list.map((c) => c.orderKeys),
    list.map((c) => c.columns.numRows),
  );
  return joined;
}
