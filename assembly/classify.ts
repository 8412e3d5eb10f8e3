// Classification of every customer under the decoded plan (plan.ts): scores, retention
// state, segment and audiences, into the totals (totals.ts). Customers go in blocks whose
// rules rules.ts tests a condition at a time; run() classifies one customer by walking the
// rules, for exports and for plans too large for rules.ts's masks. The plain core's twin:
// src/core/classify.ts.
import {
  BLOCK_R_SEGMENT, BLOCK_SPAN_SQ, CENTS, DAY_MS, DIM_AOV, DIM_F, DIM_M, DIM_R, FIELD_AOV, FIELD_ENGAGED_SINCE_ORDER,
  FIELD_ENGAGEMENTS, FIELD_F, FIELD_GAP_CV, FIELD_M, FIELD_ORDERS, FIELD_P_ALIVE, FIELD_PURCHASE_DAYS,
  FIELD_R, FIELD_RECENCY_DAYS,
  FIELD_RETENTION, FIELD_SPEND, FIELD_SPEND_OVER_MEDIAN, FIELD_VALUES, FV_SPAN_SQ, NO_SEGMENT, OP_EQ, OP_GE, OP_GT,
  OP_LE, OP_LT, OP_NE, WEEK_DAYS, R_FIRST_TS, R_GAP_SUM_SQ, R_LAST_DAY, R_LAST_TS, R_ORDERS, R_PURCHASE_DAYS,
  R_SPEND_CENTS,
} from './abi';
import { dayIndexBucket, moneyBucket, ordersBucket } from './buckets';
import {
  aliveA, aliveAlpha, aliveB, aliveR, asOf, aovScore, audLen, audStart, audience, bits, condField, condOp,
  condValue, decodePlan, fScore, isSketch,
  limitsAt, lostR, lostRetention, lostTarget, mScore, matchable, medianSpend, numAudiences, numRetention,
  numSegments, plan, rScore, score, segLen, segStart, storeGap,
} from './plan';
import {
  KIND_CUSTOMER, KIND_PROSPECT, canUpdate, classChanges, classWord, dueMinute, forEachDue, keepClass, keptAt,
  prepareDue, sizeFor, startKeeping, takeOut,
} from './classes';
import { engagementsOf, lastEngagedOf, numCustomers, ordersOf, rec, spendOf } from './records';
import {
  BLOCK, STRIDE, audienceCount, audienceNeeds, cols, compiled, evaluateBlock, masks, needsEngagement, needsPAlive,
  segs,
} from './rules';
import { addAudience, addCustomer, addProspect, endTotals, startTotals } from './totals';

// the result for the customer last run
export let outR: i32 = 0;
export let outF: i32 = 0;
export let outM: i32 = 0;
export let outAov: i32 = 0;
export let outRetention: i32 = 0;
export let outSegment: i32 = 0;
/** The spend bucket of the customer last run, for the totals. */
let outSpendBucket: i32 = 0;

/** The fields of the customer being run, for the per-customer rule walk (test, match, all). */
const fv = new StaticArray<f64>(FIELD_VALUES);

// @ts-ignore: decorator
@inline
function test(c: i32): bool {
  const field = unchecked(condField[c]);
  const value = unchecked(condValue[c]);
  if (<u32>field > <u32>FIELD_P_ALIVE) return false;
  const lhs = unchecked(fv[field]);
  const rhs = field == FIELD_GAP_CV ? value * value * unchecked(fv[FV_SPAN_SQ]) : value;
  switch (unchecked(condOp[c])) {
    case OP_LT: return lhs < rhs;
    case OP_LE: return lhs <= rhs;
    case OP_EQ: return lhs == rhs;
    case OP_NE: return lhs != rhs;
    case OP_GE: return lhs >= rhs;
    case OP_GT: return lhs > rhs;
    default: return false;
  }
}

// @ts-ignore: decorator
@inline
function all(start: i32, len: i32): bool {
  for (let j = 0; j < len; j++) if (!test(start + j)) return false;
  return true;
}

function match(r: f64): i32 {
  unchecked((fv[FIELD_R] = r));
  for (let i = 0; i < numSegments; i++) {
    if (unchecked(matchable[i]) != 0 && all(unchecked(segStart[i]), unchecked(segLen[i]))) return i;
  }
  return numSegments;
}

/**
 * Classifies one customer, with the per-customer rule walk; results in outR..outSegment and
 * audience[]. For exports, and for plans of more conditions than rules.ts's masks hold. The
 * fields come from fieldsInto, as the block classification's do (row 0 of the block).
 */
export function run(s: i32): void {
  fieldsInto(0, s);
  for (let field = 0; field <= FIELD_P_ALIVE; field++) unchecked((fv[field] = got(field, 0)));
  unchecked((fv[FV_SPAN_SQ] = got(BLOCK_SPAN_SQ, 0)));
  outR = <i32>got(FIELD_R, 0);
  outF = <i32>got(FIELD_F, 0);
  outM = <i32>got(FIELD_M, 0);
  outAov = <i32>got(FIELD_AOV, 0);
  outRetention = unchecked(blockRetention[0]);
  outSpendBucket = unchecked(blockSpendBucket[0]);
  if (got(FIELD_ORDERS, 0) > 0) {
    outSegment = lostOr(match(outRetention == lostRetention ? lostR : <f64>outR), outRetention);
  } else {
    outSegment = NO_SEGMENT;
  }
  unchecked((fv[FIELD_R] = <f64>outR));
  for (let a = 0; a < numAudiences; a++) {
    unchecked((audience[a] = all(unchecked(audStart[a]), unchecked(audLen[a])) ? 1 : 0));
  }
}

/** Whether the classification under way keeps every customer's class (classes.ts). */
let keeping = false;
/** Whether it commits (sets each customer's segment for the next migration). */
let committing = false;

/**
 * Starts classifying under the plan written by planBuffer: returns the number of customers
 * for classifyRange, or -1 when the kept classes were brought up to date instead (classes.ts:
 * the same plan, few changed). The totals are ready once classifyEnd is called. Per snapshot.
 */
export function classifyBegin(commit: bool): i32 {
  decodePlan();
  committing = commit;
  const allowed = compiled && !needsPAlive;
  const update = allowed && canUpdate(plan, asOf, commit, numCustomers);
  if (!update) startTotals();
  keeping = update || startKeeping(allowed, numCustomers);
  if (keeping) prepareDue(plan, limitsAt, numRetention - 1, condField, condValue);
  if (!update) return numCustomers;
  updateClasses();
  return -1;
}

/** The totals of every customer classified since classifyBegin; returns their length. */
export function classifyEnd(): i32 {
  const len = endTotals();
  if (keeping) keptAt(plan, asOf, bits, audienceNeeds(), committing, numCustomers);
  keeping = false;
  return len;
}

/** Classifies customers [from, to) into the counts (a part of a snapshot, see classifyBegin). */
export function classifyRange(from: i32, to: i32, commit: bool): void {
  if (!compiled) {
    classifyEach(from, to, commit);
    return;
  }
  let n = 0;
  for (let s = from; s < to; s++) {
    if (ordersOf(s) == 0 && engagementsOf(s) == 0) {
      if (keeping) keepClass(s, 0, 0, i32.MAX_VALUE);
      continue;
    }
    fieldsInto(n, s);
    if (++n == BLOCK) {
      totalBlock(n, commit);
      n = 0;
    }
  }
  if (n > 0) totalBlock(n, commit);
}

// The update of the kept classes: the changed customers (taken out of the totals on their
// first change), the new ones, then those whose due minute has come (taken out here).
let pending: i32 = 0;

function updateClasses(): void {
  const n = numCustomers;
  sizeFor(n);
  pending = 0;
  classChanges.replay(n, classifyChanged);
  flushPending();
  // the changed ones' due minutes are current now: one that has come again is taken out and
  // put back in like any other
  forEachDue(n, asOf, classifyDue);
  flushPending();
}

function classifyChanged(s: i32): void {
  if (ordersOf(s) == 0 && engagementsOf(s) == 0) {
    keepClass(s, 0, 0, i32.MAX_VALUE);
    return;
  }
  fieldsInto(pending, s);
  if (++pending == BLOCK) flushPending();
}

function classifyDue(s: i32): void {
  takeOut(s, rec(s));
  classifyChanged(s);
}

function flushPending(): void {
  if (pending > 0) totalBlock(pending, committing);
  pending = 0;
}

// The block's customers: their slot and what the totals need besides the columns.
const blockSlot = new StaticArray<i32>(BLOCK);
const blockRetention = new StaticArray<i32>(BLOCK);
const blockSpendBucket = new StaticArray<i32>(BLOCK);
/** The due minute of each (classes.ts), when the classes are kept. */
const blockDue = new StaticArray<i32>(BLOCK);

/** Block row i's value of column col. */
// @ts-ignore: decorator
@inline
function got(col: i32, i: i32): f64 {
  return load<f64>(changetype<usize>(cols) + colAt(col) + (<usize>i << 3));
}

/**
 * Customer s's scores, retention and rule fields into block row i (see STRIDE). Locals
 * throughout, and the column stores at constant offsets from the row's address: helpers
 * through globals cost ~2 ns a customer (bench/NOTES.md, section 33).
 */
function fieldsInto(i: i32, s: i32): void {
  const p = rec(s);
  const o = load<u32>(p, R_ORDERS);
  const pd = load<u32>(p, R_PURCHASE_DAYS);
  const sp = load<f64>(p, R_SPEND_CENTS) / CENTS;
  const lastTs = load<f64>(p, R_LAST_TS);
  const spanDays = <f64>load<i32>(p, R_LAST_DAY) - Math.floor(load<f64>(p, R_FIRST_TS) / DAY_MS);
  unchecked((blockSlot[i] = s));
  let r = 0;
  let f = 0;
  let m = 0;
  let aov = 0;
  let ret: i32 = NO_SEGMENT;
  let recency: f64 = Infinity;
  if (o > 0) {
    const aovValue = sp / <f64>o;
    let spendBucket: i32;
    if (isSketch) {
      r = unchecked(rScore[dayIndexBucket(load<i32>(p, R_LAST_DAY))]);
      f = unchecked(fScore[ordersBucket(<i32>o)]);
      spendBucket = moneyBucket(sp, bits);
      m = unchecked(mScore[spendBucket]);
      aov = unchecked(aovScore[moneyBucket(aovValue, bits)]);
    } else {
      r = score(lastTs, DIM_R);
      f = score(<f64>o, DIM_F);
      m = score(sp, DIM_M);
      spendBucket = moneyBucket(sp, bits);
      aov = score(aovValue, DIM_AOV);
    }
    const gapN = pd - 1;
    const gap = gapN > 0 ? spanDays / <f64>gapN : storeGap;
    recency = (asOf - lastTs) / DAY_MS;
    const ratio = recency / gap;
    // the first limit the ratio is within, else the last state: with limits that never
    // decrease (the model checks) that is how many it is not within, counted without a
    // branch on each (NaN is within none, as in the walk)
    ret = 0;
    for (let k = 0; k < numRetention - 1; k++) ret += i32(!(ratio <= unchecked(plan[limitsAt + k])));
    unchecked((blockSpendBucket[i] = spendBucket));
    if (keeping) unchecked((blockDue[i] = dueMinute(lastTs, gap, asOf)));
  } else if (keeping) {
    unchecked((blockDue[i] = i32.MAX_VALUE));
  }
  unchecked((blockRetention[i] = ret));
  const n: f64 = pd > 0 ? <f64>(pd - 1) : 0;
  const sum: f64 = o > 0 ? spanDays : 0;
  const row = changetype<usize>(cols) + (<usize>i << 3);
  store<f64>(row + colAt(FIELD_R), <f64>r);
  store<f64>(row + colAt(BLOCK_R_SEGMENT), o > 0 && ret == lostRetention ? lostR : <f64>r);
  store<f64>(row + colAt(FIELD_F), <f64>f);
  store<f64>(row + colAt(FIELD_M), <f64>m);
  store<f64>(row + colAt(FIELD_AOV), <f64>aov);
  store<f64>(row + colAt(FIELD_ORDERS), <f64>o);
  store<f64>(row + colAt(FIELD_PURCHASE_DAYS), <f64>pd);
  // gap_cv OP c, without division: n*sum(g^2) - sum(g)^2 OP c^2 * sum(g)^2
  store<f64>(row + colAt(FIELD_GAP_CV), n * load<f64>(p, R_GAP_SUM_SQ) - sum * sum);
  store<f64>(row + colAt(BLOCK_SPAN_SQ), sum * sum);
  store<f64>(row + colAt(FIELD_RETENTION), <f64>ret);
  store<f64>(row + colAt(FIELD_SPEND_OVER_MEDIAN), sp - medianSpend);
  store<f64>(row + colAt(FIELD_RECENCY_DAYS), recency);
  store<f64>(row + colAt(FIELD_SPEND), sp);
  if (needsPAlive) store<f64>(row + colAt(FIELD_P_ALIVE), o > 0 && pd > 0 ? pAliveOf(p, pd) : NaN);
  if (needsEngagement) {
    // engaged after the last order (or engaged without one)
    const e = engagementsOf(s);
    store<f64>(row + colAt(FIELD_ENGAGEMENTS), <f64>e);
    store<f64>(row + colAt(FIELD_ENGAGED_SINCE_ORDER), e > 0 && (o == 0 || lastEngagedOf(s) > lastTs) ? 1 : 0);
  }
}

/**
 * MBG/NBD's P(alive) of the customer at record p (pd purchase days) under the plan's fit, in
 * weeks from whole UTC days, as src/predict/bgnbd.ts's pAlive computes it: the customer
 * list's p_alive_mbgnbd. The plain core's twin: pAliveOf in src/core/classify.ts.
 */
function pAliveOf(p: usize, pd: u32): f64 {
  const first = Math.floor(load<f64>(p, R_FIRST_TS) / DAY_MS);
  const tx = (Math.floor(load<f64>(p, R_LAST_TS) / DAY_MS) - first) / WEEK_DAYS;
  const T = (Math.floor(asOf / DAY_MS) - first) / WEEK_DAYS;
  const x = <f64>(pd - 1);
  // b + x + 1 - 1: pAlive's MBG/NBD shift, the same operations to the last bit
  const logRatio = Math.log(aliveAlpha + T) - Math.log(aliveAlpha + tx);
  const odds = (aliveA / (aliveB + x + 1 - 1)) * Math.exp((aliveR + x) * logRatio);
  return 1 / (1 + odds);
}

/** Byte offset of column col's row 0 in the block (see STRIDE). */
// @ts-ignore: decorator
@inline
function colAt(col: i32): usize {
  return (<usize>col * <usize>STRIDE) << 3;
}

/**
 * The segment of a customer whose rules matched segment seg (numSegments: none) in retention
 * state ret: a lost customer moves to the lost segment of seg's group, if it has one
 * (lostTarget has a -1 for none, numSegments included).
 */
// @ts-ignore: decorator
@inline
function lostOr(seg: i32, ret: i32): i32 {
  const target = unchecked(lostTarget[seg]);
  return select(target, seg, ret == lostRetention && target >= 0);
}

/** Rules over the block, then its customers into the counts. */
function totalBlock(n: i32, commit: bool): void {
  evaluateBlock(n);
  for (let i = 0; i < n; i++) {
    const s = unchecked(blockSlot[i]);
    if (got(FIELD_ORDERS, i) == 0) {
      addProspect();
      if (keeping) keepClass(s, classWord(KIND_PROSPECT, 0, 0, 0), unchecked(masks[i]), i32.MAX_VALUE);
      continue;
    }
    const ret = unchecked(blockRetention[i]);
    const seg = lostOr(unchecked(segs[i]), ret);
    const prev = addCustomer(s, seg, ret, got(FIELD_SPEND, i), unchecked(blockSpendBucket[i]), commit);
    if (keeping)
      keepClass(s, classWord(KIND_CUSTOMER, seg, ret, commit ? seg : prev), unchecked(masks[i]), unchecked(blockDue[i]));
  }
  for (let a = 0; a < numAudiences; a++) addAudience(a, audienceCount(a, n));
}

/** classifyRange one customer at a time (run): plans too large for the masks of rules.ts. */
function classifyEach(from: i32, to: i32, commit: bool): void {
  for (let s = from; s < to; s++) {
    const o = ordersOf(s);
    if (o == 0 && engagementsOf(s) == 0) continue;
    run(s);
    if (o > 0) addCustomer(s, outSegment, outRetention, spendOf(s), outSpendBucket, commit);
    else addProspect();
    for (let a = 0; a < numAudiences; a++) addAudience(a, <i32>unchecked(audience[a]));
  }
}
