/**
 * A Parquet row group read page by page, as RecordBatches of a bounded number of rows: the
 * memory is a slice of the columns read, where parquet-wasm (arrow-rs) decodes a row group
 * whole before its first batch (11x the largest column chunk for DuckDB's 2*10^7 rows in
 * one group). Only what the readers of orders meet is read this way: flat columns, PLAIN or
 * dictionary values, uncompressed, Snappy, gzip, Brotli or Zstandard pages, into the Arrow types the
 * engine converts. rowGroupUnreadable says why a group does not qualify; such groups go to
 * parquet-wasm.
 */
import { closeSync, openSync } from 'node:fs';
import type * as Arrow from 'apache-arrow';
import type { Data, DataType, Field, RecordBatch, Schema } from 'apache-arrow';
import { isDate, isDecimal, isFloat, isInt, isTimestamp, isUtf8 } from '../../batch/arrow-types.js';
import { DateUnitId, PrecisionId } from '../../batch/arrow-ids.js';
import { ColumnPages, READABLE_CODECS, READABLE_ENCODINGS } from './column-pages.js';
import type { ColumnSlice } from './column-pages.js';
import { Physical } from './footer.js';
import type { Leaf, ParquetFooter } from './footer.js';

/** What of apache-arrow builds the batches: the caller's copy, so they are of its classes. */
export type ArrowKit = Pick<typeof Arrow, 'makeData' | 'RecordBatch' | 'Struct'>;

/** Whether the page reader turns this column, stored so, into this Arrow type. */
function convertible(t: DataType, leaf: Leaf): boolean {
  if (!leaf.flat) return false;
  const p = leaf.physical;
  if (isInt(t)) return t.bitWidth === 64 ? p === Physical.int64 : p === Physical.int32;
  if (isTimestamp(t)) return p === Physical.int64;
  if (isDate(t)) return t.unit === DateUnitId.DAY && p === Physical.int32;
  if (isFloat(t))
    return (
      (t.precision === PrecisionId.DOUBLE && p === Physical.double) ||
      (t.precision === PrecisionId.SINGLE && p === Physical.float)
    );
  if (isDecimal(t))
    return (
      t.bitWidth === 128 &&
      (p === Physical.int32 ||
        p === Physical.int64 ||
        p === Physical.byteArray ||
        (p === Physical.fixedLenByteArray && leaf.typeLength <= 16))
    );
  if (isUtf8(t)) return p === Physical.byteArray;
  return false;
}

/** Why row group g of the file cannot be read page by page, or null when it can. */
export function rowGroupUnreadable(footer: ParquetFooter, g: number, fields: readonly Field[]): string | null {
  const group = footer.rowGroups[g];
  for (const f of fields) {
    const leaf = footer.leaves.get(f.name);
    const chunk = group.columns.get(f.name);
    if (leaf === undefined || chunk === undefined) return `column ${f.name} is not a flat column of the file`;
    if (!convertible(f.type, leaf)) return `column ${f.name}: ${String(f.type)} from physical type ${leaf.physical}`;
    if (!READABLE_CODECS.has(chunk.codec)) return `column ${f.name}: codec ${chunk.codec}`;
    const odd = chunk.encodings.find((e) => !READABLE_ENCODINGS.has(e));
    if (odd !== undefined) return `column ${f.name}: encoding ${odd}`;
    if (chunk.physical !== leaf.physical) return `column ${f.name}: chunk and schema types differ`;
  }
  return null;
}

/** A big-endian two's complement integer of n bytes at src[at..] into 16 little-endian bytes. */
function decimalFromBigEndian(src: Uint8Array, at: number, n: number, out: Uint8Array, o: number): void {
  const fill = n > 0 && src[at] & 0x80 ? 0xff : 0;
  for (let k = 0; k < 16; k++) out[o + k] = k < n ? src[at + n - 1 - k] : fill;
}

function decimalValues(s: ColumnSlice, leaf: Leaf): Uint8Array {
  const out = new Uint8Array(s.rows * 16);
  if (leaf.physical === Physical.int32 || leaf.physical === Physical.int64) {
    const w = leaf.physical === Physical.int32 ? 4 : 8;
    const src = s.fixed!;
    for (let r = 0; r < s.rows; r++) {
      const fill = src[r * w + w - 1] & 0x80 ? 0xff : 0;
      for (let k = 0; k < 16; k++) out[r * 16 + k] = k < w ? src[r * w + k] : fill;
    }
  } else if (leaf.physical === Physical.fixedLenByteArray) {
    for (let r = 0; r < s.rows; r++) decimalFromBigEndian(s.fixed!, r * leaf.typeLength, leaf.typeLength, out, r * 16);
  } else {
    const off = s.offsets!;
    for (let r = 0; r < s.rows; r++) {
      const n = off[r + 1] - off[r];
      if (n > 16) throw new Error('a decimal wider than 16 bytes');
      decimalFromBigEndian(s.data!, off[r], n, out, r * 16);
    }
  }
  return out;
}

function toData(arrow: ArrowKit, t: DataType, leaf: Leaf, s: ColumnSlice): Data {
  const base = { type: t, length: s.rows, nullCount: s.nullCount, nullBitmap: s.bitmap ?? undefined };
  if (isUtf8(t)) return arrow.makeData({ ...base, type: t as Arrow.Utf8, valueOffsets: s.offsets!, data: s.data! });
  if (isDecimal(t))
    return arrow.makeData({ ...base, type: t as Arrow.Decimal, data: new Uint32Array(decimalValues(s, leaf).buffer) });
  const bytes = s.fixed!;
  if (isInt(t) && t.bitWidth < 32) {
    // Parquet stores 8 and 16 bit integers as int32
    const wide = new Int32Array(bytes.buffer, bytes.byteOffset, s.rows);
    return arrow.makeData({ ...base, type: t as Arrow.Int, data: new (t.ArrayType as Int16ArrayConstructor)(wide) });
  }
  return arrow.makeData({ ...base, type: t as Arrow.Int, data: bytes });
}

/**
 * Row group g of the Parquet file at path, rows at a time, in the columns of schema (the
 * file's Arrow schema, narrowed to the columns wanted). The caller checked
 * rowGroupUnreadable.
 */
export function* rowGroupBatches(
  path: string,
  footer: ParquetFooter,
  g: number,
  schema: Schema,
  rows: number,
  arrow: ArrowKit,
): Generator<RecordBatch> {
  const fd = openSync(path, 'r');
  try {
    const group = footer.rowGroups[g];
    const leaves = schema.fields.map((f) => footer.leaves.get(f.name)!);
    const columns = schema.fields.map((f, i) => new ColumnPages(fd, leaves[i], group.columns.get(f.name)!));
    for (let done = 0; done < group.numRows; ) {
      const n = Math.min(rows, group.numRows - done);
      const children = columns.map((c, i) => {
        let s: ColumnSlice;
        try {
          s = c.take(n);
        } catch (e) {
          throw new Error(`column ${schema.fields[i].name}: ${(e as Error).message}`);
        }
        if (s.rows !== n)
          throw new Error(
            `column ${schema.fields[i].name} holds ${done + s.rows} values of a row group of ${group.numRows} rows`,
          );
        return toData(arrow, schema.fields[i].type, leaves[i], s);
      });
      done += n;
      yield new arrow.RecordBatch(
        schema,
        arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, nullCount: 0, children }),
      );
    }
  } finally {
    closeSync(fd);
  }
}
