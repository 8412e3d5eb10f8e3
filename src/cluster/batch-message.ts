/**
 * A message on the order stream: one Arrow IPC stream (schema and one record batch) of a
 * converted batch's rows for one partition, in the columns any rfmstream input has
 * (customer_id, ts as Int64 milliseconds, amount, kind as Int8 codes), so a node reads it
 * as it reads a POSTed body. Rows the conversion rejected or skipped are not sent.
 */
import {
  Field,
  Float64,
  Int8,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Uint64,
  Utf8,
} from 'apache-arrow';
import type { Data, DataType } from 'apache-arrow';
import { KIND_SKIP } from '../abi/abi.js';
import { bytesKeyInto } from '../core/hash.js';
import { canonicalIntInto } from '../domain/id-text.js';
import type { ColumnBatch } from '../domain/types.js';
import { partitionOf } from './partition.js';

/** Bytes a message keeps free under the server's max_payload for the IPC framing (schema, headers). */
const FRAMING_BYTES = 4096;

const key = new Int32Array(2);

/**
 * The partition of row i (an applied row). A text id that is an integer's canonical text
 * goes where that integer goes.
 */
function partitionOfRow(b: ColumnBatch, i: number, partitions: number): number {
  if (b.idMode === 'int') return partitionOf(b.idWords![2 * i], b.idWords![2 * i + 1], partitions);
  const from = b.idOffsets![i];
  const to = b.idOffsets![i + 1];
  // signed: an unsigned engine's ids above 2^63 are rare, and signed keys are what it compares
  if (!canonicalIntInto(key, b.idBytes!, from, to, false)) bytesKeyInto(key, b.idBytes!, from, to);
  return partitionOf(key[0], key[1], partitions);
}

/** The first partition other than p that an applied row of b is in, or -1: a node's check of a message. */
export function otherPartition(b: ColumnBatch, partitions: number, p: number): number {
  for (let i = 0; i < b.numRows; i++) {
    if (b.kind[i] === KIND_SKIP) continue;
    const q = partitionOfRow(b, i, partitions);
    if (q !== p) return q;
  }
  return -1;
}

/** The rows of a batch by partition: for each partition with rows, their indices in the batch. */
export function rowsByPartition(b: ColumnBatch, partitions: number): Map<number, Int32Array> {
  const n = b.numRows;
  const of = new Int32Array(n);
  const counts = new Int32Array(partitions);
  for (let i = 0; i < n; i++) {
    const p = b.kind[i] === KIND_SKIP ? -1 : partitionOfRow(b, i, partitions);
    of[i] = p;
    if (p >= 0) counts[p]++;
  }
  const rows = new Map<number, Int32Array>();
  const at = new Int32Array(partitions);
  for (let p = 0; p < partitions; p++) if (counts[p] > 0) rows.set(p, new Int32Array(counts[p]));
  for (let i = 0; i < n; i++) {
    const p = of[i];
    if (p >= 0) rows.get(p)![at[p]++] = i;
  }
  return rows;
}

/** An upper bound of a row's bytes in a message. */
function rowBytes(b: ColumnBatch, i: number): number {
  return 25 + (b.idMode === 'utf8' ? 4 + b.idOffsets![i + 1] - b.idOffsets![i] : 0);
}

/** The rows split into runs whose messages stay under maxPayload bytes. */
export function chunksUnder(b: ColumnBatch, rows: Int32Array, maxPayload: number): Int32Array[] {
  const room = maxPayload - FRAMING_BYTES;
  if (room <= 0) throw new RangeError(`max_payload ${maxPayload} leaves no room for a message`);
  const chunks: Int32Array[] = [];
  let start = 0;
  let bytes = 0;
  for (let j = 0; j < rows.length; j++) {
    const r = rowBytes(b, rows[j]);
    if (bytes + r > room && j > start) {
      chunks.push(rows.subarray(start, j));
      start = j;
      bytes = 0;
    }
    bytes += r;
  }
  if (start < rows.length) chunks.push(rows.subarray(start));
  return chunks;
}

function idData(b: ColumnBatch, rows: Int32Array, unsigned: boolean): Data<DataType> {
  const n = rows.length;
  if (b.idMode === 'int') {
    const words = new Int32Array(2 * n);
    for (let j = 0; j < n; j++) {
      words[2 * j] = b.idWords![2 * rows[j]];
      words[2 * j + 1] = b.idWords![2 * rows[j] + 1];
    }
    return unsigned
      ? makeData({ type: new Uint64(), length: n, data: new BigUint64Array(words.buffer) })
      : makeData({ type: new Int64(), length: n, data: new BigInt64Array(words.buffer) });
  }
  const offsets = new Int32Array(n + 1);
  let len = 0;
  for (let j = 0; j < n; j++) len += b.idOffsets![rows[j] + 1] - b.idOffsets![rows[j]];
  const bytes = new Uint8Array(len);
  let at = 0;
  for (let j = 0; j < n; j++) {
    const from = b.idOffsets![rows[j]];
    const to = b.idOffsets![rows[j] + 1];
    offsets[j] = at;
    bytes.set(b.idBytes!.subarray(from, to), at);
    at += to - from;
  }
  offsets[n] = at;
  return makeData({ type: new Utf8(), length: n, valueOffsets: offsets, data: bytes });
}

/** The rows of b as one message's bytes. unsigned: the input's ids were Uint64. */
export function encodeRows(b: ColumnBatch, rows: Int32Array, unsigned: boolean): Uint8Array {
  const n = rows.length;
  // Int64 as two words: a BigInt a row would be most of the encoding's time
  const ts = new Int32Array(2 * n);
  const amount = new Float64Array(n);
  const kind = new Int8Array(n);
  for (let j = 0; j < n; j++) {
    const i = rows[j];
    // whole milliseconds: every reader floors finer times (batch/decode.ts)
    const t = Math.floor(b.ts[i]);
    const hi = Math.floor(t / 4294967296);
    ts[2 * j] = (t - hi * 4294967296) | 0;
    ts[2 * j + 1] = hi | 0;
    amount[j] = b.amount[i];
    kind[j] = b.kind[i];
  }
  const ids = idData(b, rows, unsigned);
  const fields = [
    new Field('customer_id', ids.type, false),
    new Field('ts', new Int64(), false),
    new Field('amount', new Float64(), false),
    new Field('kind', new Int8(), false),
  ];
  const children = [
    ids,
    makeData({ type: new Int64(), length: n, data: new BigInt64Array(ts.buffer) }),
    makeData({ type: new Float64(), length: n, data: amount }),
    makeData({ type: new Int8(), length: n, data: kind }),
  ];
  const batch = new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length: n, nullCount: 0, children }),
  );
  return RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
}
