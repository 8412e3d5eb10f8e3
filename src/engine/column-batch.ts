/**
 * A ColumnBatch lives in one buffer (a SharedArrayBuffer when workers read it), so it
 * reaches every worker without a copy. Layout, for n rows:
 *   ts f64[n] | amount f64[n] | ids: i32[2n] words or i32[n+1] offsets | kind u8[n] | id bytes
 */
import type { ColumnBatch, IdMode } from '../core/types.js';

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

/** Views of a batch over a buffer laid out as above. */
export function columnBatchOver(buffer: ArrayBuffer | SharedArrayBuffer, s: ColumnBatchShape): ColumnBatch {
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

/** A new zeroed batch in one buffer; shared when it is to reach worker threads. */
export function allocColumnBatch(s: ColumnBatchShape, shared: boolean): { batch: ColumnBatch; buffer: ArrayBuffer | SharedArrayBuffer } {
  const size = layout(s).size;
  const buffer = shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
  return { batch: columnBatchOver(buffer, s), buffer };
}
