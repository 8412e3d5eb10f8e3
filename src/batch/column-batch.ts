/**
 * A ColumnBatch lives in one buffer, so a batch reaches a worker thread without a copy: by
 * transfer (an ArrayBuffer, one shard), or shared by every shard (a SharedArrayBuffer, from
 * a shared pool; the shards only read it). Layout, for n rows:
 *   ts f64[n] | amount f64[n] | ids: i32[2n] words or i32[n+1] offsets | kind u8[n] | id bytes
 */
import type { ColumnBatch, IdMode } from '../domain/types.js';
import type { BatchBuffer, BufferPool } from './buffer-pool.js';

/** What a worker needs besides the buffer to see the batch. */
export interface ColumnBatchShape {
  numRows: number;
  idMode: IdMode;
  idBytesLen: number;
}

function layout(s: ColumnBatchShape): { ids: number; kind: number; bytes: number; size: number } {
  const n = s.numRows;
  const ids = 16 * n;
  const kind = ids + (s.idMode === 'int' ? 8 * n : 4 * (n + 1));
  const bytes = kind + n;
  return { ids, kind, bytes, size: bytes + s.idBytesLen };
}

/** Bytes a batch of this shape takes (its buffer may be larger). */
export function columnBatchBytes(s: ColumnBatchShape): number {
  return layout(s).size;
}

/** Views of a batch over a buffer laid out as above. */
export function columnBatchOver(buffer: BatchBuffer, s: ColumnBatchShape): ColumnBatch {
  const n = s.numRows;
  const l = layout(s);
  const isInt = s.idMode === 'int';
  return {
    numRows: n,
    idMode: s.idMode,
    ts: new Float64Array(buffer, 0, n),
    amount: new Float64Array(buffer, 8 * n, n),
    idWords: isInt ? new Int32Array(buffer, l.ids, 2 * n) : null,
    idOffsets: isInt ? null : new Int32Array(buffer, l.ids, n + 1),
    idBytes: isInt ? null : new Uint8Array(buffer, l.bytes, s.idBytesLen),
    kind: new Uint8Array(buffer, l.kind, n),
  };
}

/** A batch in one buffer, from the pool when one is given (not cleared then), else new and zeroed. */
export function allocColumnBatch(s: ColumnBatchShape, pool?: BufferPool): { batch: ColumnBatch; buffer: BatchBuffer } {
  const size = layout(s).size;
  const buffer = pool ? pool.take(size) : new ArrayBuffer(size);
  return { batch: columnBatchOver(buffer, s), buffer };
}
