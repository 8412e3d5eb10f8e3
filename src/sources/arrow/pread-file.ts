/**
 * A regular Arrow IPC file as apache-arrow reads one, with a ring of buffers that record
 * batch bodies are read into (see reuseBodyBuffers). Used by the reading thread.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { RecordBatchReader } from 'apache-arrow';

/** Bodies in flight at once are one or two; four leaves room. */
const RING_SIZE = 4;

/**
 * A regular file as apache-arrow reads one (its FileHandle shape: fd, stat, read, close),
 * read with pread on this thread.
 */
export class PreadFile {
  readonly fd: number;
  readonly size: number;
  private readonly ring: Uint8Array[] = [];
  private next = 0;
  private closed = false;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  async stat(): Promise<{ size: number }> {
    return { size: this.size };
  }

  async read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number; buffer: Uint8Array }> {
    return { bytesRead: readSync(this.fd, buffer, offset, length, position), buffer };
  }

  /** `length` bytes at `position` in one of a few buffers used over and over. */
  readIntoRing(position: number, length: number): Uint8Array {
    const slot = this.next;
    this.next = (this.next + 1) % RING_SIZE;
    if ((this.ring[slot]?.length ?? 0) < length) this.ring[slot] = new Uint8Array(Math.ceil(length / 65_536) * 65_536);
    const bytesRead = readSync(this.fd, this.ring[slot], 0, length, position);
    return this.ring[slot].subarray(0, bytesRead);
  }

  /** apache-arrow closes the handle when it is done with it; so may we: once is enough. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** The part of apache-arrow's AsyncRandomAccessFile (21.2, pinned) that reads message bodies. */
interface ArrowFileReads {
  position: number;
  size: number;
  read(nBytes: number): Promise<Uint8Array | null>;
}

/**
 * Has the reader put record batch bodies into the file's ring of buffers. apache-arrow reads
 * every body into a fresh buffer, and writing a fresh megabyte costs more in page faults than
 * converting the batch in it. Only for the IPC file format, once open() has read the footer
 * and every dictionary (they must live on): every later large read is a record batch body,
 * converted before the ring comes round to its buffer again. If apache-arrow's internals are
 * not as expected, nothing changes.
 */
export function reuseBodyBuffers(reader: RecordBatchReader, file: PreadFile): void {
  const reads = fileReads(reader, file);
  if (!reader.isFile() || !reads) return;
  const read = reads.read.bind(reads);
  reads.read = async (nBytes: number) => {
    if (!(nBytes >= 65_536) || reads.position >= file.size) return read(nBytes);
    const position = reads.position;
    const end = Math.min(file.size, position + nBytes);
    reads.position = end;
    return file.readIntoRing(position, end - position);
  };
}

/**
 * apache-arrow's wrapper around our file: the object among the reader's parts that holds
 * `file` and has a numeric `position` and a `read` method. Found by shape, as the bundle's
 * private names are minified (the package's own build calls it `_impl._handle`).
 */
export function fileReads(reader: RecordBatchReader, file: PreadFile): ArrowFileReads | null {
  const parts = (o: unknown): unknown[] => (o !== null && typeof o === 'object' ? Object.values(o) : []);
  for (const impl of parts(reader)) {
    for (const candidate of parts(impl)) {
      const c = candidate as Partial<ArrowFileReads> | null;
      if (c && typeof c.read === 'function' && typeof c.position === 'number' && parts(c).includes(file))
        return c as ArrowFileReads;
    }
  }
  return null;
}
