/** A cart import's summary: what it counted, and that in words (stderr) and as JSON (--json). */
import type { TOO_EARLY, tooLarge } from '../../batch/limits.js';
import { EXCLUSIONS } from './cart-preset.js';
import type { CartName, Exclusion } from './cart-preset.js';
import { PRESETS } from './carts.js';

export type RejectReason =
  | 'no customer'
  | 'unreadable time'
  | 'unreadable total'
  | 'unreadable refund'
  | 'wrong field count'
  | typeof TOO_LATE
  | typeof TOO_EARLY
  | ReturnType<typeof tooLarge>;

/** The reason an order dated past the clock's bound is rejected (as the conversion words it). */
export const TOO_LATE = 'time too far ahead of the clock (--max-future)';

export interface CartSummary {
  /** The preset of the last file read (each file says which in `files`). */
  preset: CartName | null;
  files: { file: string; preset: CartName }[];
  /** Data records read (header excluded). */
  rows: number;
  /** Orders imported: in the store's currency, not excluded, readable. */
  orders: number;
  customers: number;
  refundEvents: number;
  /** Sum of the imported orders' totals. */
  revenue: number;
  /** Sum of their refunds. */
  refunded: number;
  /** The store's currency ('' when the export does not name it: Magento's base without --currency). */
  currency: string;
  /** The store's currency was given (--currency), not voted. */
  currencyGiven: boolean;
  excluded: Record<Exclusion, number>;
  rejected: number;
  rejectedBy: Partial<Record<RejectReason, number>>;
  /** The line and file of the first rejected order, for messages. */
  firstRejected: { file: string; line: number; reason: RejectReason } | null;
  /** The first rejected order of each reason. */
  firstRejectedBy: Partial<Record<RejectReason, { file: string; line: number }>>;
  /** Readable orders in other currencies than the store's (Magento: keyed by store view), not imported. */
  otherCurrencies: Record<string, number>;
  /** Orders whose id an earlier file had (overlapping exports): counted once, by the first file. */
  duplicates: number;
}

export function newCartSummary(): CartSummary {
  return {
    preset: null,
    files: [],
    rows: 0,
    orders: 0,
    customers: 0,
    refundEvents: 0,
    revenue: 0,
    refunded: 0,
    currency: '',
    currencyGiven: false,
    excluded: { cancelled: 0, failed: 0, declined: 0, pending: 0, test: 0, refunded: 0 },
    rejected: 0,
    rejectedBy: {},
    firstRejected: null,
    firstRejectedBy: {},
    otherCurrencies: {},
    duplicates: 0,
  };
}

const n = (v: number): string => v.toLocaleString('en-US');
const orders = (v: number): string => `${n(v)} order${v === 1 ? '' : 's'}`;
const money = (v: number): string => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The lines the importer prints, each starting "rfm: ". */
export function cartSummaryText(s: CartSummary): string {
  const title = s.preset === null ? 'cart export' : PRESETS[s.preset].title;
  const currency = s.currency === '' ? 'in the base currency' : s.currency;
  const lines = [
    `${title}: ${n(s.rows)} rows, ${orders(s.orders)} imported (${n(s.customers)} customers,` +
      ` ${n(s.refundEvents)} refund events); ` +
      `revenue ${money(s.revenue)} ${currency}, refunds ${money(s.refunded)}`,
  ];
  const excluded = EXCLUSIONS.filter((e) => s.excluded[e] > 0).map((e) => `${n(s.excluded[e])} ${e}`);
  if (excluded.length > 0) lines.push(`left out, not imported: ${excluded.join(', ')}`);
  if (s.rejected > 0) {
    const by = Object.entries(s.rejectedBy)
      .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
      .map(([r, k]) => {
        const first = s.firstRejectedBy[r as keyof typeof s.firstRejectedBy];
        return `${n(k ?? 0)} ${r}${first ? ` (the first on line ${first.line} of ${first.file})` : ''}`;
      });
    lines.push(`rejected ${orders(s.rejected)}: ${by.join('; ')}`);
  }
  const others = Object.entries(s.otherCurrencies);
  if (others.length > 0) {
    const total = others.reduce((t, [, k]) => t + k, 0);
    lines.push(
      `${orders(total)} in other currencies than ${s.currency || 'the base'},` +
        ` counted apart and not imported: ${others.map(([c, k]) => `${c} ${n(k)}`).join(', ')}` +
        (s.currency === '' || s.currencyGiven ? '' : " (--currency picks the store's)"),
    );
  }
  if (s.duplicates > 0)
    lines.push(`${orders(s.duplicates)} repeated from an earlier file (overlapping exports), counted once`);
  return lines.map((l) => `rfm: ${l}\n`).join('');
}

/** The summary as --json writes it. */
export function cartSummaryJson(s: CartSummary): object {
  return {
    preset: s.preset,
    files: s.files,
    rows: s.rows,
    orders: s.orders,
    customers: s.customers,
    refundEvents: s.refundEvents,
    revenue: round2(s.revenue),
    refunded: round2(s.refunded),
    currency: s.currency || null,
    excluded: s.excluded,
    rejected: s.rejected,
    rejectedBy: s.rejectedBy,
    otherCurrencies: s.otherCurrencies,
    duplicates: s.duplicates,
  };
}

/** Sums of cents come out of doubles with a tail (12745.750000000002); the money is in cents. */
function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
