/**
 * Snappy's raw format (google/snappy format_description.txt), decompression only: the
 * codec most Parquet writers use by default (DuckDB, pyarrow, Spark). A literal or a copy
 * of earlier output per tag; a copy may overlap what it writes.
 */

export function snappyLength(input: Uint8Array): { length: number; at: number } {
  let length = 0;
  let at = 0;
  for (let shift = 0; ; shift += 7) {
    if (at >= input.length || shift > 28) throw new Error('snappy: bad length preamble');
    const b = input[at++];
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { length, at };
  }
}

/** Decompresses input into out (whose length must be the preamble's), returning out. */
export function snappyUncompress(input: Uint8Array, out: Uint8Array): Uint8Array {
  let { length, at } = snappyLength(input);
  if (length !== out.length) throw new Error(`snappy: ${length} bytes in the preamble, ${out.length} expected`);
  let o = 0;
  const end = input.length;
  while (at < end) {
    const tag = input[at++];
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        len = (tag >> 2) + 1;
        if (len > 60) {
          const extra = len - 60;
          if (at + extra > end) throw new Error('snappy: literal length past the end');
          len = 0;
          for (let k = 0; k < extra; k++) len += input[at + k] * 2 ** (8 * k);
          len += 1;
          at += extra;
        }
        if (at + len > end || o + len > length) throw new Error('snappy: literal past the end');
        // most literals are short: a loop beats making a subarray for set()
        if (len < 32) for (let k = 0; k < len; k++) out[o + k] = input[at + k];
        else out.set(input.subarray(at, at + len), o);
        at += len;
        o += len;
        continue;
      }
      case 1:
        if (at >= end) throw new Error('snappy: copy past the end');
        len = 4 + ((tag >> 2) & 7);
        offset = ((tag >> 5) << 8) | input[at++];
        break;
      case 2:
        if (at + 2 > end) throw new Error('snappy: copy past the end');
        len = (tag >> 2) + 1;
        offset = input[at] | (input[at + 1] << 8);
        at += 2;
        break;
      default:
        if (at + 4 > end) throw new Error('snappy: copy past the end');
        len = (tag >> 2) + 1;
        offset = (input[at] | (input[at + 1] << 8) | (input[at + 2] << 16)) + input[at + 3] * 16777216;
        at += 4;
    }
    if (offset === 0 || offset > o || o + len > length) throw new Error('snappy: copy out of range');
    if (offset >= len && len >= 32) out.copyWithin(o, o - offset, o - offset + len);
    else for (let k = 0, from = o - offset; k < len; k++) out[o + k] = out[from + k];
    o += len;
  }
  if (o !== length) throw new Error(`snappy: ${o} bytes out of ${length}`);
  return out;
}
