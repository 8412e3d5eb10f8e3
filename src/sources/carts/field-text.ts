/**
 * Field bytes to text for a cart import, with the few values of a low-cardinality column
 * (a status, a currency, a payment method) decoded once: the bytes are hashed and checked
 * against the text made of them before, instead of made into a new string each order.
 */

/** Distinct values a column keeps before it decodes every one (not a status-like column after all). */
const MAX_KEPT = 256;

/** digits[.digits] ('.' or ',' as the mark) of input[s, e) read as bytes; NaN for any other form. */
export function plainMoney(input: Uint8Array, s: number, e: number, mark: number): number {
  const n = e - s;
  if (n === 0 || n > 15) return NaN;
  let whole = 0;
  let fraction = 0;
  let scale = 1;
  let markAt = -1;
  for (let i = s; i < e; i++) {
    const c = input[i];
    if (c === mark && markAt < 0 && i > s && i < e - 1) markAt = i;
    else if (c < 48 || c > 57) return NaN;
    else if (markAt < 0) whole = whole * 10 + (c - 48);
    else {
      fraction = fraction * 10 + (c - 48);
      scale *= 10;
    }
  }
  // at most 15 digits: whole and fraction are exact, and one division rounds once, as Number(text) does
  return markAt < 0 ? whole : (whole * scale + fraction) / scale;
}

export class FieldText {
  private readonly kept = new Map<number, { bytes: Uint8Array; text: string }>();
  private full = false;

  constructor(private readonly lowCardinality: boolean) {}

  /** The text of input[s, e) (the same bytes as buf). */
  text(input: Uint8Array, buf: Buffer, s: number, e: number): string {
    if (s === e) return '';
    if (!this.lowCardinality || this.full) return buf.toString('utf8', s, e);
    // FNV-1a over the bytes
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ input[i], 0x01000193);
    const k = this.kept.get(h);
    if (k !== undefined && k.bytes.length === e - s) {
      let same = true;
      for (let i = 0; i < k.bytes.length; i++) {
        if (k.bytes[i] !== input[s + i]) {
          same = false;
          break;
        }
      }
      if (same) return k.text;
    }
    const text = buf.toString('utf8', s, e);
    if (k === undefined) {
      this.kept.set(h, { bytes: input.slice(s, e), text });
      if (this.kept.size >= MAX_KEPT) this.full = true;
    }
    return text;
  }
}
