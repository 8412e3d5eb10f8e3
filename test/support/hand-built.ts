/** Hand-built customers fed straight to a kernel, classified under a plan with chosen cut points. */
import { Kind } from '../../src/domain/types.js';
import type { Kernel } from '../../src/domain/types.js';
import { MODE_EXACT } from '../../src/abi/abi.js';
import { encodePlan } from '../../src/core/plan.js';
import { allocColumnBatch } from '../../src/batch/column-batch.js';
import type { Model } from '../../src/model/model.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export interface Event {
  ts: number;
  amount: number;
  kind?: number;
}

/** Feeds customers 1..n (id = index + 1) to the kernel in one batch. */
export function feed(kernel: Kernel, customers: Event[][]): void {
  const rows = customers.flatMap((events, c) => events.map((e) => ({ c, ...e })));
  const { batch } = allocColumnBatch({ numRows: rows.length, idMode: 'int', idBytesLen: 0 });
  rows.forEach((r, i) => {
    batch.idWords![2 * i] = r.c + 1;
    batch.ts[i] = r.ts;
    batch.amount[i] = r.amount;
    batch.kind[i] = r.kind ?? Kind.order;
  });
  kernel.ingest(batch, 0, 1);
}

export interface PlanChoice {
  asOf: number;
  /** r cuts (last_ts ms), f cuts (orders), m cuts (spend), aov cuts. */
  cuts: number[];
  medianSpend?: number;
  storeGapDays?: number;
}

export function planOf(model: Model, p: PlanChoice): Float64Array {
  return encodePlan({
    asOf: p.asOf,
    mode: MODE_EXACT,
    subBits: 7,
    cuts: p.cuts,
    medianSpend: p.medianSpend ?? 0,
    storeGapDays: p.storeGapDays ?? model.defaultGapDays,
    retentionLimits: model.retentionLimits,
    lostRetention: model.lostRetention,
    lostR: model.lostR,
    segments: model.segments,
    audiences: model.audiences,
  });
}

/** Per customer (in feed order): scores, retention and segment by name. */
export function classified(kernel: Kernel, model: Model, plan: Float64Array) {
  const rows = kernel.exportRows(plan);
  const byId = new Map<number, { r: number; f: number; m: number; aov: number; retention: string; segment: string }>();
  for (let i = 0; i < rows.numRows; i++) {
    byId.set(rows.idWords![2 * i], {
      r: rows.r[i],
      f: rows.f[i],
      m: rows.m[i],
      aov: rows.aovScore[i],
      retention: model.retentionNames[rows.retention[i]],
      segment: model.segmentNames[rows.segment[i]],
    });
  }
  return Array.from({ length: byId.size }, (_, i) => byId.get(i + 1)!);
}
