/**
 * The report: a snapshot's totals named by the model, in the JSON shape of the README.
 * Money is summed in whole cents by the kernels and turned back into currency here.
 */
import { T_CUSTOMERS, T_PER_RETENTION, T_PER_SEGMENT, T_PROSPECTS, T_UNMATCHED } from '../abi/abi.js';
import type { Concentration } from '../domain/concentration.js';
import type { Model } from '../model/model.js';
import type { Counted } from './counted.js';
import type { AliveFit, EngineSnapshot, RankMode } from '../results.js';

export interface Tally {
  customers: number;
  revenue: number;
}

/** The report JSON (keys exactly so). */
export interface Report {
  /** ISO-8601 time recency is measured against. */
  asOf: string;
  /** Customers with at least one order. */
  customers: number;
  /** Order events applied. */
  orders: number;
  /** Net revenue (orders minus refunds) of the customers with an order. */
  revenue: number;
  /** Rows rejected as bad input (the cart readers' unreadable orders too). */
  rejected: number;
  /** The store's currency, when the input names it (a cart's export); null when it does not. */
  currency: string | null;
  /** What was counted, and what was left out and why (src/report/counted.ts). */
  counted?: Counted;
  mode: RankMode;
  segments: Record<string, Tally>;
  groups: Record<string, Tally>;
  retention: Record<string, Tally>;
  audiences: Record<string, { customers: number }>;
  concentration: Concentration;
  thresholds: {
    r: (string | null)[];
    f: (number | null)[];
    m: (number | null)[];
    aov: (number | null)[];
    medianSpend: number;
    storeGapDays: number;
    /** The MBG/NBD fit behind the p_alive field, when a rule of the model tests it. */
    aliveFit?: AliveFit;
  };
}

/** Extra figures a report does not carry but a live view wants. */
export interface SnapshotExtras {
  /** Customers with engagement but no order. */
  prospects: number;
  /** Customers no segment rule matched (0 for the default model). */
  unmatched: number;
  /** migration[from][to]: customers from each previous segment (last row: none) to each segment. */
  migration: number[][];
  /** Revenue share of the lowest-spending 0, 5, ..., 100 % of customers. */
  lorenz: number[];
}

const cents = (x: number): number => Math.round(x) / 100;

/** A snapshot's report, and the figures a live view wants beside it. */
export function buildReport(snapshot: EngineSnapshot, model: Model): { report: Report; extras: SnapshotExtras } {
  const { result: s, counts } = snapshot;
  const t = s.totals;
  const L = s.layout;
  const segments: Record<string, Tally> = {};
  const groups: Record<string, Tally> = {};
  for (const g of model.groupNames) groups[g] = { customers: 0, revenue: 0 };
  const groupCents: Record<string, number> = {};
  model.segmentNames.forEach((name, i) => {
    const n = t[L.segments + T_PER_SEGMENT * i];
    const c = t[L.segments + T_PER_SEGMENT * i + 1];
    segments[name] = { customers: n, revenue: cents(c) };
    const g = model.segmentGroups[i];
    groups[g].customers += n;
    groupCents[g] = (groupCents[g] ?? 0) + c;
  });
  for (const g of model.groupNames) groups[g].revenue = cents(groupCents[g] ?? 0);
  const retention: Record<string, Tally> = {};
  let revenueCents = 0;
  model.retentionNames.forEach((name, i) => {
    retention[name] = {
      customers: t[L.retention + T_PER_RETENTION * i],
      revenue: cents(t[L.retention + T_PER_RETENTION * i + 1]),
    };
    revenueCents += t[L.retention + T_PER_RETENTION * i + 1];
  });
  const audiences: Record<string, { customers: number }> = {};
  model.audienceNames.forEach((name, i) => {
    audiences[name] = { customers: t[L.audiences + i] };
  });
  const S = model.segmentNames.length;
  const migration: number[][] = [];
  for (let from = 0; from <= S; from++) {
    migration.push(Array.from(t.subarray(L.migration + from * (S + 1), L.migration + (from + 1) * (S + 1) - 1)));
  }
  const th = s.thresholds;
  const report: Report = {
    asOf: new Date(s.asOf).toISOString(),
    customers: t[T_CUSTOMERS],
    orders: counts.orders,
    revenue: cents(revenueCents),
    currency: null,
    rejected: counts.rejected,
    mode: s.mode,
    segments,
    groups,
    retention,
    audiences,
    concentration: s.concentration,
    thresholds: {
      r: th.r.map((x) => (x === null ? null : new Date(x).toISOString())),
      f: th.f,
      m: th.m,
      aov: th.aov,
      medianSpend: th.medianSpend,
      storeGapDays: th.storeGapDays,
      ...(th.aliveFit !== undefined ? { aliveFit: th.aliveFit } : {}),
    },
  };
  return { report, extras: { prospects: t[T_PROSPECTS], unmatched: t[T_UNMATCHED], migration, lorenz: s.lorenz } };
}
