/**
 * A Parquet file's footer (FileMetaData, parquet.thrift), as much of it as reading the flat
 * columns of row groups page by page needs: where each column chunk starts, its physical
 * type, codec and encodings, and whether its values may be null.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CompactReader, list, num, struct, text } from './thrift-compact.js';
import type { ThriftStruct } from './thrift-compact.js';

export const enum Physical {
  boolean = 0,
  int32 = 1,
  int64 = 2,
  int96 = 3,
  float = 4,
  double = 5,
  byteArray = 6,
  fixedLenByteArray = 7,
}
export const enum Codec {
  uncompressed = 0,
  snappy = 1,
  gzip = 2,
  lzo = 3,
  brotli = 4,
  lz4 = 5,
  zstd = 6,
  lz4Raw = 7,
}
export const enum Encoding {
  plain = 0,
  plainDictionary = 2,
  rle = 3,
  bitPacked = 4,
  rleDictionary = 8,
}

const enum Repetition {
  required = 0,
  optional = 1,
  repeated = 2,
}

export interface Leaf {
  /** The column's name: the reader reads top-level columns only. */
  name: string;
  physical: Physical;
  /** Bytes of a FIXED_LEN_BYTE_ARRAY value. */
  typeLength: number;
  /** 1 when the column may hold nulls (its definition levels are 0 or 1), else 0. */
  maxDef: number;
  /** False for a column inside a group or a repeated one (not read page by page). */
  flat: boolean;
}

export interface ChunkMeta {
  physical: Physical;
  codec: Codec;
  encodings: number[];
  numValues: number;
  /** File offset of the chunk's first page (its dictionary's, when it has one). */
  start: number;
  compressedSize: number;
  uncompressedSize: number;
}

export interface RowGroupMeta {
  numRows: number;
  /** By column name, for the flat top-level columns. */
  columns: Map<string, ChunkMeta>;
}

export interface ParquetFooter {
  fileSize: number;
  numRows: number;
  leaves: Map<string, Leaf>;
  rowGroups: RowGroupMeta[];
}

/** Longest footer read: beyond any real file's (thousands of row groups of hundreds of columns). */
const MAX_FOOTER = 256 << 20;

/** Reads and parses the footer of the Parquet file open as fd. */
export function readFooter(fd: number): ParquetFooter {
  const fileSize = fstatSync(fd).size;
  if (fileSize < 12) throw new Error('too short for a Parquet file');
  const tail = Buffer.alloc(8);
  readSync(fd, tail, 0, 8, fileSize - 8);
  if (tail.toString('latin1', 4) !== 'PAR1') throw new Error('no Parquet footer magic at the end');
  const length = tail.readUInt32LE(0);
  if (length > fileSize - 12 || length > MAX_FOOTER) throw new Error(`footer length ${length} does not fit the file`);
  const bytes = Buffer.alloc(length);
  readSync(fd, bytes, 0, length, fileSize - 8 - length);
  return parseFooter(new CompactReader(bytes).struct(), fileSize);
}

export function footerOfPath(path: string): ParquetFooter {
  const fd = openSync(path, 'r');
  try {
    return readFooter(fd);
  } finally {
    closeSync(fd);
  }
}

function parseFooter(meta: ThriftStruct, fileSize: number): ParquetFooter {
  const schema = list(meta, 2) as ThriftStruct[];
  const leaves = new Map<string, Leaf>();
  // the schema is its tree depth first: the root, then each element and its num_children
  let at = 1;
  const walk = (depth: number, maxDef: number, repeated: boolean): void => {
    const e = schema[at++];
    if (e === undefined) throw new Error('the schema ends inside a group');
    const rep = num(e, 3, Repetition.required);
    const name = text(e, 4) ?? '';
    const def = maxDef + (rep === Repetition.optional ? 1 : 0);
    const rpt = repeated || rep === Repetition.repeated;
    const children = num(e, 5, 0);
    if (children === 0 && e.has(1)) {
      const leaf: Leaf = {
        name,
        physical: num(e, 1),
        typeLength: num(e, 2, 0),
        maxDef: def,
        flat: depth === 0 && !rpt && def <= 1,
      };
      if (depth === 0) leaves.set(name, leaf);
      return;
    }
    for (let c = 0; c < children; c++) walk(depth + 1, def, rpt);
    // a group: its leaves are not read page by page
    if (depth === 0) leaves.set(name, { name, physical: Physical.boolean, typeLength: 0, maxDef: def, flat: false });
  };
  const roots = num(schema[0] ?? new Map(), 5, 0);
  for (let c = 0; c < roots; c++) walk(0, 0, false);
  const rowGroups = (list(meta, 4) as ThriftStruct[]).map((g): RowGroupMeta => {
    const columns = new Map<string, ChunkMeta>();
    for (const chunk of list(g, 1) as ThriftStruct[]) {
      const m = struct(chunk, 3);
      if (m === undefined || chunk.has(1)) continue; // a chunk in another file: not read here
      const path = list(m, 3).map((p) => new TextDecoder().decode(p as Uint8Array));
      if (path.length !== 1) continue;
      const dict = m.has(11) ? num(m, 11) : 0;
      const data = num(m, 9);
      columns.set(path[0], {
        physical: num(m, 1),
        codec: num(m, 4),
        encodings: list(m, 2) as number[],
        numValues: num(m, 5),
        // some writers set dictionary_page_offset to 0 for "none"
        start: dict > 0 && dict < data ? dict : data,
        compressedSize: num(m, 7),
        uncompressedSize: num(m, 6),
      });
    }
    return { numRows: num(g, 3), columns };
  });
  return { fileSize, numRows: num(meta, 3), leaves, rowGroups };
}
