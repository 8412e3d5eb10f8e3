/**
 * The plain core's classification: a customer's scores, retention state, segment and
 * audiences under a decoded plan, by walking the rules one customer at a time. The same
 * decisions as assembly/classify.ts (which tests the rules a block of customers at a time).
 */
import * as abi from '../abi/abi.js';
import { dayIndexBucket, moneyBucket, moneyBuckets, ordersBucket } from './buckets.js';
import { decodePlan } from './plan.js';
import type { DecodedPlan } from './plan.js';
import type { Records } from './records.js';
import { Totals } from './totals.js';

// The ABI's numbers as this module's own constants: V8 folds those into the code, not
// imported bindings (measured on the plain core's ingest: 15.9 -> 18.7 M rows/s).
const {
  CENTS,
  D_FIRST_TS,
  D_GAP_SUM_SQ,
  D_LAST_TS,
  D_SPEND_CENTS,
  DAY_MS,
  DIM_AOV,
  DIM_F,
  DIM_M,
  DIM_R,
  CUTS_PER_DIM,
  FIELD_VALUES,
  FV_SPAN_SQ,
  Field,
  NO_SEGMENT,
  Op,
  WEEK_DAYS,
  W_LAST_DAY,
  W_ORDERS,
  W_PURCHASE_DAYS,
  RECORD_DOUBLE_SHIFT: DOUBLE_SHIFT,
  RECORD_WORD_SHIFT: WORD_SHIFT,
} = abi;

/** The fields a rule can read, for one customer. */
interface CustomerFields {
  orders: number;
  purchaseDays: number;
  spend: number;
  firstTs: number;
  lastTs: number;
  gapSumSq: number;
  engagements: number;
  lastEngaged: number;
  firstDay: number;
  lastDay: number;
}
const scratchFields: CustomerFields = {
  orders: 0,
  purchaseDays: 0,
  spend: 0,
  firstTs: 0,
  lastTs: 0,
  gapSumSq: 0,
  engagements: 0,
  lastEngaged: 0,
  firstDay: 0,
  lastDay: 0,
};

/** Customer s's fields, into one scratch object (no object per customer). */
export function fieldsOf(r: Records, s: number): CustomerFields {
  const f = scratchFields;
  const w = s << WORD_SHIFT;
  const d = s << DOUBLE_SHIFT;
  f.orders = r.u32[w + W_ORDERS];
  f.purchaseDays = r.u32[w + W_PURCHASE_DAYS];
  f.spend = r.f64[d + D_SPEND_CENTS] / CENTS;
  f.firstTs = r.f64[d + D_FIRST_TS];
  f.lastTs = r.f64[d + D_LAST_TS];
  f.gapSumSq = r.f64[d + D_GAP_SUM_SQ];
  f.engagements = r.engagements[s];
  f.lastEngaged = r.lastEngaged[s];
  f.firstDay = Math.floor(f.firstTs / DAY_MS);
  f.lastDay = r.i32[w + W_LAST_DAY];
  return f;
}

/** A decoded plan and the classification of the customer it last ran on. */
export class Classifier {
  readonly p: DecodedPlan;
  // the result for the last customer
  r = 0;
  f = 0;
  m = 0;
  aov = 0;
  retention = 0;
  segment = 0;
  readonly audience: Uint8Array;
  /** The customer's value of every field (see fillFields); slot FV_SPAN_SQ holds sum(gap)^2. */
  private readonly fv = new Float64Array(FIELD_VALUES);
  // the customer being classified
  private c: CustomerFields = scratchFields;

  constructor(plan: Float64Array) {
    this.p = decodePlan(plan);
    this.audience = new Uint8Array(this.p.numAudiences);
  }

  get numSegments(): number {
    return this.p.numSegments;
  }

  private score(v: number, dim: number): number {
    const base = dim * CUTS_PER_DIM;
    const cuts = this.p.cuts;
    let sc = 1;
    for (let k = 0; k < CUTS_PER_DIM; k++) if (v >= cuts[base + k]) sc++;
    return sc;
  }

  run(c: CustomerFields): void {
    const p = this.p;
    this.c = c;
    if (c.orders > 0) {
      const aovValue = c.spend / c.orders;
      if (p.isSketch) {
        this.r = this.score(dayIndexBucket(c.lastDay), DIM_R);
        this.f = this.score(ordersBucket(c.orders), DIM_F);
        this.m = this.score(moneyBucket(c.spend, p.subBits), DIM_M);
        this.aov = this.score(moneyBucket(aovValue, p.subBits), DIM_AOV);
      } else {
        this.r = this.score(c.lastTs, DIM_R);
        this.f = this.score(c.orders, DIM_F);
        this.m = this.score(c.spend, DIM_M);
        this.aov = this.score(aovValue, DIM_AOV);
      }
      const n = c.purchaseDays - 1;
      const gap = n > 0 ? this.span() / n : p.storeGap;
      const ratio = this.recencyDays() / gap;
      let ret = p.numRetention - 1;
      for (let i = 0; i < p.numRetention - 1; i++) {
        if (ratio <= p.limits[i]) {
          ret = i;
          break;
        }
      }
      this.retention = ret;
      this.fillFields();
      if (ret === p.lostRetention) {
        const seg = this.match(p.lostR);
        this.segment = seg < p.numSegments && p.lostTarget[seg] >= 0 ? p.lostTarget[seg] : seg;
      } else {
        this.segment = this.match(this.r);
      }
    } else {
      this.r = this.f = this.m = this.aov = 0;
      this.retention = NO_SEGMENT;
      this.segment = NO_SEGMENT;
      this.fillFields();
    }
    this.fv[Field.r] = this.r;
    for (let a = 0; a < p.numAudiences; a++) {
      this.audience[a] = this.all(p.audStart[a], p.audLen[a]) ? 1 : 0;
    }
  }

  private span(): number {
    return this.c.lastDay - this.c.firstDay;
  }

  private recencyDays(): number {
    return (this.p.asOf - this.c.lastTs) / DAY_MS;
  }

  /** First matchable segment whose conditions all hold, with r taken as given. */
  private match(r: number): number {
    const p = this.p;
    this.fv[Field.r] = r;
    for (let i = 0; i < p.numSegments; i++) {
      if (p.matchable[i] && this.all(p.segStart[i], p.segLen[i])) return i;
    }
    return p.numSegments;
  }

  private fillFields(): void {
    const c = this.c;
    const fv = this.fv;
    const n = c.purchaseDays > 0 ? c.purchaseDays - 1 : 0;
    const sum = c.orders > 0 ? this.span() : 0;
    fv[Field.f] = this.f;
    fv[Field.m] = this.m;
    fv[Field.aov] = this.aov;
    fv[Field.orders] = c.orders;
    fv[Field.purchaseDays] = c.purchaseDays;
    // gap_cv OP c, without division: n*sum(g^2) - sum(g)^2 OP c^2 * sum(g)^2
    fv[Field.gapCv] = n * c.gapSumSq - sum * sum;
    fv[FV_SPAN_SQ] = sum * sum;
    fv[Field.retention] = c.orders > 0 ? this.retention : NO_SEGMENT;
    fv[Field.spendOverMedian] = c.spend - this.p.medianSpend;
    fv[Field.engagedSinceOrder] = c.engagements > 0 && (c.orders === 0 || c.lastEngaged > c.lastTs) ? 1 : 0;
    fv[Field.engagements] = c.engagements;
    fv[Field.recencyDays] = c.orders > 0 ? this.recencyDays() : Infinity;
    fv[Field.spend] = c.spend;
    fv[Field.pAlive] = c.orders > 0 && c.purchaseDays > 0 ? this.pAlive() : Number.NaN;
  }

  /**
   * MBG/NBD's P(alive) under the plan's fit, as assembly/classify.ts's pAliveOf (and
   * src/predict/bgnbd.ts's pAlive).
   */
  private pAlive(): number {
    const c = this.c;
    const { r, alpha, a, b } = this.p.alive;
    const first = Math.floor(c.firstTs / DAY_MS);
    const tx = (Math.floor(c.lastTs / DAY_MS) - first) / WEEK_DAYS;
    const T = (Math.floor(this.p.asOf / DAY_MS) - first) / WEEK_DAYS;
    const x = c.purchaseDays - 1;
    return 1 / (1 + (a / (b + x + 1 - 1)) * Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + tx))));
  }

  private all(start: number, len: number): boolean {
    for (let j = start; j < start + len; j++) if (!this.test(j)) return false;
    return true;
  }

  private test(i: number): boolean {
    const p = this.p;
    const field = p.condField[i];
    const value = p.condValue[i];
    if (field < 0 || field > Field.pAlive) return false;
    const lhs = this.fv[field];
    const rhs = field === Field.gapCv ? value * value * this.fv[FV_SPAN_SQ] : value;
    switch (p.condOp[i]) {
      case Op.lt:
        return lhs < rhs;
      case Op.le:
        return lhs <= rhs;
      case Op.eq:
        return lhs === rhs;
      case Op.ne:
        return lhs !== rhs;
      case Op.ge:
        return lhs >= rhs;
      case Op.gt:
        return lhs > rhs;
      default:
        return false;
    }
  }
}

/** Classifies every customer under a plan into totals; commit: remember each one's segment. */
export function classifyAll(records: Records, plan: Float64Array, commit: boolean): Float64Array {
  const c = new Classifier(plan);
  const S = c.numSegments;
  const totals = new Totals(S, c.p.numRetention, c.p.numAudiences, moneyBuckets(c.p.subBits));
  for (let s = 0; s < records.numCustomers; s++) {
    const o = records.orders(s);
    if (o === 0 && records.engagements[s] === 0) continue;
    c.run(fieldsOf(records, s));
    if (o > 0) {
      const spend = records.spend(s);
      const prev = records.segment[s] === NO_SEGMENT ? S : records.segment[s];
      totals.addCustomer(c.segment, c.retention, spend, moneyBucket(spend, c.p.subBits), prev);
      if (commit) records.segment[s] = c.segment;
    } else {
      totals.addProspect();
    }
    for (let a = 0; a < c.p.numAudiences; a++) if (c.audience[a]) totals.addAudience(a);
  }
  return totals.out;
}
