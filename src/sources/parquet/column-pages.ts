/**
 * One flat column chunk of a Parquet row group, read a page at a time and handed out in
 * slices of rows: the memory is a page or two, not the chunk. Pages are DATA_PAGE (v1) or
 * DATA_PAGE_V2 after an optional dictionary page; values PLAIN or dictionary indices
 * (RLE_DICTIONARY, PLAIN_DICTIONARY), nulls by definition levels (RLE/bit-packed hybrid).
 * Anything else throws: the caller checked the chunk's encodings and codec first.
 */
import { readSync } from 'node:fs';
import { brotliDecompressSync, unzipSync } from 'node:zlib';
import { Codec, Encoding, Physical } from './footer.js';
import type { ChunkMeta, Leaf } from './footer.js';
import { decompress as zstdDecompress } from 'fzstd';
import { snappyUncompress } from './snappy.js';
import { CompactReader, num, struct } from './thrift-compact.js';
import type { ThriftStruct } from './thrift-compact.js';

const enum PageType {
  data = 0,
  index = 1,
  dictionary = 2,
  dataV2 = 3,
}

export const READABLE_CODECS: ReadonlySet<number> = new Set([
  Codec.uncompressed,
  Codec.snappy,
  Codec.gzip,
  Codec.brotli,
  Codec.zstd,
]);
export const READABLE_ENCODINGS: ReadonlySet<number> = new Set([
  Encoding.plain,
  Encoding.plainDictionary,
  Encoding.rle,
  Encoding.rleDictionary,
]);

/** Bytes a value of a fixed-width physical type takes; 0 for byte arrays. */
function widthOf(leaf: Leaf): number {
  switch (leaf.physical) {
    case Physical.int32:
    case Physical.float:
      return 4;
    case Physical.int64:
    case Physical.double:
      return 8;
    case Physical.fixedLenByteArray:
      return leaf.typeLength;
    case Physical.byteArray:
      return 0;
    default:
      return -1;
  }
}

/** A slice of rows of one column, ready to become an Arrow column. */
export interface ColumnSlice {
  rows: number;
  nullCount: number;
  /** Arrow's validity bitmap (LSB first), or null when no row is null. */
  bitmap: Uint8Array | null;
  /** rows * width bytes, fixed-width types. */
  fixed: Uint8Array | null;
  /** rows + 1 offsets into data, byte arrays. */
  offsets: Int32Array | null;
  data: Uint8Array | null;
}

/** Largest page header: statistics of long strings can make one large; past it the file is corrupt. */
const MAX_HEADER = 16 << 20;
/** Largest page: Parquet writers keep pages to about a megabyte. */
const MAX_PAGE = 1 << 30;

/** Bytes read from the file at a time: a few pages, in one system call. */
const WINDOW = 4 << 20;

/** A column chunk's bytes through a window read ahead (pages are read in order). */
class ChunkBytes {
  // one buffer, reused: fresh memory costs a page fault per 4 KiB on first touch
  private buffer = new Uint8Array(0);
  private windowAt = 0;
  private windowLength = 0;
  constructor(
    private readonly fd: number,
    private readonly end: number,
  ) {}

  /** length bytes at position (a view: valid until the next call). */
  at(position: number, length: number): Uint8Array {
    // a page larger than the window is read alone, and freed once decoded
    if (length > WINDOW) return this.read(new Uint8Array(length), position, length);
    if (position < this.windowAt || position + length > this.windowAt + this.windowLength) {
      const want = Math.min(WINDOW, this.end - position);
      if (this.buffer.length < want) this.buffer = new Uint8Array(want);
      this.read(this.buffer, position, want);
      this.windowAt = position;
      this.windowLength = want;
    }
    return this.buffer.subarray(position - this.windowAt, position - this.windowAt + length);
  }

  private read(into: Uint8Array, position: number, length: number): Uint8Array {
    for (let got = 0; got < length; ) {
      const n = readSync(this.fd, into, got, length - got, position + got);
      if (n === 0) throw new Error(`the file ends inside a page (offset ${position + got})`);
      got += n;
    }
    return into.subarray(0, length);
  }
}

function uncompress(codec: number, body: Uint8Array, size: number): Uint8Array {
  let out: Uint8Array;
  switch (codec) {
    case Codec.uncompressed:
      return body;
    case Codec.snappy:
      return snappyUncompress(body, new Uint8Array(size));
    case Codec.gzip:
      out = unzipSync(body);
      break;
    case Codec.brotli:
      out = brotliDecompressSync(body);
      break;
    case Codec.zstd:
      // Node 20's zlib has no Zstandard (22.15 has): fzstd, a decoder in plain JavaScript
      out = zstdDecompress(body, new Uint8Array(size));
      break;
    default:
      throw new Error(`compression codec ${codec} is not read page by page`);
  }
  if (out.length !== size) throw new Error(`a page uncompressed to ${out.length} bytes, its header says ${size}`);
  return out;
}

/**
 * The RLE/bit-packed hybrid (definition levels, dictionary indices), decoded on demand: a
 * page of DuckDB's can hold 2*10^7 indices, which decoded whole would be 80 MB.
 */
class Hybrid {
  private runLeft = 0;
  private runValue = 0;
  /** Values left in the current bit-packed run (counted in whole groups of 8). */
  private packedLeft = 0;
  private packedEnd = 0;
  private acc = 0;
  private bits = 0;
  private readonly mask: number;

  constructor(
    private readonly buf: Uint8Array,
    private at: number,
    private readonly end: number,
    private readonly bitWidth: number,
  ) {
    if (bitWidth > 32) throw new Error(`a hybrid run of ${bitWidth} bits`);
    this.mask = bitWidth >= 32 ? 0xffffffff : 2 ** bitWidth - 1;
  }

  private header(): void {
    let h = 0;
    for (let mul = 1; ; mul *= 128) {
      if (this.at >= this.end) throw new Error('levels or indices end early');
      const b = this.buf[this.at++];
      h += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
    }
    if (h % 2 === 1) {
      this.packedLeft = Math.floor(h / 2) * 8;
      this.packedEnd = this.at + (this.packedLeft * this.bitWidth) / 8;
      if (this.packedEnd > this.end) throw new Error('a bit-packed run ends past its page');
      this.acc = 0;
      this.bits = 0;
    } else {
      this.runLeft = Math.floor(h / 2);
      const n = (this.bitWidth + 7) >> 3;
      if (this.at + n > this.end) throw new Error('a run ends past its page');
      let v = 0;
      for (let b = 0; b < n; b++) v += this.buf[this.at + b] * 2 ** (8 * b);
      this.at += n;
      this.runValue = v;
    }
  }

  /** Decodes count values into out[from..]. */
  next(out: Int32Array | Uint8Array, from: number, count: number): void {
    const buf = this.buf;
    const w = this.bitWidth;
    let i = from;
    const stop = from + count;
    while (i < stop) {
      if (this.runLeft === 0 && this.packedLeft === 0) this.header();
      if (this.runLeft > 0) {
        const k = Math.min(this.runLeft, stop - i);
        out.fill(this.runValue, i, i + k);
        this.runLeft -= k;
        i += k;
        continue;
      }
      const k = Math.min(this.packedLeft, stop - i);
      if (w <= 24) {
        // bits taken a byte at a time into an accumulator that never passes 32 bits
        let acc = this.acc;
        let bits = this.bits;
        let p = this.at;
        const mask = this.mask;
        for (let j = 0; j < k; j++) {
          while (bits < w) {
            acc |= buf[p++] << bits;
            bits += 8;
          }
          out[i + j] = acc & mask;
          acc >>>= w;
          bits -= w;
        }
        this.acc = acc;
        this.bits = bits;
        this.at = p;
      } else {
        for (let j = 0; j < k; j++) {
          let v = 0;
          for (let b = 0; b < w; b++) {
            if (this.bits === 0) {
              this.acc = buf[this.at++];
              this.bits = 8;
            }
            if (this.acc & 1) v += 2 ** b;
            this.acc >>>= 1;
            this.bits--;
          }
          out[i + j] = v;
        }
      }
      this.packedLeft -= k;
      i += k;
      // a run's last group may hold padding values nobody asks for
      if (this.packedLeft === 0) this.at = this.packedEnd;
    }
  }
}

/** A data page being read: its levels and values, decoded as rows are taken. */
interface Page {
  rows: number;
  /** Rows taken so far. */
  row: number;
  /** Definition levels (1 = a value), or null when every row holds one. */
  levels: Hybrid | null;
  buf: Uint8Array;
  /** Next PLAIN value's position in buf. */
  at: number;
  /** Dictionary indices, or null for PLAIN values. */
  indices: Hybrid | null;
}

/** Byte arrays of rows, appended. */
class BytesOut {
  readonly offsets: Int32Array;
  data = new Uint8Array(1 << 16);
  private used = 0;
  private row = 0;
  constructor(rows: number) {
    this.offsets = new Int32Array(rows + 1);
  }

  push(src: Uint8Array, from: number, length: number): void {
    if (this.used + length > this.data.length) {
      const grown = new Uint8Array(Math.max(this.data.length * 2, this.used + length));
      grown.set(this.data.subarray(0, this.used));
      this.data = grown;
    }
    this.data.set(src.subarray(from, from + length), this.used);
    this.used += length;
    this.offsets[++this.row] = this.used;
  }

  empty(): void {
    this.offsets[++this.row] = this.used;
  }

  bytes(): Uint8Array {
    return this.data.subarray(0, this.used);
  }
}

/** The pages of one column chunk, as slices of rows on demand. */
export class ColumnPages {
  private pos: number;
  private readonly end: number;
  private readonly width: number;
  private readonly bytes: ChunkBytes;
  private dictFixed: Uint8Array | null = null;
  private dictBytes: { offsets: Int32Array; data: Uint8Array } | null = null;
  private page: Page | null = null;
  private valuesLeft: number;
  // reused between slices
  private valid = new Uint8Array(0);
  private idx = new Int32Array(0);

  constructor(
    fd: number,
    private readonly leaf: Leaf,
    private readonly chunk: ChunkMeta,
  ) {
    this.pos = chunk.start;
    this.end = chunk.start + chunk.compressedSize;
    this.bytes = new ChunkBytes(fd, this.end);
    this.width = widthOf(leaf);
    this.valuesLeft = chunk.numValues;
  }

  private header(): { head: ThriftStruct; size: number } {
    for (let want = Math.min(64 << 10, this.end - this.pos); ; want *= 4) {
      const bytes = this.bytes.at(this.pos, Math.min(want, this.end - this.pos));
      const r = new CompactReader(bytes);
      try {
        return { head: r.struct(), size: r.pos };
      } catch (e) {
        if (!(e instanceof RangeError) || bytes.length >= this.end - this.pos || want >= MAX_HEADER) throw e;
      }
    }
  }

  /** Reads pages until one with data; false at the chunk's end. */
  private nextPage(): boolean {
    while (this.valuesLeft > 0) {
      if (this.pos >= this.end) throw new Error(`the column chunk ends with ${this.valuesLeft} values unread`);
      const { head, size } = this.header();
      const type = num(head, 1);
      const rawSize = num(head, 2);
      const stored = num(head, 3);
      if (stored < 0 || rawSize < 0 || stored > MAX_PAGE || rawSize > MAX_PAGE || this.pos + size + stored > this.end)
        throw new Error('a page header gives sizes past its column chunk');
      // a view of the window: valid while this page is read (the next read is for the next page)
      const body = this.bytes.at(this.pos + size, stored);
      this.pos += size + stored;
      let page: Page;
      if (type === PageType.dictionary) {
        const h = struct(head, 7);
        if (h === undefined) throw new Error('a dictionary page without its header');
        this.dictionary(uncompress(this.chunk.codec, body, rawSize), num(h, 1));
        continue;
      } else if (type === PageType.data) {
        const h = struct(head, 5);
        if (h === undefined) throw new Error('a data page without its header');
        page = this.dataV1(uncompress(this.chunk.codec, body, rawSize), num(h, 1), num(h, 2));
      } else if (type === PageType.dataV2) {
        const h = struct(head, 8);
        if (h === undefined) throw new Error('a data page (v2) without its header');
        page = this.dataV2(body, rawSize, h);
      } else {
        continue; // an index page: nothing to read
      }
      if (page.rows > this.valuesLeft) throw new Error('data pages hold more values than their column chunk');
      this.valuesLeft -= page.rows;
      this.page = page;
      return true;
    }
    return false;
  }

  private dictionary(buf: Uint8Array, count: number): void {
    if (this.width > 0) {
      if (count * this.width > buf.length) throw new Error('a dictionary page shorter than its entries');
      this.dictFixed = buf.slice(0, count * this.width); // a copy: aligned for the gather's views
    } else {
      const offsets = new Int32Array(count + 1);
      const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      const data = new Uint8Array(buf.length);
      let at = 0;
      for (let i = 0; i < count; i++) {
        if (at + 4 > buf.length) throw new Error('a dictionary page shorter than its entries');
        const n = view.getUint32(at, true);
        if (at + 4 + n > buf.length) throw new Error('a dictionary entry runs past its page');
        data.set(buf.subarray(at + 4, at + 4 + n), offsets[i]);
        offsets[i + 1] = offsets[i] + n;
        at += 4 + n;
      }
      this.dictBytes = { offsets, data };
    }
  }

  private dataV1(buf: Uint8Array, rows: number, encoding: number): Page {
    let at = 0;
    let levels: Hybrid | null = null;
    if (this.leaf.maxDef > 0) {
      if (buf.length < 4) throw new Error('a data page too short for its levels');
      const n = new DataView(buf.buffer, buf.byteOffset).getUint32(0, true);
      if (4 + n > buf.length) throw new Error('definition levels past their page');
      levels = new Hybrid(buf, 4, 4 + n, 1);
      at = 4 + n;
    }
    return this.values(buf, at, rows, levels, encoding);
  }

  private dataV2(body: Uint8Array, rawSize: number, h: ThriftStruct): Page {
    const rows = num(h, 1);
    const defBytes = num(h, 5);
    if (num(h, 6) !== 0) throw new Error('repetition levels in a flat column');
    if (defBytes > body.length) throw new Error('definition levels past their page');
    const compressed = h.get(7) !== false;
    const rest = body.subarray(defBytes);
    const values = compressed ? uncompress(this.chunk.codec, rest, rawSize - defBytes) : rest;
    const levels = this.leaf.maxDef > 0 && num(h, 2, -1) !== 0 ? new Hybrid(body, 0, defBytes, 1) : null;
    return this.values(values, 0, rows, levels, num(h, 4));
  }

  private values(buf: Uint8Array, at: number, rows: number, levels: Hybrid | null, encoding: number): Page {
    const page: Page = { rows, row: 0, levels, buf, at, indices: null };
    if (encoding === Encoding.rleDictionary || encoding === Encoding.plainDictionary) {
      if (this.dictFixed === null && this.dictBytes === null)
        throw new Error('dictionary indices before any dictionary page');
      if (at >= buf.length) {
        page.indices = new Hybrid(buf, at, at, 0); // a page of nulls only
      } else {
        page.indices = new Hybrid(buf, at + 1, buf.length, buf[at]);
      }
    } else if (encoding !== Encoding.plain) {
      throw new Error(`value encoding ${encoding} is not read page by page`);
    }
    return page;
  }

  /** The next n rows (fewer at the chunk's end). */
  take(n: number): ColumnSlice {
    const w = this.width;
    const fixed = w > 0 ? new Uint8Array(n * w) : null;
    const text = w > 0 ? null : new BytesOut(n);
    if (this.valid.length < n) this.valid = new Uint8Array(n);
    if (this.idx.length < n) this.idx = new Int32Array(n);
    const valid = this.valid;
    let nullCount = 0;
    let row = 0;
    while (row < n) {
      if ((this.page === null || this.page.row >= this.page.rows) && !this.nextPage()) break;
      const page = this.page!;
      const k = Math.min(n - row, page.rows - page.row);
      let count = k;
      if (page.levels !== null) {
        page.levels.next(valid, row, k);
        count = 0;
        for (let r = row; r < row + k; r++) count += valid[r];
        nullCount += k - count;
      } else {
        valid.fill(1, row, row + k);
      }
      const dense = count === k;
      if (fixed !== null) {
        // values go straight to their rows when none is null, else packed first, then spread
        const into = dense ? fixed.subarray(row * w, (row + k) * w) : new Uint8Array(count * w);
        if (page.indices !== null) {
          page.indices.next(this.idx, 0, count);
          gatherFixed(this.dictFixed!, w, this.idx, count, into);
        } else {
          if (page.at + count * w > page.buf.length) throw new Error('values past their page');
          into.set(page.buf.subarray(page.at, page.at + count * w));
          page.at += count * w;
        }
        if (!dense) {
          for (let r = 0, v = 0; r < k; r++) {
            if (valid[row + r] === 0) continue;
            fixed.set(into.subarray(v * w, (v + 1) * w), (row + r) * w);
            v++;
          }
        }
      } else {
        if (page.indices !== null) page.indices.next(this.idx, 0, count);
        const dict = this.dictBytes;
        const view = new DataView(page.buf.buffer, page.buf.byteOffset, page.buf.byteLength);
        for (let r = 0, v = 0; r < k; r++) {
          if (valid[row + r] === 0) {
            text!.empty();
            continue;
          }
          if (page.indices !== null) {
            const e = this.idx[v++];
            if (e >= dict!.offsets.length - 1)
              throw new Error(`dictionary index ${e} of ${dict!.offsets.length - 1} entries`);
            text!.push(dict!.data, dict!.offsets[e], dict!.offsets[e + 1] - dict!.offsets[e]);
          } else {
            if (page.at + 4 > page.buf.length) throw new Error('byte arrays end early');
            const len = view.getUint32(page.at, true);
            if (page.at + 4 + len > page.buf.length) throw new Error('a byte array runs past its page');
            text!.push(page.buf, page.at + 4, len);
            page.at += 4 + len;
          }
        }
      }
      page.row += k;
      row += k;
    }
    let bitmap: Uint8Array | null = null;
    if (nullCount > 0) {
      bitmap = new Uint8Array((row + 7) >> 3);
      for (let r = 0; r < row; r++) if (valid[r] === 1) bitmap[r >> 3] |= 1 << (r & 7);
    }
    return {
      rows: row,
      nullCount,
      bitmap,
      fixed: fixed === null ? null : fixed.subarray(0, row * w),
      offsets: text === null ? null : text.offsets.subarray(0, row + 1),
      data: text === null ? null : text.bytes(),
    };
  }
}

/** Dictionary entries picked by index (an index per value), fixed width, into out. */
function gatherFixed(dict: Uint8Array, width: number, idx: Int32Array, count: number, out: Uint8Array): void {
  const entries = dict.length / width;
  for (let i = 0; i < count; i++)
    if (idx[i] >= entries) throw new Error(`dictionary index ${idx[i]} of ${entries} entries`);
  if ((width === 8 || width === 4) && out.byteOffset % 4 === 0) {
    // as 32-bit words: an int64 through a Float64Array could lose a NaN pattern (-1 is one)
    const d = new Int32Array(dict.buffer, dict.byteOffset, entries * (width >> 2));
    const o = new Int32Array(out.buffer, out.byteOffset, count * (width >> 2));
    if (width === 4) for (let i = 0; i < count; i++) o[i] = d[idx[i]];
    else {
      for (let i = 0; i < count; i++) {
        const k = idx[i] << 1;
        o[2 * i] = d[k];
        o[2 * i + 1] = d[k + 1];
      }
    }
    return;
  }
  for (let i = 0; i < count; i++) out.set(dict.subarray(idx[i] * width, (idx[i] + 1) * width), i * width);
}
