/** Text to values for the importers. Unreadable text becomes NaN / null, never an exception: the engine rejects and counts such rows. */

/** How times are written in an import. */
export type DateFormat = 'iso' | 'epoch-ms' | 'epoch-s' | 'yyyymmdd' | 'mm/dd/yyyy' | 'dd/mm/yyyy' | 'dd.mm.yyyy';
export const DATE_FORMATS: DateFormat[] = ['iso', 'epoch-ms', 'epoch-s', 'yyyymmdd', 'mm/dd/yyyy', 'dd/mm/yyyy', 'dd.mm.yyyy'];

const NO_ZONE = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$/;

function utcDate(y: number, m: number, d: number, rest = ''): number {
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31)) return NaN;
  const t = Date.UTC(y, m - 1, d);
  // Date.UTC rolls 31 February over into March; such a date is unreadable
  if (new Date(t).getUTCDate() !== d) return NaN;
  if (rest === '') return t;
  const time = /^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(rest);
  return time ? t + ((+time[1] * 60 + +time[2]) * 60 + +(time[3] ?? 0)) * 1000 : NaN;
}

/** Milliseconds since the epoch, UTC unless the text names a zone; NaN if unreadable. */
export function parseTime(text: string, format: DateFormat): number {
  const s = text.trim();
  if (s === '') return NaN;
  switch (format) {
    case 'iso': {
      // the calendar date must exist: Date.parse rolls 2024-02-30 over into March
      const d = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
      if (!d || utcDate(+d[1], +d[2], +d[3]) !== utcDate(+d[1], +d[2], +d[3])) return NaN;
      // a time without a zone is read as UTC, not as this machine's local time
      const m = NO_ZONE.exec(s);
      return Date.parse(m ? `${m[1]}T${m[2] ?? '00:00'}Z` : s);
    }
    case 'epoch-ms': return /^-?\d+(\.\d+)?$/.test(s) ? Math.floor(Number(s)) : NaN;
    case 'epoch-s': return /^-?\d+(\.\d+)?$/.test(s) ? Math.floor(Number(s) * 1000) : NaN;
    case 'yyyymmdd': {
      const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
      return m ? utcDate(+m[1], +m[2], +m[3]) : NaN;
    }
    case 'mm/dd/yyyy': {
      const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(.*)$/.exec(s);
      return m ? utcDate(+m[3], +m[1], +m[2], m[4]) : NaN;
    }
    case 'dd/mm/yyyy': {
      const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(.*)$/.exec(s);
      return m ? utcDate(+m[3], +m[2], +m[1], m[4]) : NaN;
    }
    case 'dd.mm.yyyy': {
      const m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(.*)$/.exec(s);
      return m ? utcDate(+m[3], +m[2], +m[1], m[4]) : NaN;
    }
  }
}

/** A number with thousands separators in groups of three, or none: 1,234.56 or 1234.56. */
const GROUPED_DOT = /^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?$|^[-+]?\.\d+$/;
/** The same with the decimal comma: 1.234,56 or 1234,56. */
const GROUPED_COMMA = /^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d*)?$|^[-+]?,\d+$/;

/**
 * A money amount: currency signs and spaces dropped; "," separates thousands, or is the
 * decimal mark with decimalComma ("." then separates thousands). Separators must stand in
 * groups of three, so "63,32" or "1.234,56" without decimalComma is unreadable, not 6332 or
 * 1.23. Parentheses mean negative (accounting style). NaN if unreadable.
 */
export function parseAmount(text: string, decimalComma = false): number {
  let s = text.trim().replace(/[\s$€£¥]|[A-Z]{3}$/g, '');
  if (s === '') return NaN;
  let sign = 1;
  if (s.startsWith('(') && s.endsWith(')')) {
    sign = -1;
    s = s.slice(1, -1);
  }
  const exponent = /[eE][-+]?\d+$/.exec(s);
  const mantissa = exponent ? s.slice(0, exponent.index) : s;
  if (!(decimalComma ? GROUPED_COMMA : GROUPED_DOT).test(mantissa)) return NaN;
  const plain = decimalComma ? mantissa.replace(/\./g, '').replace(',', '.') : mantissa.replace(/,/g, '');
  return sign * Number(plain + (exponent ? exponent[0] : ''));
}

/** A decimal integer id into (lo, hi) words of an Int64; false if not an integer in range. */
export function parseIntIdInto(out: Int32Array, text: string): boolean {
  const s = text.trim();
  if (!/^-?\d{1,19}$/.test(s)) return false;
  const n = Number(s);
  if (Number.isSafeInteger(n)) {
    const hi = Math.floor(n / 4294967296);
    out[0] = (n - hi * 4294967296) | 0;
    out[1] = hi | 0;
    return true;
  }
  const b = BigInt(s);
  if (b > 0x7fffffffffffffffn || b < -0x8000000000000000n) return false;
  const u = BigInt.asUintN(64, b);
  out[0] = Number(u & 0xffffffffn) | 0;
  out[1] = Number(u >> 32n) | 0;
  return true;
}
