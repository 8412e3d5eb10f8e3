/**
 * A snapshot in two phases (DESIGN.md, Sharding): merge every shard's sketches (or exact
 * values) into global cut points, then every shard classifies its own customers against
 * them and returns totals, which add up. Totals are counts and whole cents, so the sum does
 * not depend on how customers are spread over shards.
 */
import {
  moneyBucketValue,
  moneyBuckets,
  DAY_MS,
  moneyBucketLowerBound,
  ordersBucketLowerBound,
} from '../core/buckets.js';
import { concentrationOfGroups, concentrationOfSorted, lorenzOfGroups } from '../domain/concentration.js';
import { CUTS_PER_DIM, DIM_AOV, DIM_F, DIM_M, DIM_R, MODE_EXACT, MODE_SKETCH, NUM_DIMS } from '../abi/abi.js';
import { encodePlan } from '../core/plan.js';
import type { AliveParams } from '../core/plan.js';
import type { AliveFit } from '../results.js';
import { totalsLayout } from '../core/totals.js';
import { cutsFromHistogram, cutsFromSorted, medianOfHistogram, medianOfSorted, mergeInto } from '../domain/ranks.js';
import type { Model } from '../model/model.js';
import type { Concentration } from '../domain/concentration.js';
import type { RankMode, SnapshotResult, Thresholds } from '../results.js';
import type { ShardHost } from './shard-host.js';

export interface SnapshotOptions {
  mode: RankMode;
  asOf: number;
  subBits: number;
  /** Remember each customer's segment, so the next snapshot's migration starts from it. */
  commit: boolean;
  /** The fit behind the p_alive field, when the model tests it (alive-fit.ts). */
  alive?: { fit: AliveFit; params: AliveParams };
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Builds the plan for the current state of all shards. */
export async function planFor(
  shards: ShardHost[],
  model: Model,
  o: SnapshotOptions,
): Promise<{
  plan: Float64Array;
  thresholds: Thresholds;
  sortedSpend: Float64Array | null;
  spendSketch: Uint32Array | null;
}> {
  const cuts = new Float64Array(NUM_DIMS * CUTS_PER_DIM);
  /** Where dimension d's cut points start. */
  const at = (d: number): number => d * CUTS_PER_DIM;
  let medianSpend: number;
  let storeGap: number;
  let thresholds: Thresholds;
  let sortedSpend: Float64Array | null = null;
  let spendSketch: Uint32Array | null = null;
  if (o.mode === 'sketch') {
    const all = await Promise.all(shards.map((s) => s.sketches()));
    const merged = all[0];
    for (const sk of all.slice(1)) {
      mergeInto(merged.lastDay, sk.lastDay);
      mergeInto(merged.orders, sk.orders);
      mergeInto(merged.spend, sk.spend);
      mergeInto(merged.aov, sk.aov);
      mergeInto(merged.meanGap, sk.meanGap);
    }
    cutsFromHistogram(merged.lastDay, cuts, at(DIM_R));
    cutsFromHistogram(merged.orders, cuts, at(DIM_F));
    cutsFromHistogram(merged.spend, cuts, at(DIM_M));
    cutsFromHistogram(merged.aov, cuts, at(DIM_AOV));
    const value = (b: number): number => moneyBucketValue(b, o.subBits);
    medianSpend = medianOfHistogram(merged.spend, value);
    storeGap = medianOfHistogram(merged.meanGap, value);
    spendSketch = merged.spend;
    const money = (b: number): number => moneyBucketLowerBound(b, o.subBits);
    const conv = (dim: number, f: (b: number) => number): (number | null)[] =>
      Array.from(cuts.subarray(at(dim), at(dim) + CUTS_PER_DIM), (c) => (Number.isFinite(c) ? f(c) : null));
    thresholds = {
      r: conv(DIM_R, (d) => d * DAY_MS),
      f: conv(DIM_F, ordersBucketLowerBound),
      m: conv(DIM_M, money),
      aov: conv(DIM_AOV, money),
      medianSpend,
      storeGapDays: storeGap,
    };
  } else {
    const all = await Promise.all(shards.map((s) => s.exactValues()));
    const sorted = (pick: (v: (typeof all)[number]) => Float64Array): Float64Array => concat(all.map(pick)).sort();
    const lastTs = sorted((v) => v.lastTs);
    const orders = sorted((v) => v.orders);
    sortedSpend = sorted((v) => v.spend);
    const aov = sorted((v) => v.aov);
    const gaps = sorted((v) => v.meanGap);
    cutsFromSorted(lastTs, cuts, at(DIM_R));
    cutsFromSorted(orders, cuts, at(DIM_F));
    cutsFromSorted(sortedSpend, cuts, at(DIM_M));
    cutsFromSorted(aov, cuts, at(DIM_AOV));
    medianSpend = medianOfSorted(sortedSpend);
    storeGap = medianOfSorted(gaps);
    const conv = (dim: number): (number | null)[] => Array.from(cuts.subarray(at(dim), at(dim) + CUTS_PER_DIM), orNull);
    thresholds = {
      r: conv(DIM_R),
      f: conv(DIM_F),
      m: conv(DIM_M),
      aov: conv(DIM_AOV),
      medianSpend,
      storeGapDays: storeGap,
    };
  }
  if (Number.isNaN(storeGap)) storeGap = model.defaultGapDays;
  if (Number.isNaN(medianSpend)) medianSpend = 0;
  thresholds.storeGapDays = storeGap;
  thresholds.medianSpend = medianSpend;
  if (o.alive !== undefined) thresholds.aliveFit = o.alive.fit;
  const plan = encodePlan({
    asOf: o.asOf,
    mode: o.mode === 'sketch' ? MODE_SKETCH : MODE_EXACT,
    subBits: o.subBits,
    cuts,
    medianSpend,
    storeGapDays: storeGap,
    pAlive: o.alive?.params,
    retentionLimits: model.retentionLimits,
    lostRetention: model.lostRetention,
    lostR: model.lostR,
    segments: model.segments,
    audiences: model.audiences,
  });
  return { plan, thresholds, sortedSpend, spendSketch };
}

export type Planned = Awaited<ReturnType<typeof planFor>>;

/** The snapshot from its plan and every shard's totals under it (classify). */
export function snapshotFrom(
  planned: Planned,
  parts: Float64Array[],
  model: Model,
  o: SnapshotOptions,
): SnapshotResult {
  const { plan, thresholds, sortedSpend, spendSketch } = planned;
  const totals = new Float64Array(parts[0].length);
  for (const p of parts) for (let i = 0; i < p.length; i++) totals[i] += p[i];
  const layout = totalsLayout(
    model.segmentNames.length,
    model.retentionNames.length,
    model.audienceNames.length,
    moneyBuckets(o.subBits),
  );
  let concentration: Concentration;
  let lorenz: number[];
  if (sortedSpend) {
    concentration = concentrationOfSorted(sortedSpend);
    lorenz = lorenzOfGroups(
      sortedSpend.length,
      () => 1,
      (i) => sortedSpend[i],
    );
  } else {
    const sketch = spendSketch!;
    const count = (i: number): number => sketch[i];
    const sum = (i: number): number => totals[layout.spendCents + i] / 100;
    concentration = concentrationOfGroups(sketch.length, count, sum);
    lorenz = lorenzOfGroups(sketch.length, count, sum);
  }
  return { mode: o.mode, asOf: o.asOf, plan, layout, totals, thresholds, concentration, lorenz };
}
