/**
 * The serialized kernel state (checkpoints, transfers): a 32-byte header of int32s
 *   magic, version, id mode (ID_*), customers n, arena bytes, sub-bits, purchase days d, 0
 * then columns of n entries in the order of stateColumns in src/abi/table.mjs (8-byte
 * ones first, so every column stays aligned), then the id arena, then every customer's
 * purchase days (int32, ascending, customer after customer in slot order: purchaseDays of
 * each). Sketches and the day lists' places are not stored: restore rebuilds them.
 * Both kernels write and read it through the two functions below.
 */
import { CENTS, ID_INT, ID_NONE, ID_UTF8, STATE_COLUMN_WIDTHS } from '../abi/abi.js';
import type { IdMode } from './types.js';

export const STATE_MAGIC = 0x314d4652; // "RFM1"
/** 2: with the purchase-day lists. */
export const STATE_VERSION = 3;
const HEADER_BYTES = 32;

export { STATE_COLUMN_WIDTHS };

export interface StateHeader {
  idMode: IdMode | null;
  numCustomers: number;
  arenaLen: number;
  subBits: number;
  /** Purchase days of all customers together. */
  dayCount: number;
}

export function idModeCode(mode: IdMode | null): number {
  return mode === null ? ID_NONE : mode === 'int' ? ID_INT : ID_UTF8;
}

export function idModeFromCode(code: number): IdMode | null {
  return code === ID_NONE ? null : code === ID_INT ? 'int' : 'utf8';
}

/**
 * The state as bytes; `columns` holds each column's first n entries as bytes, in stored
 * order, and `days` the purchase days as bytes (4 a day).
 */
export function writeState(h: StateHeader, columns: Uint8Array[], arena: Uint8Array, days: Uint8Array): Uint8Array {
  const n = h.numCustomers;
  const size = HEADER_BYTES + STATE_COLUMN_WIDTHS.reduce((s: number, w) => s + w * n, 0) + h.arenaLen + 4 * h.dayCount;
  const out = new Uint8Array(size);
  new Int32Array(out.buffer, 0, 8).set([
    STATE_MAGIC,
    STATE_VERSION,
    idModeCode(h.idMode),
    n,
    h.arenaLen,
    h.subBits,
    h.dayCount,
    0,
  ]);
  let at = HEADER_BYTES;
  for (const c of columns) {
    out.set(c, at);
    at += c.length;
  }
  out.set(arena.subarray(0, h.arenaLen), at);
  out.set(days.subarray(0, 4 * h.dayCount), at + h.arenaLen);
  return out;
}

/** Spend in store currency from the state's whole cents (for exports). */
export function spendOfCents(cents: Float64Array): Float64Array {
  return cents.map((c) => c / CENTS);
}

/** The purchase days of a state, as readState gives their bytes. */
export function daysOf(bytes: Uint8Array): Int32Array {
  return new Int32Array(bytes.slice().buffer);
}

/** Checks and splits a state into header, column bytes (stored order), arena and day bytes. */
export function readState(
  bytes: Uint8Array,
  subBits: number,
): { header: StateHeader; columns: Uint8Array[]; arena: Uint8Array; days: Uint8Array } {
  const head = new Int32Array(bytes.slice(0, HEADER_BYTES).buffer);
  if (bytes.length < HEADER_BYTES || head[0] !== STATE_MAGIC || head[1] !== STATE_VERSION) {
    throw new TypeError('not an rfmstream kernel state (bad magic or version)');
  }
  if (head[5] !== subBits) {
    throw new RangeError(`state was written with ${head[5]} sketch sub-bits, this kernel uses ${subBits}`);
  }
  const header: StateHeader = {
    idMode: idModeFromCode(head[2]),
    numCustomers: head[3],
    arenaLen: head[4],
    subBits,
    dayCount: head[6],
  };
  const columns: Uint8Array[] = [];
  let at = HEADER_BYTES;
  for (const w of STATE_COLUMN_WIDTHS) {
    columns.push(bytes.subarray(at, at + w * header.numCustomers));
    at += w * header.numCustomers;
  }
  const end = at + header.arenaLen + 4 * header.dayCount;
  if (end > bytes.length || header.dayCount < 0) throw new TypeError('rfmstream kernel state is truncated');
  return {
    header,
    columns,
    arena: bytes.subarray(at, at + header.arenaLen),
    days: bytes.subarray(at + header.arenaLen, end),
  };
}
