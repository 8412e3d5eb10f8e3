/**
 * The buffers batches live in: their own (transferred to one shard) or shared by every
 * shard (a SharedArrayBuffer the shards only read), and the pool that hands them out again
 * once every kernel has applied them.
 */

import { askHugePages } from '../native/huge-pages.js';

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

/**
 * Buffers for batches, used again once every kernel has applied them. A fresh buffer of a
 * megabyte or two costs its size in page faults when first written (1.4 ms per 1.6 MB on
 * the benchmark machine, more than converting the batch); a used one costs nothing.
 * A shared pool makes SharedArrayBuffers, which every shard reads in place (see toInput).
 */
const HUGE_PAGE = 2 << 20;
/**
 * A new buffer this large asks for huge pages: the first touch of fresh memory runs at
 * ~0.37 GB/s here in 4 KiB pages (a fault each), 0.5-6 GB/s in 2 MiB ones (bench/NOTES.md
 * 62); a joined batch of a file is 6.3 MB.
 */
const HUGE_FROM = 4 << 20;

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
    if (size >= HUGE_FROM) {
      // whole huge pages, and one more: the allocation's start is not 2 MiB-aligned
      const buffer = this.make(Math.ceil(size / HUGE_PAGE) * HUGE_PAGE + HUGE_PAGE);
      askHugePages(buffer);
      return buffer;
    }
    // round up so one buffer fits the batches of the usual size and the odd larger one
    return this.make(Math.ceil(size / 65536) * 65536);
  }

  private make(bytes: number): BatchBuffer {
    return this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
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
