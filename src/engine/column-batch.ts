/**
 * A ColumnBatch lives in one buffer, so a batch reaches a worker thread without a copy: by
 * transfer (an ArrayBuffer, one shard), or shared by every shard (a SharedArrayBuffer, from
 * a shared pool; the shards only read it). Layout, for n rows:
 *   ts f64[n] | amount f64[n] | ids: i32[2n] words or i32[n+1] offsets | kind u8[n] | id bytes
 */
import type { ColumnBatch, IdMode } from '../core/types.js';

/** What a batch lives in: its own buffer, or one every shard reads. */
export type BatchBuffer = ArrayBuffer | SharedArrayBuffer;

/** Buffers that go to other threads by transfer: the unshared ones, each once. */
export function transferable(buffers: BatchBuffer[]): ArrayBuffer[] {
  return [...new Set(buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
}

/**
 * What a shard hands back once it has applied a batch: its own buffer, free for the next
 * one, or null for a shared buffer, which the coordinator takes back once every shard is done.
 */
export function handBack(buffer: BatchBuffer): ArrayBuffer | null {
  return buffer instanceof SharedArrayBuffer ? null : buffer;
}

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

/**
 * Buffers for batches, used again once every kernel has applied them. A fresh buffer of a
 * megabyte or two costs its size in page faults when first written (1.4 ms per 1.6 MB on
 * the benchmark machine, more than converting the batch); a used one costs nothing.
 * A shared pool makes SharedArrayBuffers, which every shard reads in place (see toInput).
 */
export class BufferPool {
  private readonly free: BatchBuffer[] = [];

  constructor(readonly shared = false) {}

  /** The smallest free buffer of at least `size` bytes (not cleared), else a new one. */
  take(size: number): BatchBuffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const len = this.free[i].byteLength;
      if (len >= size && (best < 0 || len < this.free[best].byteLength)) best = i;
    }
    if (best >= 0) return this.free.splice(best, 1)[0];
    // round up so one buffer fits the batches of the usual size and the odd larger one
    const rounded = Math.ceil(size / 65536) * 65536;
    return this.shared ? new SharedArrayBuffer(rounded) : new ArrayBuffer(rounded);
  }

  /** Takes a buffer back; one already here is ignored (handing it out twice would mix two batches). */
  give(buffer: BatchBuffer): void {
    if (buffer.byteLength > 0 && this.free.length < 64 && !this.free.includes(buffer)) this.free.push(buffer);
  }

  /** Every free buffer, leaving the pool empty (to hand them to another thread). */
  drain(): BatchBuffer[] {
    return this.free.splice(0);
  }
}

/** A batch in one buffer, from the pool when one is given (not cleared then), else new and zeroed. */
export function allocColumnBatch(s: ColumnBatchShape, pool?: BufferPool): { batch: ColumnBatch; buffer: BatchBuffer } {
  const size = layout(s).size;
  const buffer = pool ? pool.take(size) : new ArrayBuffer(size);
  return { batch: columnBatchOver(buffer, s), buffer };
}
