/**
 * The states of an engine's shards when its integer ids become text: the first string id
 * that is not an integer's decimal text turns every integer id into its decimal text, so
 * 17 and "17" stay one customer whichever came first (docs/decisions.md). A text id
 * hashes to another key than its integer, and the key picks the shard, so the customers
 * are dealt out again. Once per engine at most; a pass over the state.
 */
import * as abi from '../abi/abi.js';
import { bytesKeyInto, keyHash, shardOf } from '../core/hash.js';
import { decimalOfWords } from '../domain/id-text.js';
import { readState, writeState } from '../domain/state-format.js';

const { COL_ID_LEN, COL_ID_OFF, COL_KEY_HI, COL_KEY_LO, COL_PURCHASE_DAYS, STATE_COLUMN_WIDTHS } = abi;

type Column = Float64Array | Uint32Array | Uint8Array;

/** A state column's bytes as elements of its width (copied: the bytes need not be aligned). */
function typed(bytes: Uint8Array, width: number): Column {
  const b = bytes.slice();
  return width === 8 ? new Float64Array(b.buffer) : width === 4 ? new Uint32Array(b.buffer) : b;
}

function empty(width: number, n: number): Column {
  return width === 8 ? new Float64Array(n) : width === 4 ? new Uint32Array(n) : new Uint8Array(n);
}

/** One shard's state, split up, with each customer's text id and new shard. */
interface Source {
  n: number;
  columns: Column[];
  days: Int32Array;
  dayStart: Int32Array;
  /** Text of customer s: text[textStart[s], textStart[s + 1]). */
  text: Uint8Array;
  textStart: Uint32Array;
  key: Int32Array;
  shard: Uint8Array;
}

/** Digits of every id, one after the other, ASCII (an id's text is ASCII). */
function textsOf(lo: Uint32Array, hi: Uint32Array, unsigned: boolean): { text: Uint8Array; textStart: Uint32Array } {
  const n = lo.length;
  const textStart = new Uint32Array(n + 1);
  const parts: string[] = new Array<string>(n);
  let len = 0;
  for (let s = 0; s < n; s++) {
    parts[s] = decimalOfWords(lo[s] | 0, hi[s] | 0, unsigned);
    textStart[s] = len;
    len += parts[s].length;
  }
  textStart[n] = len;
  const text = new Uint8Array(len);
  for (let s = 0; s < n; s++) {
    const p = parts[s];
    const at = textStart[s];
    for (let i = 0; i < p.length; i++) text[at + i] = p.charCodeAt(i);
  }
  return { text, textStart };
}

function sourceOf(bytes: Uint8Array, subBits: number, numShards: number, unsigned: boolean): Source {
  const { header, columns: raw, days } = readState(bytes, subBits);
  if (header.idMode === 'utf8') throw new TypeError('statesWithTextIds: the state has text ids already');
  const n = header.numCustomers;
  const columns = raw.map((c, i) => typed(c, STATE_COLUMN_WIDTHS[i]));
  const pd = columns[COL_PURCHASE_DAYS] as Uint32Array;
  const dayStart = new Int32Array(n + 1);
  for (let s = 0; s < n; s++) dayStart[s + 1] = dayStart[s] + pd[s];
  const { text, textStart } = textsOf(columns[COL_KEY_LO] as Uint32Array, columns[COL_KEY_HI] as Uint32Array, unsigned);
  const key = new Int32Array(2 * n);
  const shard = new Uint8Array(n);
  const one = new Int32Array(2);
  for (let s = 0; s < n; s++) {
    bytesKeyInto(one, text, textStart[s], textStart[s + 1]);
    key[2 * s] = one[0];
    key[2 * s + 1] = one[1];
    shard[s] = numShards === 1 ? 0 : shardOf(keyHash(one[0], one[1]), numShards);
  }
  return { n, columns, days: new Int32Array(days.slice().buffer), dayStart, text, textStart, key, shard };
}

/** Copies the picked rows of each source column into the shard's column, in pick order. */
function gather(to: Column, from: Column[], pickSource: Uint8Array, pickRow: Int32Array): void {
  for (let t = 0; t < pickRow.length; t++) to[t] = from[pickSource[t]][pickRow[t]];
}

/** The customers of `sources` that fall in `shard`, as one state with text ids. */
function stateOf(sources: Source[], shard: number, subBits: number): Uint8Array {
  let n = 0;
  for (const src of sources) for (let s = 0; s < src.n; s++) n += src.shard[s] === shard ? 1 : 0;
  const pickSource = new Uint8Array(n);
  const pickRow = new Int32Array(n);
  let arenaLen = 0;
  let dayCount = 0;
  let t = 0;
  sources.forEach((src, i) => {
    for (let s = 0; s < src.n; s++) {
      if (src.shard[s] !== shard) continue;
      pickSource[t] = i;
      pickRow[t++] = s;
      arenaLen += src.textStart[s + 1] - src.textStart[s];
      dayCount += src.dayStart[s + 1] - src.dayStart[s];
    }
  });
  const columns = STATE_COLUMN_WIDTHS.map((w, c) => {
    const col = empty(w, n);
    gather(
      col,
      sources.map((src) => src.columns[c]),
      pickSource,
      pickRow,
    );
    return col;
  });
  const arena = new Uint8Array(arenaLen);
  const days = new Int32Array(dayCount);
  const lo = new Int32Array(columns[COL_KEY_LO].buffer);
  const hi = new Int32Array(columns[COL_KEY_HI].buffer);
  const idOff = columns[COL_ID_OFF] as Uint32Array;
  const idLen = columns[COL_ID_LEN] as Uint32Array;
  let arenaAt = 0;
  let dayAt = 0;
  for (t = 0; t < n; t++) {
    const src = sources[pickSource[t]];
    const s = pickRow[t];
    lo[t] = src.key[2 * s];
    hi[t] = src.key[2 * s + 1];
    const from = src.textStart[s];
    const len = src.textStart[s + 1] - from;
    idOff[t] = arenaAt;
    idLen[t] = len;
    for (let i = 0; i < len; i++) arena[arenaAt + i] = src.text[from + i];
    arenaAt += len;
    for (let d = src.dayStart[s]; d < src.dayStart[s + 1]; d++) days[dayAt++] = src.days[d];
  }
  const bytes = columns.map((c) => new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  return writeState(
    { idMode: 'utf8', numCustomers: n, arenaLen, subBits, dayCount },
    bytes,
    arena,
    new Uint8Array(days.buffer),
  );
}

/** Integer-id states (one a shard) as text-id states for the same number of shards. */
export function statesWithTextIds(states: Uint8Array[], subBits: number, unsigned: boolean): Uint8Array[] {
  const sources = states.map((b) => sourceOf(b, subBits, states.length, unsigned));
  return sources.map((_, shard) => stateOf(sources, shard, subBits));
}
