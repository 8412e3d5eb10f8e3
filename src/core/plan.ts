/**
 * A classification plan: the model's rules plus the snapshot's score cut points, flattened
 * into one Float64Array so the plain core and the WASM kernel read the same thing (slots:
 * P_* in src/abi/table.mjs).
 *
 *   [P_AS_OF] asOf ms    [P_MODE] MODE_EXACT or MODE_SKETCH    [P_SUB_BITS] money sub-bucket bits
 *   [P_CUTS..] cuts: r, f, m, aov, CUTS_PER_DIM each (values in exact mode, bucket indices in sketch)
 *   [P_MEDIAN_SPEND] median spend    [P_STORE_GAP] store's median mean gap, days
 *   [P_P_ALIVE..] MBG/NBD's r, alpha, a, b in weeks for the p_alive field (NaN: no fit)
 * [P_NUM_RETENTION] R retention states, then from P_LIMITS R-1 ratio limits (state i holds ratio <=
 * limit i; last: above)
 *   then: Lost retention index, r used for the lost re-run
 *   then: S segments, each: lost target (-1 none), matchable (0/1), C, C x (field, op, value)
 *   then: A audiences, each: C, C x (field, op, value)
 * Written here (encodePlan), read by decodePlan below and by assembly/plan.ts.
 */
import * as abi from '../abi/abi.js';

// The ABI's numbers as this module's own constants: V8 folds those into the code, not
// imported bindings (measured on the plain core's ingest: 15.9 -> 18.7 M rows/s).
const {
  CUTS_PER_DIM,
  MODE_SKETCH,
  NUM_DIMS,
  P_AS_OF,
  P_CONDITION,
  P_CUTS,
  P_LIMITS,
  P_MEDIAN_SPEND,
  P_MODE,
  P_NUM_RETENTION,
  P_P_ALIVE,
  P_SEGMENT_HEAD,
  P_STORE_GAP,
  P_SUB_BITS,
} = abi;

/** One test of a customer field against a value. */
export interface Condition {
  field: number;
  op: number;
  value: number;
}

/** The purchase model's parameters a plan carries for p_alive (MBG/NBD, weeks). */
export interface AliveParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface PlanInput {
  asOf: number;
  mode: 0 | 1;
  subBits: number;
  /** NUM_DIMS dimensions x CUTS_PER_DIM cut points. */
  cuts: ArrayLike<number>;
  medianSpend: number;
  storeGapDays: number;
  /** MBG/NBD's parameters in weeks, for the p_alive field; without them p_alive is NaN (no condition on it holds). */
  pAlive?: AliveParams;
  retentionLimits: number[];
  lostRetention: number;
  lostR: number;
  segments: { lostTarget: number; matchable: boolean; when: Condition[] }[];
  audiences: { when: Condition[] }[];
}

const NUM_CUTS = NUM_DIMS * CUTS_PER_DIM;

export function encodePlan(p: PlanInput): Float64Array {
  const out: number[] = [];
  out[P_AS_OF] = p.asOf;
  out[P_MODE] = p.mode;
  out[P_SUB_BITS] = p.subBits;
  for (let i = 0; i < NUM_CUTS; i++) out[P_CUTS + i] = p.cuts[i];
  out[P_MEDIAN_SPEND] = p.medianSpend;
  out[P_STORE_GAP] = p.storeGapDays;
  const alive = p.pAlive ?? { r: Number.NaN, alpha: Number.NaN, a: Number.NaN, b: Number.NaN };
  out[P_P_ALIVE] = alive.r;
  out[P_P_ALIVE + 1] = alive.alpha;
  out[P_P_ALIVE + 2] = alive.a;
  out[P_P_ALIVE + 3] = alive.b;
  out[P_NUM_RETENTION] = p.retentionLimits.length + 1;
  out.push(...p.retentionLimits);
  out.push(p.lostRetention, p.lostR, p.segments.length);
  for (const s of p.segments) {
    out.push(s.lostTarget, s.matchable ? 1 : 0, s.when.length);
    for (const c of s.when) out.push(c.field, c.op, c.value);
  }
  out.push(p.audiences.length);
  for (const a of p.audiences) {
    out.push(a.when.length);
    for (const c of a.when) out.push(c.field, c.op, c.value);
  }
  return Float64Array.from(out);
}

/** A plan read back: what the plain core's classifier works from. */
export interface DecodedPlan {
  asOf: number;
  isSketch: boolean;
  subBits: number;
  cuts: Float64Array;
  medianSpend: number;
  storeGap: number;
  alive: AliveParams;
  numRetention: number;
  limits: Float64Array;
  lostRetention: number;
  lostR: number;
  numSegments: number;
  lostTarget: Int32Array;
  matchable: Uint8Array;
  /** Per segment/audience: its first condition (in condField/condOp/condValue) and their count. */
  segStart: Int32Array;
  segLen: Int32Array;
  numAudiences: number;
  audStart: Int32Array;
  audLen: Int32Array;
  /** Condition i: field condField[i], op condOp[i], value condValue[i], in plan order. */
  condField: Int32Array;
  condOp: Int32Array;
  condValue: Float64Array;
}

export function decodePlan(plan: Float64Array): DecodedPlan {
  const numRetention = plan[P_NUM_RETENTION];
  let at = P_LIMITS + numRetention - 1;
  const lostRetention = plan[at++];
  const lostR = plan[at++];
  const numSegments = plan[at++];
  const most = Math.floor(plan.length / P_CONDITION);
  const condField = new Int32Array(most);
  const condOp = new Int32Array(most);
  const condValue = new Float64Array(most);
  let numConds = 0;
  const decode = (count: number): void => {
    for (let j = 0; j < count; j++, numConds++, at += P_CONDITION) {
      condField[numConds] = plan[at];
      condOp[numConds] = plan[at + 1];
      condValue[numConds] = plan[at + 2];
    }
  };
  const lostTarget = new Int32Array(numSegments);
  const matchable = new Uint8Array(numSegments);
  const segStart = new Int32Array(numSegments);
  const segLen = new Int32Array(numSegments);
  for (let i = 0; i < numSegments; i++) {
    lostTarget[i] = plan[at];
    matchable[i] = plan[at + 1];
    segLen[i] = plan[at + 2];
    at += P_SEGMENT_HEAD;
    segStart[i] = numConds;
    decode(segLen[i]);
  }
  const numAudiences = plan[at++];
  const audStart = new Int32Array(numAudiences);
  const audLen = new Int32Array(numAudiences);
  for (let i = 0; i < numAudiences; i++) {
    audLen[i] = plan[at++];
    audStart[i] = numConds;
    decode(audLen[i]);
  }
  return {
    asOf: plan[P_AS_OF],
    isSketch: plan[P_MODE] === MODE_SKETCH,
    subBits: plan[P_SUB_BITS],
    cuts: plan.slice(P_CUTS, P_CUTS + NUM_CUTS),
    medianSpend: plan[P_MEDIAN_SPEND],
    storeGap: plan[P_STORE_GAP],
    alive: { r: plan[P_P_ALIVE], alpha: plan[P_P_ALIVE + 1], a: plan[P_P_ALIVE + 2], b: plan[P_P_ALIVE + 3] },
    numRetention,
    limits: plan.slice(P_LIMITS, P_LIMITS + numRetention - 1),
    lostRetention,
    lostR,
    numSegments,
    lostTarget,
    matchable,
    segStart,
    segLen,
    numAudiences,
    audStart,
    audLen,
    condField,
    condOp,
    condValue,
  };
}
