/**
 * An integer customer id and its decimal text are one customer (docs/decisions.md):
 * the two ways between a 64-bit id held as (lo, hi) words and the text that names it.
 */

const TWO_32 = 4294967296;
const ZERO = 0x30;
const MINUS = 0x2d;
const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -INT64_MAX - 1n;
const UINT64_MAX = 0xffffffffffffffffn;
const LOW_WORD = 0xffffffffn;

/** The decimal text of a 64-bit id, signed or (Uint64 input) unsigned. */
export function decimalOfWords(lo: number, hi: number, unsigned: boolean): string {
  // within 2^53 a double holds the id exactly; beyond it BigInt does
  if (hi === 0 || (hi === -1 && !unsigned)) return String(hi * TWO_32 + (lo >>> 0));
  const bits = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return (unsigned ? bits : BigInt.asIntN(64, bits)).toString();
}

/**
 * Reads bytes [start, end) into out (lo, hi) if they are the canonical decimal text of an
 * id: what decimalOfWords gives back, so no leading zero, "+" or "-0", and within Int64
 * (Uint64 when unsigned). Anything else ("007", "1e3", an email) is text, not a number.
 */
export function canonicalIntInto(
  out: Int32Array,
  bytes: Uint8Array,
  start: number,
  end: number,
  unsigned: boolean,
): boolean {
  const negative = end > start && bytes[start] === MINUS;
  const first = negative ? start + 1 : start;
  const digits = end - first;
  if (digits < 1 || digits > 20 || (negative && unsigned)) return false;
  if (bytes[first] === ZERO && (digits > 1 || negative)) return false;
  let small = 0;
  for (let i = first; i < end; i++) {
    const d = bytes[i] - ZERO;
    if (d < 0 || d > 9) return false;
    small = small * 10 + d;
  }
  if (digits <= 15) {
    const v = negative ? -small : small;
    const hi = Math.floor(v / TWO_32);
    out[0] = (v - hi * TWO_32) | 0;
    out[1] = hi | 0;
    return true;
  }
  let big = 0n;
  for (let i = first; i < end; i++) big = big * 10n + BigInt(bytes[i] - ZERO);
  if (negative) big = -big;
  if (unsigned ? big > UINT64_MAX : big > INT64_MAX || big < INT64_MIN) return false;
  const u = BigInt.asUintN(64, big);
  out[0] = Number(u & LOW_WORD) | 0;
  out[1] = Number(u >> 32n) | 0;
  return true;
}
