/**
 * What was counted, and what was left out and why: one account of an engine's read of its
 * inputs (the conversion's rejects by reason) and of the cart readers' summaries (statuses,
 * currencies, repeats, unreadable orders), for the summary lines, the JSON and the pages.
 */
import { LARGEST_KEPT } from '../batch/counts.js';
import type { RejectTally } from '../batch/counts.js';
import type { Reject } from '../batch/rejects.js';
import { EXCLUSIONS } from '../sources/carts/cart-preset.js';
import { DATE_FORMATS } from '../sources/parse-values.js';
import type { CartSummary } from '../sources/carts/cart-summary.js';
import type { IngestCounts } from '../results.js';
import { grouped, money } from './numbers.js';

/** A reason's rejected rows: how many, and where the first stands, in words ("line 6 of a.csv"). */
export interface RejectedReason {
  count: number;
  first: string;
}

/** The report JSON's `counted`. */
export interface Counted {
  /** Rows read from the inputs (a cart export's rows, line items included). */
  rowsRead: number;
  /** Order events applied. */
  orders: number;
  /** Refund events applied. */
  refunds: number;
  /** The store's currency, when the input names it (a cart export), else null. */
  currency: string | null;
  /** Orders a cart's rules leave out, by status (cancelled, pending, test ...). */
  excluded: Record<string, number>;
  /** Readable orders in other currencies than the store's, not counted. */
  otherCurrencies: Record<string, number>;
  /** Orders whose id an earlier file had (overlapping exports), counted once. */
  duplicates: number;
  /** Rows that cannot be applied, by reason. */
  rejected: number;
  rejectedBy: Record<string, RejectedReason>;
  /** Events after the report's date (--as-of, --to), left out. */
  afterAsOf: number;
  /**
   * Orders far above the store's usual (over LARGE_ORDER_TIMES the median customer's net
   * spend): counted, and shown so a mistyped amount is seen. `atLeast` when every kept
   * largest order is over it (there may be more).
   */
  largeOrders: { over: number; count: number; atLeast: boolean; largest: number[] };
}

/** An order over this many times the median customer's net spend is flagged as large. */
export const LARGE_ORDER_TIMES = 100;

/** What an engine read: its counts, rejects by reason and largest orders. */
export interface EngineRead {
  counts: IngestCounts;
  rejectedBy: RejectTally;
  largestOrders: readonly number[];
  /** Rows left out as repeated orders (plain inputs with an order id column). */
  duplicates: number;
}

/** Where a rejected row stands and what it held, in a few words. */
function whereIs(r: Reject, file?: string): string {
  const at = r.line !== undefined ? `line ${r.line}` : `row ${r.row}`;
  const held = [r.customer, r.ts, r.amount]
    .filter((v) => v !== '')
    .map((v) => JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v));
  return `${at}${file ? ` of ${file}` : ''}${held.length > 0 ? `: ${held.join(', ')}` : ''}`;
}

/**
 * The account of an engine's read and its inputs' cart summaries; medianSpend (the report's)
 * sets what a large order is, source names a lone input in the rejects' places.
 */
export function countedOf(
  read: EngineRead,
  carts: readonly CartSummary[],
  medianSpend: number,
  source?: string,
): Counted {
  const { counts, rejectedBy } = read;
  const cartEvents = carts.reduce((t, c) => t + c.orders + c.refundEvents, 0);
  const excluded: Record<string, number> = {};
  const otherCurrencies: Record<string, number> = {};
  const by: Record<string, RejectedReason> = {};
  let rejected = counts.rejected;
  let rowsRead = counts.rows - cartEvents;
  let duplicates = read.duplicates;
  for (const c of carts) {
    rowsRead += c.rows;
    duplicates += c.duplicates;
    for (const e of EXCLUSIONS) if (c.excluded[e] > 0) excluded[e] = (excluded[e] ?? 0) + c.excluded[e];
    for (const [cur, n] of Object.entries(c.otherCurrencies)) otherCurrencies[cur] = (otherCurrencies[cur] ?? 0) + n;
    rejected += c.rejected;
    for (const [reason, n] of Object.entries(c.rejectedBy)) {
      const first = c.firstRejectedBy[reason as keyof typeof c.firstRejectedBy];
      const had = by[reason];
      if (had !== undefined) had.count += n ?? 0;
      else by[reason] = { count: n ?? 0, first: first === undefined ? '' : `line ${first.line} of ${first.file}` };
    }
  }
  for (const [reason, t] of Object.entries(rejectedBy)) {
    const had = by[reason];
    if (had !== undefined) had.count += t.count;
    else by[reason] = { count: t.count, first: whereIs(t.first, source) };
  }
  const currencies = storeCurrencies(carts);
  return {
    rowsRead,
    orders: counts.orders,
    refunds: counts.refunds,
    currency: currencies.length === 1 ? currencies[0] : null,
    excluded,
    otherCurrencies,
    duplicates,
    rejected,
    rejectedBy: by,
    afterAsOf: counts.afterAsOf,
    largeOrders: largeOrdersOf(read.largestOrders, medianSpend),
  };
}

/** The currencies the cart exports name as their stores' (one for one store). */
export function storeCurrencies(carts: readonly CartSummary[]): string[] {
  return [...new Set(carts.map((c) => c.currency).filter((c) => c !== ''))];
}

function largeOrdersOf(largest: readonly number[], medianSpend: number): Counted['largeOrders'] {
  const over = Math.round(LARGE_ORDER_TIMES * Math.max(medianSpend, 0) * 100) / 100;
  const large = largest.filter((a) => a > over);
  return {
    over,
    count: large.length,
    atLeast: large.length === LARGEST_KEPT,
    largest: large.map((a) => Math.round(a * 100) / 100),
  };
}

/** The line the CLI prints for large orders, or ''. */
export function largeOrdersText(c: Counted): string {
  const l = c.largeOrders;
  if (l.count === 0) return '';
  const shown = l.largest.slice(0, 5).map(money).join(', ');
  return (
    `rfm: ${l.atLeast ? 'at least ' : ''}${n(l.count)} order${l.count === 1 ? '' : 's'} over ${LARGE_ORDER_TIMES} ` +
    `times the median customer's spend ` +
    `(over ${money(l.over)}${c.currency ? ` ${c.currency}` : ''}): ${shown}${l.count > 5 ? ', ...' : ''};` +
    ` counted: check them (--max-amount N rejects orders over N)\n`
  );
}

const n = grouped;

/** The reasons, commonest first. */
export function reasonsByCount(c: Counted): [string, RejectedReason][] {
  return Object.entries(c.rejectedBy).sort((a, b) => b[1].count - a[1].count);
}

/** The line the CLI prints for the engine's rejected rows by reason (the carts' own lines say theirs). */
export function rejectedText(rejectedBy: RejectTally, source?: string): string {
  const reasons = Object.entries(rejectedBy).sort((a, b) => b[1].count - a[1].count);
  return reasons
    .map(
      ([reason, t]) =>
        `rfm:   ${n(t.count)} ${reason} (the first: ${whereIs(t.first, source)})${fixFor(reason, t.first)}\n`,
    )
    .join('');
}

/**
 * The likely fix of a reason, from its first row's values ("; try ..."), or ''. A whole input
 * rejected for one reason is nearly always an option the file needs. An empty value is one the
 * reader could not keep as text (the plain reader keeps only what it read): not said to be
 * empty in the file.
 */
export function fixFor(reason: string, first: Reject | undefined): string {
  const ts = first?.ts ?? '';
  const amount = first?.amount ?? '';
  if (reason.includes('time') && !reason.includes('ahead')) {
    if (/^\d{1,2}\.\d{1,2}\.\d{4}/.test(ts)) return '; dates like 31.12.2024: try --date-format dd.mm.yyyy';
    if (/^\d{1,2}\/\d{1,2}\/\d{4}/.test(ts))
      return '; dates like 12/31/2024: try --date-format mm/dd/yyyy or dd/mm/yyyy';
    if (/^\d{8}$/.test(ts)) return '; dates like 20241231: try --date-format yyyymmdd';
    if (/^\d{12,14}$/.test(ts)) return '; times in milliseconds since 1970: try --date-format epoch-ms';
    if (/^\d{9,11}$/.test(ts)) return '; times in seconds since 1970: try --date-format epoch-s';
    if (ts === '') return `; no time was read: check --ts-column and --date-format (${DATE_FORMATS.join(', ')})`;
  }
  if (reason.includes('amount') && reason.includes('NaN')) {
    if (/^-?[\d.]*\d,\d{1,2}$/.test(amount)) return '; amounts like 12,50: try --decimal-comma';
    if (amount === '') return '; no amount was read: check --amount-column and --decimal-comma';
  }
  if (reason.includes('customer')) return '; name the customer column with --customer-column';
  if (reason.includes('ahead of the clock')) return '; a simulated future: --max-future off keeps such events';
  if (reason.includes('--max-amount')) return '; larger orders are real in this store: raise --max-amount';
  return '';
}
