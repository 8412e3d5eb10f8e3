/**
 * A converted batch with its ids in the engine's kind (docs/decisions.md): an engine
 * holding text ids takes integer ids as their decimal text; one holding integer ids takes
 * text ids that are all integers' canonical decimal text as those integers. Only when ids
 * of the two kinds meet, never on an input of one kind.
 */
import { canonicalIntInto, decimalOfWords } from '../domain/id-text.js';
import { KIND_SKIP } from '../abi/abi.js';
import type { BufferPool } from './buffer-pool.js';
import { allocColumnBatch, columnBatchOver } from './column-batch.js';
import { toInput } from './converted.js';
import type { ConvertedInput } from './converted.js';

const encoder = new TextEncoder();

function rowsOf(c: ConvertedInput) {
  return columnBatchOver(c.parts[0].buffer, c.parts[0].shape);
}

/** The batch with integer ids as their decimal text (unsigned ones as Uint64). */
export function intIdsAsText(c: ConvertedInput, pool?: BufferPool): ConvertedInput {
  const b = rowsOf(c);
  const n = b.numRows;
  const texts: Uint8Array[] = [];
  let idBytesLen = 0;
  for (let i = 0; i < n; i++) {
    // a row not applied keeps an empty id: its id may be a null's placeholder
    const t =
      b.kind[i] === KIND_SKIP
        ? new Uint8Array(0)
        : encoder.encode(decimalOfWords(b.idWords![2 * i], b.idWords![2 * i + 1], c.unsignedIds === true));
    texts.push(t);
    idBytesLen += t.length;
  }
  const { batch: out } = allocColumnBatch({ numRows: n, idMode: 'utf8', idBytesLen }, pool);
  out.ts.set(b.ts);
  out.amount.set(b.amount);
  out.kind.set(b.kind);
  let at = 0;
  for (let i = 0; i < n; i++) {
    out.idOffsets![i] = at;
    out.idBytes!.set(texts[i], at);
    at += texts[i].length;
  }
  out.idOffsets![n] = at;
  return toInput({ ...c, columns: out }, c.parts.length, pool);
}

/**
 * The batch with text ids as integers, or null if an applied row's id is not an integer's
 * canonical decimal text (then the engine's ids become text instead). unsigned: the
 * engine's integers are Uint64.
 */
export function textIdsAsInts(c: ConvertedInput, unsigned: boolean, pool?: BufferPool): ConvertedInput | null {
  const b = rowsOf(c);
  const n = b.numRows;
  const words = new Int32Array(2 * n);
  const one = new Int32Array(2);
  for (let i = 0; i < n; i++) {
    if (b.kind[i] === KIND_SKIP) continue;
    if (!canonicalIntInto(one, b.idBytes!, b.idOffsets![i], b.idOffsets![i + 1], unsigned)) return null;
    words[2 * i] = one[0];
    words[2 * i + 1] = one[1];
  }
  const { batch: out } = allocColumnBatch({ numRows: n, idMode: 'int', idBytesLen: 0 }, pool);
  out.ts.set(b.ts);
  out.amount.set(b.amount);
  out.kind.set(b.kind);
  out.idWords!.set(words);
  return toInput({ ...c, columns: out, unsignedIds: unsigned || undefined }, c.parts.length, pool);
}
