/**
 * Text to values for the importers. Unreadable text becomes NaN / null, never an exception: the
 * engine rejects and counts such rows.
 */

/** How times are written in an import. */
export type DateFormat = 'iso' | 'epoch-ms' | 'epoch-s' | 'yyyymmdd' | 'mm/dd/yyyy' | 'dd/mm/yyyy' | 'dd.mm.yyyy';
export const DATE_FORMATS: DateFormat[] = [
  'iso',
  'epoch-ms',
  'epoch-s',
  'yyyymmdd',
  'mm/dd/yyyy',
  'dd/mm/yyyy',
  'dd.mm.yyyy',
];

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
    case 'epoch-ms':
      return /^-?\d+(\.\d+)?$/.test(s) ? Math.floor(Number(s)) : NaN;
    case 'epoch-s':
      return /^-?\d+(\.\d+)?$/.test(s) ? Math.floor(Number(s) * 1000) : NaN;
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

/**
 * The one money grammar of every reader (plain CSV, the CSV scanner's fallback, the carts):
 *   [sign] [currency] number [currency], or the same in parentheses (accounting's negative)
 * where a currency is a sign with up to three letters before it ($, €, CA$, R$) or a
 * three-letter code (USD, EUR), and a number is digits with one decimal mark, its integer
 * part plain or in groups of three set apart by one kind of thousands mark ("," "'" or a
 * space; "." with the decimal comma), or, without thousands marks, a decimal exponent
 * (1.5e3, as programs write numbers). Anything else is no amount: "0x1A", "1x2x3",
 * "12.50abc99" and "63,32" without --decimal-comma are refused, never read as some digits
 * of them.
 */
const CURRENCY = String.raw`(?:[A-Z]{3}|[A-Za-z]{0,3}\p{Sc})`;

function moneyGrammar(decimalComma: boolean): RegExp {
  const mark = decimalComma ? ',' : String.raw`\.`;
  const thousands = decimalComma ? String.raw`[.' \u00a0\u202f]` : String.raw`[,' \u00a0\u202f]`;
  const grouped = String.raw`\d{1,3}(?<sep>${thousands})\d{3}(?:\k<sep>\d{3})*`;
  const number = String.raw`(?<int>${grouped}|\d+)(?<frac>${mark}\d*)?(?<exp>[eE][-+]?\d{1,3})?|(?<frac0>${mark}\d+)`;
  return new RegExp(
    String.raw`^(?<sign>[-+])?\s*(?:${CURRENCY}\s*)?(?<sign2>[-+])?\s*(?:${number})\s*(?:${CURRENCY})?$`,
    'u',
  );
}
const MONEY_DOT = moneyGrammar(false);
const MONEY_COMMA = moneyGrammar(true);

/** A money amount by the grammar above ("," or, with decimalComma, "." thousands marks); NaN if it is none. */
export function parseAmount(text: string, decimalComma = false): number {
  let s = text.trim();
  if (s === '') return NaN;
  let sign = 1;
  if (s.startsWith('(') && s.endsWith(')')) {
    sign = -1;
    s = s.slice(1, -1).trim();
  }
  const m = (decimalComma ? MONEY_COMMA : MONEY_DOT).exec(s);
  if (m === null) return NaN;
  const g = m.groups!;
  // one sign, and none inside parentheses; an exponent only on a plain number
  if ((g.sign !== undefined && g.sign2 !== undefined) || (sign < 0 && (g.sign ?? g.sign2) !== undefined)) return NaN;
  if (g.exp !== undefined && g.sep !== undefined) return NaN;
  if ((g.sign ?? g.sign2) === '-') sign = -sign;
  const int = g.int === undefined ? '0' : g.sep === undefined ? g.int : g.int.split(g.sep).join('');
  const frac = (g.frac ?? g.frac0 ?? '').slice(1);
  return sign * Number(`${int}.${frac}0${g.exp ?? ''}`);
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
