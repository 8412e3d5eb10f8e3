/**
 * Seeded synthetic order history, sorted by time. Customers differ the way real ones do
 * (the BTYD picture): each is acquired at some time in the window, buys at its own rate
 * (gamma-distributed, so a long tail of heavy buyers and many one-time buyers) for its
 * own lifetime (exponential), and spends around its own mean (lognormal). About 1 % of
 * orders are followed by a refund, and some visitors who never order (prospects) visit.
 */
import type { RecordBatch } from 'apache-arrow';
import { Kind } from '../../domain/types.js';
import { OrderBatchBuffer } from '../batch-builder.js';
import { Random } from './random.js';

export interface GeneratorOptions {
  /** Customers, each with at least one order. */
  customers: number;
  /** Order events in all (>= customers). */
  orders: number;
  seed?: number;
  /** End of the history (ms); default 2026-01-01T00:00Z. */
  endMs?: number;
  /** Length of the history in days; default 730. */
  days?: number;
  /** Rows per batch; default 65,536. */
  batchRows?: number;
  /** String ids (customer-<n>@example.com) instead of Int64. */
  stringIds?: boolean;
  /** Share of orders followed by a refund; default 0.01. */
  refundRate?: number;
  /** Visitors without an order, each with one to three visits; default 5 % of customers. */
  prospects?: number;
}

const MINUTE_MS = 60_000;

/** The orders as time-sorted batches. Memory: about 13 bytes per order while it runs. */
export function* generateOrders(o: GeneratorOptions): Generator<RecordBatch> {
  const C = o.customers;
  const N = o.orders;
  if (!(Number.isInteger(C) && C >= 1)) throw new RangeError(`customers must be a whole number >= 1, got ${C}`);
  if (!(Number.isInteger(N) && N >= C))
    throw new RangeError(`orders must be a whole number >= customers (${C}), got ${N}`);
  const rng = new Random(o.seed ?? 1);
  const endMs = o.endMs ?? Date.UTC(2026, 0, 1);
  const days = o.days ?? 730;
  const windowMs = days * 86_400_000;
  const startMs = endMs - windowMs;
  const minutes = Math.ceil(windowMs / MINUTE_MS);
  const batchRows = o.batchRows ?? 65_536;
  const refundRate = o.refundRate ?? 0.01;
  const P = o.prospects ?? Math.floor(C / 20);

  // per customer: acquisition, active span, weight (expected orders), mean spend
  const acquired = new Float64Array(C);
  const span = new Float64Array(C);
  const meanSpend = new Float32Array(C);
  const cumulative = new Float64Array(C);
  let total = 0;
  for (let c = 0; c < C; c++) {
    acquired[c] = startMs + rng.next() * windowMs;
    const life = rng.exponential(540 * 86_400_000);
    span[c] = Math.min(life, endMs - acquired[c]);
    const rate = rng.gamma(0.5);
    total += rate * span[c];
    cumulative[c] = total;
    meanSpend[c] = Math.exp(3.4 + 0.6 * rng.normal());
  }

  // every customer's first order, then the rest drawn by weight, placed in the customer's
  // span; then the prospects' visits (who >= C)
  const visits: number[] = [];
  for (let p = 0; p < P; p++) for (let v = 1 + Math.floor(rng.next() * 3); v > 0; v--) visits.push(C + p);
  const E = N + visits.length;
  const who = new Uint32Array(E);
  const minute = new Uint32Array(E);
  for (let c = 0; c < C; c++) {
    who[c] = c;
    minute[c] = Math.min(minutes - 1, Math.floor((acquired[c] - startMs) / MINUTE_MS));
  }
  for (let i = C; i < N; i++) {
    const x = rng.next() * total;
    let lo = 0;
    let hi = C - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    who[i] = lo;
    const t = acquired[lo] + rng.next() * span[lo];
    minute[i] = Math.min(minutes - 1, Math.floor((t - startMs) / MINUTE_MS));
  }

  for (let i = N; i < E; i++) {
    who[i] = visits[i - N];
    minute[i] = Math.floor(rng.next() * minutes);
  }

  // counting sort by minute; within a minute, times rise evenly
  const starts = new Uint32Array(minutes + 1);
  for (let i = 0; i < E; i++) starts[minute[i] + 1]++;
  for (let m = 0; m < minutes; m++) starts[m + 1] += starts[m];
  const order = new Uint32Array(E);
  const fill = starts.slice(0, minutes);
  for (let i = 0; i < E; i++) order[fill[minute[i]]++] = i;

  const buffer = new OrderBatchBuffer(batchRows, o.stringIds ?? false);
  const push = (c: number, t: number, a: number, k: number): void => {
    if (o.stringIds) buffer.pushString(`customer-${c + 1}@example.com`, t, a, k);
    else buffer.pushInt(c + 1, 0, false, t, a, k);
  };
  // refunds wait a few days after their order; kept in a small time-ordered list
  const pendingAt: number[] = [];
  const pendingWho: number[] = [];
  const pendingAmount: number[] = [];
  let m = 0;
  for (let j = 0; j < E; j++) {
    const i = order[j];
    while (m < minutes && starts[m + 1] <= j) m++;
    const inMinute = starts[m + 1] - starts[m];
    const t = startMs + m * MINUTE_MS + Math.floor(((j - starts[m] + 0.5) * MINUTE_MS) / inMinute);
    while (pendingAt.length > 0 && pendingAt[0] <= t) {
      push(pendingWho.shift()!, pendingAt.shift()!, -pendingAmount.shift()!, Kind.refund);
      if (buffer.isFull) yield buffer.take();
    }
    const c = who[i];
    if (c >= C) {
      push(c, t, 0, Kind.visit);
      if (buffer.isFull) yield buffer.take();
      continue;
    }
    const a = Math.max(0.5, Math.round(meanSpend[c] * Math.exp(0.4 * rng.normal()) * 100) / 100);
    push(c, t, a, Kind.order);
    if (buffer.isFull) yield buffer.take();
    if (rng.next() < refundRate) {
      const at = t + Math.floor((1 + rng.next() * 13) * 86_400_000);
      if (at < endMs) {
        let k = pendingAt.length;
        while (k > 0 && pendingAt[k - 1] > at) k--;
        pendingAt.splice(k, 0, at);
        pendingWho.splice(k, 0, c);
        pendingAmount.splice(k, 0, a);
      }
    }
  }
  while (pendingAt.length > 0) {
    push(pendingWho.shift()!, pendingAt.shift()!, -pendingAmount.shift()!, Kind.refund);
    if (buffer.isFull) yield buffer.take();
  }
  if (buffer.rows > 0) yield buffer.take();
}
