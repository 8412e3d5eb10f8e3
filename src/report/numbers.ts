/**
 * Numbers as the reports print them, in en-US digits: what Intl.NumberFormat('en-US') prints,
 * without it. Building the first formatter loads ICU's data, ~20 ms of the ~280 a 1,000-row
 * report takes from start to exit (issue 30 asks for under 300); a report formats thousands
 * of figures, which a formatter made per call (toLocaleString) cost 34 ms of (bench/NOTES.md
 * 68). ICU rounds the shortest decimal that reads back as the double (1.0005 -> "1.001",
 * where toFixed rounds the binary value down), half away from zero; so does `rounded` here.
 * Forms it does not take on (exponents, non-finite values) go to Intl as before.
 */
let grouping: Intl.NumberFormat | undefined;
let cents: Intl.NumberFormat | undefined;
const intlGrouped = (n: number): string => (grouping ??= new Intl.NumberFormat('en-US')).format(n);
const intlMoney = (n: number): string =>
  (cents ??= new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })).format(n);

/**
 * The shortest decimal of |n| rounded to `places` decimals, half away from zero: its integer
 * digits and its `places` fraction digits; null for NaN, infinities and the forms String()
 * writes with an exponent.
 */
function rounded(n: number, places: number): { whole: string; fraction: string } | null {
  if (!Number.isFinite(n)) return null;
  const text = String(Math.abs(n));
  if (text.includes('e')) return null;
  const dot = text.indexOf('.');
  let whole = dot < 0 ? text : text.slice(0, dot);
  const digits = dot < 0 ? '' : text.slice(dot + 1);
  if (digits.length <= places) return { whole, fraction: digits.padEnd(places, '0') };
  // keep `places` digits; the next one decides (a tie and above go up: half away from zero)
  const kept = (whole + digits.slice(0, places)).split('').map(Number);
  if (digits.charCodeAt(places) >= 53 /* '5' */) {
    let i = kept.length - 1;
    while (i >= 0 && kept[i] === 9) kept[i--] = 0;
    if (i < 0) kept.unshift(1);
    else kept[i]++;
  }
  const all = kept.join('');
  whole = all.slice(0, all.length - places);
  return { whole, fraction: all.slice(all.length - places) };
}

/** "1234567" -> "1,234,567". */
function withCommas(whole: string): string {
  let out = whole.slice(0, ((whole.length - 1) % 3) + 1);
  for (let i = out.length; i < whole.length; i += 3) out += ',' + whole.slice(i, i + 3);
  return out;
}

/** Intl's sign: a minus on every negative number, -0 and what rounds to 0 included. */
const sign = (n: number): string => (n < 0 || Object.is(n, -0) ? '-' : '');

/** 1234.5 -> "1,234.5" (up to three decimals, as toLocaleString). */
export function grouped(n: number): string {
  const r = rounded(n, 3);
  if (r === null) return intlGrouped(n);
  const fraction = r.fraction.replace(/0+$/, '');
  return sign(n) + withCommas(r.whole) + (fraction === '' ? '' : '.' + fraction);
}

/** 1234.5 -> "1,235". */
export const int = (n: number): string => grouped(Math.round(n));

/** 1234.5 -> "1,234.50". */
export function money(n: number): string {
  const r = rounded(n, 2);
  if (r === null) return intlMoney(n);
  return sign(n) + withCommas(r.whole) + '.' + r.fraction;
}
