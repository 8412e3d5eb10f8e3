/** What converting a batch counts, and how counts add up from batch to batch. */
import type { Reject } from './rejects.js';

/** What converting a batch counted. */
export interface BatchCounts {
  /** Input record batches it holds (more than 1 once joined, see coalesce.ts). */
  batches: number;
  orders: number;
  refunds: number;
  engagements: number;
  rejected: number;
  afterAsOf: number;
  /** Largest accepted event time, ms; -Infinity when none. */
  maxTs: number;
  rejects: Reject[];
  /** The rejected rows by reason, each with its first row (kept whether or not `rejects` is). */
  rejectedBy?: RejectTally;
  /** The largest order amounts applied, largest first (at most LARGEST_KEPT): outliers made visible. */
  largest?: number[];
  /** The ids are unsigned 64-bit integers (Uint64): exports print them as such. */
  unsignedIds?: boolean;
  /** Rows of an order (or event) an earlier row had, marked skip (repeat-orders.ts). */
  duplicates?: number;
}

/** Rejected rows by reason: how many, and the first (its row, line and raw values). */
export type RejectTally = Record<string, { count: number; first: Reject }>;

/** Adds a tally into another; a reason's first row stays the one added first. */
export function addRejectTally(to: RejectTally, from: RejectTally | undefined): void {
  if (from === undefined) return;
  for (const [reason, r] of Object.entries(from)) {
    const t = to[reason];
    if (t === undefined) to[reason] = { count: r.count, first: r.first };
    else t.count += r.count;
  }
}

/** How many of the largest order amounts are kept. */
export const LARGEST_KEPT = 16;

/** Puts an order amount into a list of the largest (descending, at most LARGEST_KEPT); returns the list's floor. */
export function keepLargest(list: number[], a: number): number {
  let i = list.length;
  while (i > 0 && list[i - 1] < a) i--;
  if (i < LARGEST_KEPT) {
    list.splice(i, 0, a);
    if (list.length > LARGEST_KEPT) list.pop();
  }
  return list.length < LARGEST_KEPT ? -Infinity : list[list.length - 1];
}

/** The counts that add up from batch to batch. */
export type Tally = Pick<BatchCounts, 'batches' | 'orders' | 'refunds' | 'engagements' | 'rejected' | 'afterAsOf'>;

/** Adds from's counts to to's (a joined batch, the engine's totals). */
export function addTally(to: Tally, from: Tally): void {
  to.batches += from.batches;
  to.orders += from.orders;
  to.refunds += from.refunds;
  to.engagements += from.engagements;
  to.rejected += from.rejected;
  to.afterAsOf += from.afterAsOf;
}
