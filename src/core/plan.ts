/**
 * A classification plan: the model's rules plus the snapshot's score cut points, flattened
 * into one Float64Array so the plain core and the WASM kernel read the same thing.
 *
 *   [0] asOf ms          [1] mode (0 exact, 1 sketch)     [2] money sub-bucket bits
 *   [3..18] cuts: r[4], f[4], m[4], aov[4]  (values in exact mode, bucket indices in sketch)
 *   [19] median spend    [20] store's median mean gap, days
 *   [21] R retention states, then R-1 ratio limits (state i holds ratio <= limit i; last: above)
 *   then: Lost retention index, r used for the lost re-run
 *   then: S segments, each: lost target (-1 none), matchable (0/1), C, C x (field, op, value)
 *   then: A audiences, each: C, C x (field, op, value)
 */
export const P_AS_OF = 0;
export const P_MODE = 1;
export const P_SUB_BITS = 2;
export const P_CUTS = 3;
export const P_MEDIAN_SPEND = 19;
export const P_STORE_GAP = 20;
export const P_NUM_RETENTION = 21;

export const MODE_EXACT = 0;
export const MODE_SKETCH = 1;

/** Score dimensions in cut order. */
export const DIM_R = 0;
export const DIM_F = 1;
export const DIM_M = 2;
export const DIM_AOV = 3;

/** One test of a customer field against a value. */
export interface Condition {
  field: number;
  op: number;
  value: number;
}

export interface PlanInput {
  asOf: number;
  mode: 0 | 1;
  subBits: number;
  /** 4 dimensions x 4 cut points. */
  cuts: ArrayLike<number>;
  medianSpend: number;
  storeGapDays: number;
  retentionLimits: number[];
  lostRetention: number;
  lostR: number;
  segments: { lostTarget: number; matchable: boolean; when: Condition[] }[];
  audiences: { when: Condition[] }[];
}

export function encodePlan(p: PlanInput): Float64Array {
  const out: number[] = [p.asOf, p.mode, p.subBits];
  for (let i = 0; i < 16; i++) out.push(p.cuts[i]);
  out.push(p.medianSpend, p.storeGapDays, p.retentionLimits.length + 1, ...p.retentionLimits);
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

/** Offsets into a kernel's classify() totals. */
export interface TotalsLayout {
  /** [0] customers with an order, [1] of them matched by no rule, [2] prospects. */
  segments: number;
  retention: number;
  audiences: number;
  migration: number;
  spendCents: number;
  length: number;
}

/** S segments, R retention states, A audiences, B money buckets. */
export function totalsLayout(s: number, r: number, a: number, b: number): TotalsLayout {
  const segments = 3;
  const retention = segments + 2 * s;
  const audiences = retention + 2 * r;
  const migration = audiences + a;
  const spendCents = migration + (s + 1) * (s + 1);
  return { segments, retention, audiences, migration, spendCents, length: spendCents + b };
}
