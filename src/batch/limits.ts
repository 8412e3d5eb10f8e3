/**
 * The bounds a row must be within to be applied: rows beyond them are rejected with their
 * reason, so no single row can overflow the totals or move a live engine's clock.
 */

/**
 * The bound of one order's amount, in the data's own terms: far above any real order in any
 * currency (a trillion dong is some 40 million dollars), so a yen store's 128,000 order or a
 * large B2B order counts; a mistyped 99999999999999999999 does not. Spend and every total
 * are sums of whole cents in doubles, exact below 2^53 cents (90 trillion, some 90,000
 * orders at the bound: no real store). Large orders below the bound are counted and shown
 * (report/counted.ts: the largest orders), not dropped; --max-amount lowers the bound.
 */
export const DEFAULT_MAX_AMOUNT = 1e12;

/** The largest bound that still holds one order's cents exactly. */
export const LARGEST_MAX_AMOUNT = 2 ** 53 / 100;

export interface RowLimits {
  /** Orders and refunds beyond this absolute amount are rejected. Default DEFAULT_MAX_AMOUNT. */
  maxAmount?: number;
  /**
   * Events dated more than this many ms ahead of the wall clock (when the row is converted)
   * are rejected: a live engine's watermark must not jump to 2099 on one row. Default (and
   * Infinity): none; the CLI's default is DEFAULT_MAX_FUTURE_MS.
   */
  maxFutureMs?: number;
  /**
   * Events dated before this time (ms) are rejected: a year 1 or a 0001-01-01 placeholder is
   * no purchase. Default: none; the CLI's default is the start of DEFAULT_MIN_YEAR.
   */
  notBefore?: number;
}

/** Events before this year are no history a store has (epoch placeholders, year 1): --min-year. */
export const DEFAULT_MIN_YEAR = 1970;

/** The start of a year, UTC, ms. */
export function startOfYear(year: number): number {
  // not Date.UTC(year, 0, 1): it takes years 0-99 for 1900-1999
  return new Date(0).setUTCFullYear(year, 0, 1);
}

/** The reason of an event dated before the bound. */
export const TOO_EARLY = 'time before --min-year';

/** The reason of an order or refund beyond the amount bound. */
export function tooLarge(maxAmount: number): `amount beyond ${number} (--max-amount)` {
  return `amount beyond ${maxAmount} (--max-amount)`;
}

/**
 * How far ahead of the wall clock an event may be dated by default: a day covers every time
 * zone and a clock a little fast, and one row dated 2099 cannot move the as-of time.
 */
export const DEFAULT_MAX_FUTURE_MS = 86_400_000;

/** The latest time a row converted now may carry, or Infinity. */
export function notAfter(limits: RowLimits): number {
  return limits.maxFutureMs === undefined ? Infinity : Date.now() + limits.maxFutureMs;
}
