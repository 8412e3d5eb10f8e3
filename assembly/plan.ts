// The classification plan JS writes (layout: src/core/plan.ts, slots: src/abi/table.mjs),
// decoded once per snapshot into the globals classify.ts reads. The plain core's twin:
// decodePlan in src/core/plan.ts.
import {
  CUTS_PER_DIM, DAY_BUCKETS, DIM_AOV, DIM_F, DIM_M, DIM_R, MODE_SKETCH, ORDERS_BUCKETS, P_AS_OF, P_CONDITION, P_CUTS,
  P_LIMITS, P_MEDIAN_SPEND, P_MODE, P_NUM_RETENTION, P_P_ALIVE, P_SEGMENT_HEAD, P_STORE_GAP, P_SUB_BITS,
} from './abi';
import { moneyBuckets } from './buckets';
import { compileRules } from './rules';

export let plan = new StaticArray<f64>(0);
export let asOf: f64 = 0;
export let isSketch = false;
export let bits: i32 = 7;
export let medianSpend: f64 = 0;
export let storeGap: f64 = 30;
/** MBG/NBD's parameters in weeks for the p_alive field (NaN: the plan has no fit). */
export let aliveR: f64 = NaN;
export let aliveAlpha: f64 = NaN;
export let aliveA: f64 = NaN;
export let aliveB: f64 = NaN;
export let numRetention: i32 = 0;
/** Where the retention limits start in the plan. */
export let limitsAt: i32 = 0;
export let lostRetention: i32 = -1;
export let lostR: f64 = 5;
export let numSegments: i32 = 0;
export let numAudiences: i32 = 0;
/** Per segment (and numSegments: none) the segment a lost customer moves to, -1 for none. */
export let lostTarget = new StaticArray<i32>(0);
export let matchable = new StaticArray<u8>(0);
/** Per segment and audience: its first condition and their count. */
export let segStart = new StaticArray<i32>(0);
export let segLen = new StaticArray<i32>(0);
export let audStart = new StaticArray<i32>(0);
export let audLen = new StaticArray<i32>(0);
/** Condition i: field condField[i], op condOp[i], value condValue[i], in plan order. */
export let condField = new StaticArray<i32>(0);
export let condOp = new StaticArray<i32>(0);
export let condValue = new StaticArray<f64>(0);
/** The audiences of the customer last run (classify.ts), 1 where in. */
export let audience = new StaticArray<u8>(0);

/**
 * Sketch mode: the score of every bucket, made once per plan, so a customer's four scores
 * are four loads instead of sixteen comparisons (a bucket's score depends on the cuts only).
 */
export let rScore = new StaticArray<u8>(0);
export let fScore = new StaticArray<u8>(0);
export let mScore = new StaticArray<u8>(0);
export let aovScore = new StaticArray<u8>(0);

export function planBuffer(len: i32): usize {
  plan = new StaticArray<f64>(len);
  return changetype<usize>(plan);
}

/** The score of value v in dimension dim: 1 + the cut points at or below it. */
// @ts-ignore: decorator
@inline
export function score(v: f64, dim: i32): i32 {
  const base = P_CUTS + dim * CUTS_PER_DIM;
  let sc = 1;
  for (let k = 0; k < CUTS_PER_DIM; k++) if (v >= unchecked(plan[base + k])) sc++;
  return sc;
}

function scoreTable(table: StaticArray<u8>, len: i32, dim: i32): StaticArray<u8> {
  const t = table.length == len ? table : new StaticArray<u8>(len);
  for (let b = 0; b < len; b++) unchecked((t[b] = <u8>score(<f64>b, dim)));
  return t;
}

function decodeCondition(c: i32, at: i32): void {
  unchecked((condField[c] = <i32>plan[at]));
  unchecked((condOp[c] = <i32>plan[at + 1]));
  unchecked((condValue[c] = plan[at + 2]));
}

export function decodePlan(): void {
  asOf = unchecked(plan[P_AS_OF]);
  isSketch = unchecked(plan[P_MODE]) == MODE_SKETCH;
  bits = <i32>unchecked(plan[P_SUB_BITS]);
  if (isSketch) {
    rScore = scoreTable(rScore, DAY_BUCKETS, DIM_R);
    fScore = scoreTable(fScore, ORDERS_BUCKETS, DIM_F);
    mScore = scoreTable(mScore, moneyBuckets(bits), DIM_M);
    aovScore = scoreTable(aovScore, moneyBuckets(bits), DIM_AOV);
  }
  medianSpend = unchecked(plan[P_MEDIAN_SPEND]);
  storeGap = unchecked(plan[P_STORE_GAP]);
  aliveR = unchecked(plan[P_P_ALIVE]);
  aliveAlpha = unchecked(plan[P_P_ALIVE + 1]);
  aliveA = unchecked(plan[P_P_ALIVE + 2]);
  aliveB = unchecked(plan[P_P_ALIVE + 3]);
  numRetention = <i32>unchecked(plan[P_NUM_RETENTION]);
  let at = P_LIMITS;
  limitsAt = at;
  at += numRetention - 1;
  lostRetention = <i32>unchecked(plan[at++]);
  lostR = unchecked(plan[at++]);
  numSegments = <i32>unchecked(plan[at++]);
  // conditions of segments and audiences, numbered in plan order
  let numConds = 0;
  const most = <i32>plan.length / P_CONDITION;
  condField = new StaticArray<i32>(most);
  condOp = new StaticArray<i32>(most);
  condValue = new StaticArray<f64>(most);
  lostTarget = new StaticArray<i32>(numSegments + 1);
  unchecked((lostTarget[numSegments] = -1));
  matchable = new StaticArray<u8>(numSegments);
  segStart = new StaticArray<i32>(numSegments);
  segLen = new StaticArray<i32>(numSegments);
  for (let i = 0; i < numSegments; i++) {
    unchecked((lostTarget[i] = <i32>plan[at]));
    unchecked((matchable[i] = <u8>plan[at + 1]));
    const len = <i32>unchecked(plan[at + 2]);
    at += P_SEGMENT_HEAD;
    unchecked((segLen[i] = len));
    unchecked((segStart[i] = numConds));
    for (let j = 0; j < len; j++, numConds++, at += P_CONDITION) decodeCondition(numConds, at);
  }
  numAudiences = <i32>unchecked(plan[at++]);
  audStart = new StaticArray<i32>(numAudiences);
  audLen = new StaticArray<i32>(numAudiences);
  audience = new StaticArray<u8>(numAudiences);
  for (let i = 0; i < numAudiences; i++) {
    const len = <i32>unchecked(plan[at++]);
    unchecked((audLen[i] = len));
    unchecked((audStart[i] = numConds));
    for (let j = 0; j < len; j++, numConds++, at += P_CONDITION) decodeCondition(numConds, at);
  }
  compileRules(condField, condOp, condValue, segStart, segLen, matchable, audStart, audLen);
}
