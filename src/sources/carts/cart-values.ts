/**
 * The values of cart exports: money as the carts print it ("$1,306.00", "1.306,00 €",
 * "CA$12.00"), and times in the forms they write (Shopify's "2023-10-15 16:20:03 -0400",
 * WooCommerce's "2023-10-15 16:20", Magento's "Oct 15, 2023 4:20:03 PM", BigCommerce's
 * "15/10/2023"). Unreadable text is NaN, never an exception.
 */
import { parseAmount } from '../parse-values.js';

/** A money amount by the one money grammar (parse-values.ts: parseAmount); NaN if it is none or empty. */
export function parseMoney(text: string, decimalComma: boolean): number {
  // the common form first: digits and one decimal mark (120.50), as most exports write it
  const plain = plainDecimal(text, decimalComma);
  if (plain === plain) return plain;
  return parseAmount(text, decimalComma);
}

/** digits[.digits] (',' with decimalComma) read by char codes; NaN for any other form. */
function plainDecimal(text: string, decimalComma: boolean): number {
  const n = text.length;
  if (n === 0 || n > 15) return NaN;
  const mark = decimalComma ? 44 : 46;
  let markAt = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === mark && markAt < 0 && i > 0 && i < n - 1) markAt = i;
    else if (c < 48 || c > 57) return NaN;
  }
  return Number(decimalComma && markAt >= 0 ? text.slice(0, markAt) + '.' + text.slice(markAt + 1) : text);
}

/** Which of two numbers a slashed date writes first when both could be a day's. */
export type DayOrder = 'dmy' | 'mdy';

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

// a date, an optional time, an optional zone
const ISO = new RegExp(
  String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})` +
    String.raw`(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?` +
    String.raw`\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$`,
  'i',
);
const NUMERIC =
  /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
// a month's name, the day, the year, an optional time
const MONTH_FIRST = new RegExp(
  String.raw`^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})` +
    String.raw`(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$`,
  'i',
);
const DAY_FIRST = /^(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;

/** A time read from an export: its wall clock (as if UTC ms) and the offset it names, if any. */
export class CartTime {
  /** ms of the wall time as if it were UTC; NaN when unreadable. */
  wall = NaN;
  /** The written offset from UTC in ms (east positive); NaN when the text names none. */
  offset = NaN;
  /** A slashed date whose two first numbers could each be the day (03/04/2023) and no order given. */
  ambiguous = false;
  /** How the file writes slashed dates, when this date's numbers tell it (13/04/2023: day first). */
  told: DayOrder | null = null;

  /** The instant, when the text named its offset; NaN otherwise. */
  get exact(): number {
    return this.offset === this.offset ? this.wall - this.offset : NaN;
  }

  private lastDay = '';
  private lastDayMs = NaN;

  /**
   * "yyyy-mm-dd hh:mm[:ss][ ±hhmm]" (Shopify's and WooCommerce's forms) by char codes, the day
   * kept from the order before; false for any other form (the regular expressions read it).
   */
  private fastIso(s: string): boolean {
    const n = s.length;
    if (n !== 16 && n !== 19 && n !== 25) return false;
    if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58)
      return false;
    const day = s.slice(0, 10);
    if (day !== this.lastDay) {
      const y = digits(s, 0, 4);
      const mo = digits(s, 5, 2);
      const d = digits(s, 8, 2);
      if (y < 0 || mo < 0 || d < 0) return false;
      this.lastDay = day;
      this.lastDayMs = wallMs(y, mo, d);
    }
    const h = digits(s, 11, 2);
    const mi = digits(s, 14, 2);
    let sec = 0;
    if (n >= 19) {
      if (s.charCodeAt(16) !== 58) return false;
      sec = digits(s, 17, 2);
    }
    if (h < 0 || mi < 0 || sec < 0 || h > 23 || mi > 59 || sec > 59) return false;
    let offset = NaN;
    if (n === 25) {
      const sign = s.charCodeAt(20);
      const oh = digits(s, 21, 2);
      const om = digits(s, 23, 2);
      if (s.charCodeAt(19) !== 32 || (sign !== 43 && sign !== 45) || oh < 0 || om < 0 || oh > 23 || om > 59)
        return false;
      offset = (sign === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
    }
    this.wall = this.lastDayMs + ((h * 60 + mi) * 60 + sec) * 1000;
    this.offset = offset;
    return true;
  }

  /** Reads text into this time (dayOrder: how slashed dates are written, null: not known yet). */
  read(text: string, dayOrder: DayOrder | null): this {
    this.wall = NaN;
    this.offset = NaN;
    this.ambiguous = false;
    this.told = null;
    const s = text.trim();
    if (this.fastIso(s)) return this;
    let m = ISO.exec(s);
    if (m) {
      this.wall = wallMs(+m[1], +m[2], +m[3], m[4], m[5], m[6], undefined, m[7]);
      this.offset = zoneOffset(m[8]);
      if (m[8] !== undefined && this.offset !== this.offset) this.wall = NaN;
      return this;
    }
    m = NUMERIC.exec(s);
    if (m) {
      const a = +m[1];
      const b = +m[3];
      let order = dayOrder;
      if (a > 12 && b <= 12) order = this.told = 'dmy';
      else if (b > 12 && a <= 12) order = this.told = 'mdy';
      else if (order === null && a !== b) {
        this.ambiguous = true;
        return this;
      }
      const [day, month] = (order ?? 'dmy') === 'dmy' ? [a, b] : [b, a];
      this.wall = wallMs(+m[4], month, day, m[5], m[6], m[7], m[8]);
      this.offset = zoneOffset(m[9]);
      if (m[9] !== undefined && this.offset !== this.offset) this.wall = NaN;
      return this;
    }
    m = MONTH_FIRST.exec(s);
    if (m) {
      this.wall = wallMs(
        +m[3],
        MONTHS[m[1].slice(0, m[1].length === 4 ? 4 : 3).toLowerCase()] ?? 0,
        +m[2],
        m[4],
        m[5],
        m[6],
        m[7],
      );
      return this;
    }
    m = DAY_FIRST.exec(s);
    if (m) {
      this.wall = wallMs(
        +m[3],
        MONTHS[m[2].slice(0, m[2].length === 4 ? 4 : 3).toLowerCase()] ?? 0,
        +m[1],
        m[4],
        m[5],
        m[6],
        m[7],
      );
    }
    return this;
  }
}

/** n digits of s from at as a number, -1 if one is not a digit. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** ms of a wall time as if UTC, NaN when the date does not exist or the clock is out of range. */
function wallMs(
  y: number,
  mo: number,
  d: number,
  h?: string,
  mi?: string,
  sec?: string,
  ampm?: string,
  frac?: string,
): number {
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= 31)) return NaN;
  let hour = h === undefined ? 0 : +h;
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) return NaN;
    const pm = ampm.toUpperCase() === 'PM';
    hour = hour === 12 ? (pm ? 12 : 0) : pm ? hour + 12 : hour;
  }
  const minute = mi === undefined ? 0 : +mi;
  const second = sec === undefined ? 0 : +sec;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  const day = Date.UTC(y, mo - 1, d);
  // Date.UTC rolls 31 April over into May: such a date is unreadable
  if (new Date(day).getUTCDate() !== d) return NaN;
  const ms = frac === undefined ? 0 : Math.round(Number(`0.${frac}`) * 1000);
  return day + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/** "Z", "+0530", "-04:00", "+02" as ms east of UTC; NaN for none. */
function zoneOffset(z: string | undefined): number {
  if (z === undefined) return NaN;
  const u = z.toUpperCase();
  if (u === 'Z' || u === 'UTC' || u === 'GMT') return 0;
  const digits = z.slice(1).replace(':', '');
  const hours = +digits.slice(0, 2);
  const minutes = digits.length > 2 ? +digits.slice(2, 4) : 0;
  if (hours > 23 || minutes > 59) return NaN;
  return (z[0] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}
