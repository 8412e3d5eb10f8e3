/**
 * A ColumnBatch lives in one buffer, so a shard's copy of a batch reaches its worker
 * thread by transfer, without a copy. Layout, for n rows:
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

/** Bytes a batch of this shape takes (its buffer may be larger). */
export function columnBatchBytes(s: ColumnBatchShape): number {
  return layout(s).size;
}

/** Views of a batch over a buffer laid out as above. */
export function columnBatchOver(buffer: ArrayBuffer, s: ColumnBatchShape): ColumnBatch {
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

/**
 * Buffers for batches, used again once a kernel has applied them. A fresh buffer of a
 * megabyte or two costs its size in page faults when first written (1.4 ms per 1.6 MB on
 * the benchmark machine, more than converting the batch); a used one costs nothing.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];

  /** A buffer of at least `size` bytes; its contents are not cleared. */
  take(size: number): ArrayBuffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i].byteLength >= size) return this.free.splice(i, 1)[0];
    }
    // round up so one buffer fits the batches of the usual size and the odd larger one
    return new ArrayBuffer(Math.ceil(size / 65536) * 65536);
  }

  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength > 0 && this.free.length < 64) this.free.push(buffer);
  }

  /** Every free buffer, leaving the pool empty (to hand them to another thread). */
  drain(): ArrayBuffer[] {
    return this.free.splice(0);
  }
}

/** A batch in one buffer, from the pool when one is given (not cleared then), else new and zeroed. */
export function allocColumnBatch(s: ColumnBatchShape, pool?: BufferPool): { batch: ColumnBatch; buffer: ArrayBuffer } {
  const size = layout(s).size;
  const buffer = pool ? pool.take(size) : new ArrayBuffer(size);
  return { batch: columnBatchOver(buffer, s), buffer };
}
