// The CSV scanner: records of RFC 4180 text into the columns a converted batch needs, with no
// string or object per field. JavaScript (src/sources/csv/scanner.ts) reads the file into
// the input area, calls scan, and copies the columns out. Fields are found 16 bytes at a
// time (v128 compares, a bitmask, count trailing zeros); the values of the four columns it
// needs are read in place. A value in a form it does not read itself is flagged (CSV_*_TEXT)
// and read by the plain reader's rules in JavaScript, so the two readers cannot disagree.
import {
  CSV_AMOUNT_EMPTY, CSV_AMOUNT_TEXT, CSV_FIELDS, CSV_ID_EMPTY, CSV_ID_INT, CSV_ID_TEXT, CSV_ID_ZERO,
  CSV_KIND_TEXT, CSV_TS_TEXT,
  DATE_DMY, DATE_DMY_DOTS, DATE_EPOCH_MS, DATE_EPOCH_S, DATE_ISO, DATE_MDY, DATE_YYYYMMDD, DAY_MS,
  KIND_EMAIL_OPEN, KIND_ORDER, KIND_REFUND, KIND_VISIT,
} from '../abi';

const QUOTE: u8 = 0x22;
const LF: u8 = 0x0a;
const CR: u8 = 0x0d;
const SPACE: u8 = 0x20;
const TAB: u8 = 0x09;
const MINUS: u8 = 0x2d;
const PLUS: u8 = 0x2b;
const ZERO: u8 = 0x30;
const DOT: u8 = 0x2e;
const COMMA: u8 = 0x2c;
/** Bytes after the input the vector loads may read: they are never taken as data. */
const PAD: u32 = 16;
/** Fields of a header the scanner keeps the places of. */
const MAX_HEADER_FIELDS: u32 = 1024;
/** Bytes one record may hold (the plain reader's bound is 2^20 characters). */
export const MAX_RECORD_BYTES: u32 = 1 << 20;

// the areas, made by reserve
let inPtr: usize = 0;
let inCap: u32 = 0;
let rowCap: u32 = 0;
let tsPtr: usize = 0;
let amountPtr: usize = 0;
let idWordsPtr: usize = 0;
let kindPtr: usize = 0;
let flagsPtr: usize = 0;
let linePtr: usize = 0;
/** Per row, start and end (input offsets) of the id, time, amount and kind fields: 8 u32. */
let rangesPtr: usize = 0;
/** Per row, start and end (input offsets) of the order id field: 2 u32 (configureOrder). */
let orderRangesPtr: usize = 0;
let headerPtr: usize = 0;

// what the columns are, set by configure
let delim: u8 = COMMA;
let numFields: u32 = 0;
let colId: i32 = 0;
let colTs: i32 = 1;
let colAmount: i32 = 2;
let colKind: i32 = -1;
let colOrder: i32 = -1;
let dateFormat: u32 = DATE_ISO;
let decimalComma = false;

// where a scan stopped
let line: u32 = 1;
let scanEnd: u32 = 0;
let status: i32 = 0;
let headerFields: u32 = 0;

/** Room for inCapacity bytes of input and rowCapacity rows (the areas of an earlier call are left). */
export function reserve(inCapacity: u32, rowCapacity: u32): void {
  inCap = inCapacity;
  rowCap = rowCapacity;
  inPtr = heap.alloc(<usize>inCapacity + PAD);
  const n = <usize>rowCapacity;
  tsPtr = heap.alloc(n << 3);
  amountPtr = heap.alloc(n << 3);
  idWordsPtr = heap.alloc(n << 3);
  linePtr = heap.alloc(n << 2);
  rangesPtr = heap.alloc(n << 5);
  orderRangesPtr = heap.alloc(n << 3);
  flagsPtr = heap.alloc(n << 2);
  kindPtr = heap.alloc(n);
  headerPtr = heap.alloc(<usize>MAX_HEADER_FIELDS << 3);
}

export function inputPtr(): usize { return inPtr; }
export function tsColumn(): usize { return tsPtr; }
export function amountColumn(): usize { return amountPtr; }
export function idWordsColumn(): usize { return idWordsPtr; }
export function kindColumn(): usize { return kindPtr; }
export function flagsColumn(): usize { return flagsPtr; }
export function lineColumn(): usize { return linePtr; }
export function rangesColumn(): usize { return rangesPtr; }
export function orderRangesColumn(): usize { return orderRangesPtr; }
export function headerRanges(): usize { return headerPtr; }
export function headerCount(): u32 { return headerFields; }
export function endOfScan(): u32 { return scanEnd; }
export function lineOfScan(): u32 { return line; }
/** 0: fine; 1: a quote never closed (at the end of the input); 2: a record past MAX_RECORD_BYTES. */
export function scanStatus(): i32 { return status; }

export function configure(
  delimiter: u8,
  fields: u32,
  id: i32,
  ts: i32,
  amount: i32,
  kind: i32,
  format: u32,
  comma: bool,
  firstLine: u32,
): void {
  delim = delimiter;
  numFields = fields;
  colId = id;
  colTs = ts;
  colAmount = amount;
  colKind = kind;
  dateFormat = format;
  decimalComma = comma;
  line = firstLine;
  colOrder = -1;
}

/** After configure: the places of this column's field go to orderRangesColumn (-1: none). */
export function configureOrder(col: i32): void {
  colOrder = col;
}

/** The first of delim, LF and CR at or after p (end if none before it). */
// @ts-ignore: decorator
@inline
function fieldEnd(p: usize, end: usize): usize {
  const d = i8x16.splat(<i8>delim);
  const lf = i8x16.splat(<i8>LF);
  const cr = i8x16.splat(<i8>CR);
  while (p < end) {
    const v = v128.load(p);
    const m = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, d), i8x16.eq(v, lf)), i8x16.eq(v, cr)));
    if (m != 0) {
      const at = p + <usize>ctz(m);
      return at < end ? at : end;
    }
    p += 16;
  }
  return end;
}

/** The first quote at or after p (end if none before it); line counts the LFs before it. */
function nextQuote(p: usize, end: usize): usize {
  const q = i8x16.splat(<i8>QUOTE);
  const lf = i8x16.splat(<i8>LF);
  while (p < end) {
    const v = v128.load(p);
    const m = i8x16.bitmask(i8x16.eq(v, q));
    const lfs = i8x16.bitmask(i8x16.eq(v, lf));
    if (m != 0) {
      const k = ctz(m);
      const at = p + <usize>k;
      if (at >= end) {
        line += popcnt(lfs & ((1 << <u32>(end - p)) - 1));
        return end;
      }
      line += popcnt(lfs & ((1 << k) - 1));
      return at;
    }
    const left = end - p;
    line += popcnt(left >= 16 ? lfs : lfs & ((1 << <u32>left) - 1));
    p += 16;
  }
  return end;
}

// ---- values ----

let wordLo: i32 = 0;
let wordHi: i32 = 0;

// @ts-ignore: decorator
@inline
function isBlank(b: u8): bool {
  return b == SPACE || b == TAB;
}

/** Flags of an id in [s, e) (trimmed of spaces and tabs); its Int64 words in wordLo/wordHi when it is one. */
function readId(s: usize, e: usize): u32 {
  while (s < e && isBlank(load<u8>(s))) s++;
  while (e > s && isBlank(load<u8>(e - 1))) e--;
  if (s == e) return CSV_ID_EMPTY;
  // other whitespace or non-ASCII at either end: the plain reader's trim decides
  const first = load<u8>(s);
  const last = load<u8>(e - 1);
  if (first >= 0x80 || last >= 0x80 || first < SPACE || last < SPACE) return CSV_ID_TEXT;
  let p = s;
  const negative = first == MINUS;
  if (negative) p++;
  const digits = <i32>(e - p);
  if (digits < 1 || digits > 19) return 0;
  let v: u64 = 0;
  for (let i = p; i < e; i++) {
    const d = <u32>load<u8>(i) - ZERO;
    if (d > 9) return 0;
    v = v * 10 + <u64>d;
  }
  // 19 digits reach 10^19 - 1 < 2^64: no wrap; Int64 bounds
  if (negative ? v > 0x8000000000000000 : v > 0x7fffffffffffffff) return 0;
  const w: u64 = negative ? 0 - v : v;
  wordLo = <i32>w;
  wordHi = <i32>(w >> 32);
  let flags = CSV_ID_INT;
  if (digits > 1 && load<u8>(p) == ZERO) flags |= CSV_ID_ZERO;
  return flags;
}

const POW10: StaticArray<f64> = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/** An amount: [-+]digits[.digits] (',' with the decimal comma); NaN and amountText for any other form. */
let valueFlags: u32 = 0;
function readAmount(s: usize, e: usize): f64 {
  while (s < e && isBlank(load<u8>(s))) s++;
  while (e > s && isBlank(load<u8>(e - 1))) e--;
  valueFlags = 0;
  if (s == e) {
    valueFlags = CSV_AMOUNT_EMPTY;
    return NaN;
  }
  let p = s;
  const c = load<u8>(p);
  const negative = c == MINUS;
  if (negative || c == PLUS) p++;
  const mark: u8 = decimalComma ? COMMA : DOT;
  let m: u64 = 0;
  let digits = 0;
  let scale = 0;
  let seenMark = false;
  for (; p < e; p++) {
    const b = load<u8>(p);
    const d = <u32>b - ZERO;
    if (d <= 9) {
      m = m * 10 + <u64>d;
      digits++;
      if (seenMark) scale++;
    } else if (b == mark && !seenMark) {
      seenMark = true;
    } else {
      valueFlags = CSV_AMOUNT_TEXT;
      return NaN;
    }
  }
  // exact as Number(text) when the digits fit 2^53 and the scale is a power of ten a double
  // holds exactly: one correctly rounded division (Clinger's fast path)
  if (digits == 0 || digits > 15 || scale > 22) {
    valueFlags = CSV_AMOUNT_TEXT;
    return NaN;
  }
  const v = <f64>m / unchecked(POW10[scale]);
  return negative ? -v : v;
}

/** Days from 1970-01-01 to the date (proleptic Gregorian), or i32.MIN_VALUE if it does not exist. */
function civilDays(y: i32, m: i32, d: i32): i32 {
  if (m < 1 || m > 12 || d < 1) return i32.MIN_VALUE;
  const leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const monthDays = m == 2 ? (leap ? 29 : 28) : m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
  if (d > monthDays) return i32.MIN_VALUE;
  // Howard Hinnant's days_from_civil
  const yy = m <= 2 ? y - 1 : y;
  const era = (yy >= 0 ? yy : yy - 399) / 400;
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = (153 * mp + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/** n digits at p as a number, or -1 if one is not a digit. */
// @ts-ignore: decorator
@inline
function digitsAt(p: usize, n: i32): i32 {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = <i32>load<u8>(p + <usize>i) - <i32>ZERO;
    if (<u32>d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** A whole number of [s, e) (sign allowed); NaN when there is anything else. */
function wholeNumber(s: usize, e: usize): f64 {
  let p = s;
  const negative = p < e && load<u8>(p) == MINUS;
  if (negative) p++;
  if (p == e || e - p > 15) return NaN;
  let v: f64 = 0;
  for (; p < e; p++) {
    const d = <u32>load<u8>(p) - ZERO;
    if (d > 9) return NaN;
    v = v * 10 + <f64>d;
  }
  return negative ? -v : v;
}

// the last date read: an export's rows come day after day, so most rows repeat it
let lastDate: i32 = -1;
let lastDateMs: f64 = NaN;

/** ms of a date that exists, or NaN. */
function dateMs(y: i32, m: i32, d: i32): f64 {
  const key = ((y << 4) | m) << 5 | d;
  if (key == lastDate && y >= 0 && <u32>m < 16 && <u32>d < 32) return lastDateMs;
  const days = civilDays(y, m, d);
  const ms = days == i32.MIN_VALUE ? NaN : <f64>days * DAY_MS;
  if (y >= 0 && <u32>m < 16 && <u32>d < 32) {
    lastDate = key;
    lastDateMs = ms;
  }
  return ms;
}

/** d/m/yyyy-style dates (one or two digit day and month), date only; else the plain reader's. */
function slashDate(s: usize, e: usize, sep: u8, dayFirst: bool): f64 {
  let p = s;
  let a = 0;
  let n = 0;
  for (; p < e && n < 3; p++, n++) {
    const d = <i32>load<u8>(p) - <i32>ZERO;
    if (<u32>d > 9) break;
    a = a * 10 + d;
  }
  if (n == 0 || p >= e || load<u8>(p) != sep) return NaN;
  p++;
  let b = 0;
  n = 0;
  for (; p < e && n < 3; p++, n++) {
    const d = <i32>load<u8>(p) - <i32>ZERO;
    if (<u32>d > 9) break;
    b = b * 10 + d;
  }
  if (n == 0 || n > 2 || p >= e || load<u8>(p) != sep || e - (p + 1) != 4) return NaN;
  const y = digitsAt(p + 1, 4);
  if (y < 0) return NaN;
  return dayFirst ? dateMs(y, b, a) : dateMs(y, a, b);
}

/**
 * An ISO time: yyyy-mm-dd, then optionally T or a space and hh:mm[:ss[.f{1,3}]] and, after
 * a T, Z or +hh:mm / -hh:mm. A date that does not exist is NaN; any other form is left to
 * the plain reader (valueFlags = CSV_TS_TEXT).
 */
// the date part (10 bytes) of the last ISO time read, and its ms: rows come day after day
let lastIsoHead: u64 = 0;
let lastIsoTail: u16 = 0;
let lastIsoDay: f64 = NaN;

function isoTime(s: usize, e: usize): f64 {
  const len = <i32>(e - s);
  if (len < 10 || load<u8>(s + 4) != MINUS || load<u8>(s + 7) != MINUS) return text();
  const head = load<u64>(s);
  const tail = load<u16>(s + 8);
  let day: f64;
  if (head == lastIsoHead && tail == lastIsoTail && lastIsoDay == lastIsoDay) {
    day = lastIsoDay;
  } else {
    const y = digitsAt(s, 4);
    const mo = digitsAt(s + 5, 2);
    const d = digitsAt(s + 8, 2);
    if (y < 0 || mo < 0 || d < 0) return text();
    day = dateMs(y, mo, d);
    lastIsoHead = head;
    lastIsoTail = tail;
    lastIsoDay = day;
  }
  if (len == 10 || day != day) return day;
  const sep = load<u8>(s + 10);
  if ((sep != 0x54 && sep != SPACE) || len < 16 || load<u8>(s + 13) != 0x3a) return text();
  const h = digitsAt(s + 11, 2);
  const mi = digitsAt(s + 14, 2);
  if (h < 0 || mi < 0 || h > 23 || mi > 59) return text();
  let p = s + 16;
  let sec = 0;
  let ms = 0;
  if (p < e && load<u8>(p) == 0x3a) {
    sec = digitsAt(p + 1, 2);
    if (e - p < 3 || sec < 0 || sec > 59) return text();
    p += 3;
    if (p < e && load<u8>(p) == DOT) {
      p++;
      let n = 0;
      let f = 0;
      for (; p < e && n < 4; p++, n++) {
        const dd = <i32>load<u8>(p) - <i32>ZERO;
        if (<u32>dd > 9) break;
        f = f * 10 + dd;
      }
      if (n == 0 || n > 3) return text();
      ms = n == 1 ? f * 100 : n == 2 ? f * 10 : f;
    }
  }
  let offset = 0;
  if (p < e) {
    const z = load<u8>(p);
    if (sep != 0x54) return text();
    if (z == 0x5a && p + 1 == e) offset = 0;
    else if ((z == PLUS || z == MINUS) && e - p == 6 && load<u8>(p + 3) == 0x3a) {
      const oh = digitsAt(p + 1, 2);
      const om = digitsAt(p + 4, 2);
      if (oh < 0 || om < 0 || oh > 23 || om > 59) return text();
      offset = (z == MINUS ? -1 : 1) * (oh * 60 + om) * 60000;
    } else return text();
  }
  return day + <f64>(((h * 60 + mi) * 60 + sec) * 1000 + ms - offset);
}

// @ts-ignore: decorator
@inline
function text(): f64 {
  valueFlags = CSV_TS_TEXT;
  return NaN;
}

function readTime(s: usize, e: usize): f64 {
  while (s < e && isBlank(load<u8>(s))) s++;
  while (e > s && isBlank(load<u8>(e - 1))) e--;
  valueFlags = 0;
  if (s == e) return NaN;
  switch (dateFormat) {
    case DATE_ISO: return isoTime(s, e);
    case DATE_EPOCH_MS: {
      const v = wholeNumber(s, e);
      return v == v ? v : text();
    }
    case DATE_EPOCH_S: {
      const v = wholeNumber(s, e);
      return v == v ? v * 1000 : text();
    }
    case DATE_YYYYMMDD: {
      if (e - s != 8) return text();
      const y = digitsAt(s, 4);
      const m = digitsAt(s + 4, 2);
      const d = digitsAt(s + 6, 2);
      return y < 0 || m < 0 || d < 0 ? text() : dateMs(y, m, d);
    }
    case DATE_MDY: {
      const v = slashDate(s, e, 0x2f, false);
      return v == v ? v : text();
    }
    case DATE_DMY: {
      const v = slashDate(s, e, 0x2f, true);
      return v == v ? v : text();
    }
    case DATE_DMY_DOTS: {
      const v = slashDate(s, e, DOT, true);
      return v == v ? v : text();
    }
    default: return text();
  }
}

/** The byte lowered if an ASCII capital. */
// @ts-ignore: decorator
@inline
function lower(b: u8): u8 {
  return b >= 0x41 && b <= 0x5a ? b + 32 : b;
}

function isWord(s: usize, n: usize, w: string): bool {
  if (<usize>w.length != n) return false;
  for (let i: usize = 0; i < n; i++) if (lower(load<u8>(s + i)) != <u8>w.charCodeAt(<i32>i)) return false;
  return true;
}

/** A kind: empty is an order; order, refund, visit, email_open in any case; else the plain reader's. */
function readKind(s: usize, e: usize): u8 {
  while (s < e && isBlank(load<u8>(s))) s++;
  while (e > s && isBlank(load<u8>(e - 1))) e--;
  valueFlags = 0;
  const n = e - s;
  if (n == 0) return KIND_ORDER;
  if (isWord(s, n, 'order')) return KIND_ORDER;
  if (isWord(s, n, 'refund')) return KIND_REFUND;
  if (isWord(s, n, 'visit')) return KIND_VISIT;
  if (isWord(s, n, 'email_open')) return KIND_EMAIL_OPEN;
  valueFlags = CSV_KIND_TEXT;
  return KIND_ORDER;
}

// ---- records ----

/**
 * The closing quote of a quoted field whose text starts at p (a doubled quote is a quote),
 * or stop when it is not in what is read (a quote at the very end of what is read may be
 * the first of a doubled one, unless the input is final).
 */
// @ts-ignore: decorator
@inline
function closingQuote(p: usize, stop: usize, final: bool): usize {
  let q = p;
  while (true) {
    q = nextQuote(q, stop);
    if (q >= stop) return stop;
    if (q + 1 < stop && load<u8>(q + 1) == QUOTE) {
      q += 2;
      continue;
    }
    return q + 1 >= stop && !final ? stop : q;
  }
}

const FIELD_NEXT = 0;
const RECORD_DONE = 1;
const RECORD_OPEN = 2;
/** Where afterField leaves the scan. */
let stepTo: usize = 0;

/**
 * What follows a field ending at p: FIELD_NEXT (a delimiter), RECORD_DONE (a line end, or
 * the end of final input) or RECORD_OPEN (more input is needed); stepTo is past it.
 */
// @ts-ignore: decorator
@inline
function afterField(p: usize, stop: usize, final: bool): i32 {
  stepTo = p;
  if (p >= stop) return final ? RECORD_DONE : RECORD_OPEN;
  const b = load<u8>(p);
  if (b == delim) {
    stepTo = p + 1;
    return FIELD_NEXT;
  }
  if (b == LF) {
    stepTo = p + 1;
    return RECORD_DONE;
  }
  // CR: alone, or CRLF (with more to come, a CR at the end waits for the byte after it)
  if (p + 1 >= stop && !final) return RECORD_OPEN;
  stepTo = p + (p + 1 < stop && load<u8>(p + 1) == LF ? 2 : 1);
  return RECORD_DONE;
}

/**
 * A quoted field's text, in place: [s, e) holds what follows the opening quote up to the
 * field's end (doubled quotes, the closing quote and anything after it, which the plain
 * reader keeps too); the text is written from s, and its end returned.
 */
function unquote(s: usize, e: usize): usize {
  let to = s;
  let inQuotes = true;
  for (let p = s; p < e; p++) {
    const b = load<u8>(p);
    if (inQuotes && b == QUOTE) {
      if (p + 1 < e && load<u8>(p + 1) == QUOTE) {
        store<u8>(to++, QUOTE);
        p++;
      } else inQuotes = false;
      continue;
    }
    store<u8>(to++, b);
  }
  return to;
}

/**
 * Scans records from input offset `from` to `end`, at most rowCap rows, none that starts at
 * `limit` or after (a parallel reader's chunk ends there). final: the input ends at `end` (a
 * record without a line end is complete). Returns the rows; endOfScan() is
 * where the next scan starts (after the last whole record), lineOfScan() its line. header:
 * the first record's field places go to headerRanges, and no row is made.
 */
export function scan(from: u32, end: u32, final: bool, header: bool, limit: u32): u32 {
  const base = inPtr;
  const stop = base + <usize>end;
  const last = base + <usize>limit;
  let p = base + <usize>from;
  let rows: u32 = 0;
  status = 0;
  if (header) headerFields = 0;
  // the vector loads may read PAD bytes past the end: make them harmless
  v128.store(stop, i8x16.splat(0));
  while (rows < rowCap) {
    if (p >= stop || p >= last) break;
    const recordStart = p;
    const recordLine = line;
    let field: i32 = 0;
    let complete = false;
    let idS: usize = 0, idE: usize = 0, tsS: usize = 0, tsE: usize = 0;
    let amS: usize = 0, amE: usize = 0, kS: usize = 0, kE: usize = 0;
    let oS: usize = 0, oE: usize = 0;
    // which of the four fields were quoted (bits 0-3): their text is unquoted once the record
    // is whole, as an incomplete record is scanned again from its start
    let quoted: u32 = 0;
    let lastEmpty = true;
    while (true) {
      const s = p;
      let isQuoted = false;
      if (p < stop && load<u8>(p) == QUOTE) {
        // quoted: to the closing quote (a doubled one is a quote), then on to the field's end
        const q = closingQuote(p + 1, stop, final);
        if (q >= stop) {
          if (final) status = 1;
          line = recordLine;
          scanEnd = <u32>(recordStart - base);
          return rows;
        }
        p = fieldEnd(q + 1, stop);
        isQuoted = true;
        lastEmpty = false;
      } else {
        p = fieldEnd(p, stop);
        lastEmpty = p == s;
      }
      if (header) {
        // the field as written, quotes and all: JavaScript reads the header's few fields
        if (<u32>field < MAX_HEADER_FIELDS) {
          store<u32>(headerPtr + (<usize>field << 3), <u32>(s - base));
          store<u32>(headerPtr + (<usize>field << 3), <u32>(p - base), 4);
        }
      } else if (field == colId) {
        idS = s;
        idE = p;
        if (isQuoted) quoted |= 1;
      } else if (field == colTs) {
        tsS = s;
        tsE = p;
        if (isQuoted) quoted |= 2;
      } else if (field == colAmount) {
        amS = s;
        amE = p;
        if (isQuoted) quoted |= 4;
      } else if (field == colKind) {
        kS = s;
        kE = p;
        if (isQuoted) quoted |= 8;
      }
      // the order id may share a column with none of the four (it is checked apart)
      if (field == colOrder && !header) {
        oS = s;
        oE = p;
        if (isQuoted) quoted |= 16;
      }
      field++;
      const next = afterField(p, stop, final);
      p = stepTo;
      if (next == FIELD_NEXT) continue;
      complete = next == RECORD_DONE;
      break;
    }
    if (!complete) {
      line = recordLine;
      p = recordStart;
      if (<u32>(stop - recordStart) > MAX_RECORD_BYTES) status = 2;
      break;
    }
    if (p - recordStart > <usize>MAX_RECORD_BYTES) {
      status = 2;
      line = recordLine;
      p = recordStart;
      break;
    }
    // LFs inside quoted fields were counted by nextQuote; this is the record's own line end
    line++;
    // a blank line (one empty field) is no record
    if (field == 1 && lastEmpty) continue;
    if (header) {
      headerFields = <u32>field;
      scanEnd = <u32>(p - base);
      return 0;
    }
    if (quoted & 1) idE = unquote(++idS, idE);
    if (quoted & 2) tsE = unquote(++tsS, tsE);
    if (quoted & 4) amE = unquote(++amS, amE);
    if (quoted & 8) kE = unquote(++kS, kE);
    if (quoted & 16) oE = unquote(++oS, oE);
    const r = <usize>rows;
    let flags: u32 = numFields != 0 && <u32>field != numFields ? CSV_FIELDS : 0;
    if (field <= colId) idS = idE = recordStart;
    flags |= readId(idS, idE);
    store<i32>(idWordsPtr + (r << 3), (flags & CSV_ID_INT) != 0 ? wordLo : 0);
    store<i32>(idWordsPtr + (r << 3), (flags & CSV_ID_INT) != 0 ? wordHi : 0, 4);
    if (field <= colTs) tsS = tsE = recordStart;
    store<f64>(tsPtr + (r << 3), readTime(tsS, tsE));
    flags |= valueFlags;
    if (field <= colAmount) amS = amE = recordStart;
    store<f64>(amountPtr + (r << 3), readAmount(amS, amE));
    flags |= valueFlags;
    let kind: u8 = KIND_ORDER;
    if (colKind >= 0) {
      if (field <= colKind) kS = kE = recordStart;
      kind = readKind(kS, kE);
      flags |= valueFlags;
    }
    store<u8>(kindPtr + r, kind);
    store<u32>(flagsPtr + (r << 2), flags);
    store<u32>(linePtr + (r << 2), recordLine);
    const rp = rangesPtr + (r << 5);
    store<u32>(rp, <u32>(idS - base));
    store<u32>(rp, <u32>(idE - base), 4);
    store<u32>(rp, <u32>(tsS - base), 8);
    store<u32>(rp, <u32>(tsE - base), 12);
    store<u32>(rp, <u32>(amS - base), 16);
    store<u32>(rp, <u32>(amE - base), 20);
    store<u32>(rp, <u32>(kS - base), 24);
    store<u32>(rp, <u32>(kE - base), 28);
    if (colOrder >= 0) {
      if (field <= colOrder) oS = oE = recordStart;
      const op = orderRangesPtr + (r << 3);
      store<u32>(op, <u32>(oS - base));
      store<u32>(op, <u32>(oE - base), 4);
    }
    rows++;
  }
  scanEnd = <u32>(p - base);
  return rows;
}

/**
 * Checks bytes [from, end) of the input are UTF-8 without NUL (text has none); `owed`
 * continuation bytes are owed by the input before. Returns the offset of the first byte that breaks it, or -1 - (the
 * continuation bytes the input's end leaves owed).
 */
export function checkUtf8(from: u32, end: u32, owed: u32): i32 {
  let p = inPtr + <usize>from;
  const stop = inPtr + <usize>end;
  for (; owed > 0 && p < stop; owed--, p++) if ((load<u8>(p) & 0xc0) != 0x80) return <i32>(p - inPtr);
  if (owed > 0) return -1 - <i32>owed;
  const high = i8x16.splat(<i8>0x80);
  const nul = i8x16.splat(0);
  while (p < stop) {
    // 16 ASCII bytes at a time, none of them NUL
    if (p + 16 <= stop) {
      const v = v128.load(p);
      if (!v128.any_true(v128.or(v128.and(v, high), i8x16.eq(v, nul)))) {
        p += 16;
        continue;
      }
    }
    const c = load<u8>(p);
    if (c == 0) return <i32>(p - inPtr);
    // continuation bytes the lead byte c announces (-1: c leads nothing)
    const n: i32 =
      c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return <i32>(p - inPtr);
    for (let k = 1; k <= n; k++) {
      if (p + <usize>k >= stop) return -1 - (n - k + 1);
      if ((load<u8>(p + <usize>k) & 0xc0) != 0x80) return <i32>(p - inPtr);
    }
    p += <usize>n + 1;
  }
  return -1;
}

// ---- fields: the places of chosen columns, for readers whose rules are their own ----

/** Columns a fields scan keeps the places of (a cart export's order columns). */
export const MAX_SLOTS: u32 = 16;
/** Per header column, its slot (-1: not kept). */
let slotOfPtr: usize = 0;
let slots: u32 = 0;
/** Per row, MAX_SLOTS pairs of start and end (input offsets) of the kept fields. */
let placesPtr: usize = 0;

export function placesColumn(): usize { return placesPtr; }

/** Keeps no column's places, with room for rowCapacity rows (made on first use: scan needs none of it). */
export function clearSlots(): void {
  if (slotOfPtr == 0) {
    slotOfPtr = heap.alloc(<usize>MAX_HEADER_FIELDS);
    placesPtr = heap.alloc(<usize>rowCap * <usize>MAX_SLOTS << 3);
  }
  memory.fill(slotOfPtr, 0xff, <usize>MAX_HEADER_FIELDS);
  slots = 0;
}

/** Keeps column col's places in the next slot. */
export function keepColumn(col: u32): u32 {
  if (col >= MAX_HEADER_FIELDS || slots >= MAX_SLOTS) return slots;
  store<i8>(slotOfPtr + <usize>col, <i8>slots);
  return ++slots;
}

/**
 * Records from `from` to `end` as the places of the kept columns (quoted fields unquoted in
 * place): the record rules of scan (quotes, doubled quotes, line ends, blank lines, bounds),
 * without reading values. Per row the record's field count goes to the flags column and its
 * line to the line column; a field the record lacks is an empty place at the record's start.
 */
export function scanFields(from: u32, end: u32, final: bool): u32 {
  const base = inPtr;
  const stop = base + <usize>end;
  let p = base + <usize>from;
  let rows: u32 = 0;
  status = 0;
  v128.store(stop, i8x16.splat(0));
  while (rows < rowCap) {
    if (p >= stop) break;
    const recordStart = p;
    const recordLine = line;
    const rp = placesPtr + (<usize>rows * <usize>MAX_SLOTS << 3);
    const empty = (<u64>(recordStart - base) << 32) | <u64>(recordStart - base);
    for (let k: u32 = 0; k < slots; k++) store<u64>(rp + (<usize>k << 3), empty);
    let field: u32 = 0;
    let complete = false;
    let quoted: u32 = 0;
    let lastEmpty = true;
    while (true) {
      const s = p;
      let isQuoted = false;
      if (p < stop && load<u8>(p) == QUOTE) {
        const q = closingQuote(p + 1, stop, final);
        if (q >= stop) {
          if (final) status = 1;
          line = recordLine;
          scanEnd = <u32>(recordStart - base);
          return rows;
        }
        p = fieldEnd(q + 1, stop);
        isQuoted = true;
        lastEmpty = false;
      } else {
        p = fieldEnd(p, stop);
        lastEmpty = p == s;
      }
      if (field < MAX_HEADER_FIELDS) {
        const slot = <i32>load<i8>(slotOfPtr + <usize>field);
        if (slot >= 0) {
          store<u32>(rp + (<usize>slot << 3), <u32>(s - base));
          store<u32>(rp + (<usize>slot << 3), <u32>(p - base), 4);
          if (isQuoted) quoted |= 1 << <u32>slot;
        }
      }
      field++;
      const next = afterField(p, stop, final);
      p = stepTo;
      if (next == FIELD_NEXT) continue;
      complete = next == RECORD_DONE;
      break;
    }
    if (!complete || p - recordStart > <usize>MAX_RECORD_BYTES) {
      line = recordLine;
      if (<u32>(stop - recordStart) > MAX_RECORD_BYTES) status = 2;
      p = recordStart;
      break;
    }
    line++;
    if (field == 1 && lastEmpty) continue;
    // unquoted once the record is whole: an incomplete one is scanned again from its start
    for (let k: u32 = 0; quoted != 0; k++, quoted >>= 1) {
      if ((quoted & 1) == 0) continue;
      const at = rp + (<usize>k << 3);
      const s = base + <usize>load<u32>(at) + 1;
      store<u32>(at, <u32>(s - base));
      store<u32>(at, <u32>(unquote(s, base + <usize>load<u32>(at, 4)) - base), 4);
    }
    store<u32>(flagsPtr + (<usize>rows << 2), field);
    store<u32>(linePtr + (<usize>rows << 2), recordLine);
    rows++;
  }
  scanEnd = <u32>(p - base);
  return rows;
}
