// Classification of every customer under a plan (layout: src/core/plan.ts), the same
// decisions as the Classifier in src/core/core-kernel.ts.
import { DAY_BUCKETS, DAY_MS, ORDERS_BUCKETS, dayIndexBucket, moneyBucket, moneyBuckets, ordersBucket } from './buckets';
import { NO_SEGMENT, engagementsOf, lastEngagedOf, numCustomers, ordersOf, rec, segmentOf, setSegment, spendOf } from './state';
import { R_FIRST_DAY, R_GAP_SUM_SQ, R_LAST_DAY, R_LAST_TS, R_ORDERS, R_PURCHASE_DAYS, R_SPEND } from './layout';
import {
  BLOCK, COL_R_SEGMENT, COL_SPAN_SQ, FIELD_AOV, FIELD_ENGAGED_SINCE_ORDER, FIELD_ENGAGEMENTS, FIELD_F, FIELD_GAP_CV, FIELD_M,
  FIELD_ORDERS, FIELD_PURCHASE_DAYS, FIELD_R, FIELD_RECENCY_DAYS, FIELD_RETENTION, FIELD_SPEND, FIELD_SPEND_OVER_MEDIAN, STRIDE,
  audienceCount, cols, compileRules, compiled, evaluateBlock, needsEngagement, segs,
} from './rules';

let plan = new StaticArray<f64>(0);
let asOf: f64 = 0;
let isSketch = false;
let bits: i32 = 7;
let cutsAt: i32 = 3;
let medianSpend: f64 = 0;
let storeGap: f64 = 30;
export let numRetention: i32 = 0;
let limitsAt: i32 = 0;
let lostRetention: i32 = -1;
let lostR: f64 = 5;
export let numSegments: i32 = 0;
export let numAudiences: i32 = 0;
let lostTarget = new StaticArray<i32>(0);
let matchable = new StaticArray<u8>(0);
let segStart = new StaticArray<i32>(0);
let segLen = new StaticArray<i32>(0);
let audStart = new StaticArray<i32>(0);
let audLen = new StaticArray<i32>(0);
export let audience = new StaticArray<u8>(0);

// the result for the customer last run
export let outR: i32 = 0;
export let outF: i32 = 0;
export let outM: i32 = 0;
export let outAov: i32 = 0;
export let outRetention: i32 = 0;
export let outSegment: i32 = 0;
/** The spend bucket of the customer last run, for the totals. */
let outSpendBucket: i32 = 0;

export function planBuffer(len: i32): usize {
  plan = new StaticArray<f64>(len);
  return changetype<usize>(plan);
}

/**
 * Sketch mode: the score of every bucket, made once per plan, so a customer's four scores
 * are four loads instead of sixteen comparisons (a bucket's score depends on the cuts only).
 */
let rScore = new StaticArray<u8>(0);
let fScore = new StaticArray<u8>(0);
let mScore = new StaticArray<u8>(0);
let aovScore = new StaticArray<u8>(0);

function scoreTable(table: StaticArray<u8>, len: i32, dim: i32): StaticArray<u8> {
  const t = table.length == len ? table : new StaticArray<u8>(len);
  for (let b = 0; b < len; b++) unchecked((t[b] = <u8>score(<f64>b, dim)));
  return t;
}

export function decodePlan(): void {
  asOf = unchecked(plan[0]);
  isSketch = unchecked(plan[1]) == 1;
  bits = <i32>unchecked(plan[2]);
  cutsAt = 3;
  if (isSketch) {
    rScore = scoreTable(rScore, DAY_BUCKETS, 0);
    fScore = scoreTable(fScore, ORDERS_BUCKETS, 1);
    mScore = scoreTable(mScore, moneyBuckets(bits), 2);
    aovScore = scoreTable(aovScore, moneyBuckets(bits), 3);
  }
  medianSpend = unchecked(plan[19]);
  storeGap = unchecked(plan[20]);
  numRetention = <i32>unchecked(plan[21]);
  let at = 22;
  limitsAt = at;
  at += numRetention - 1;
  lostRetention = <i32>unchecked(plan[at++]);
  lostR = unchecked(plan[at++]);
  numSegments = <i32>unchecked(plan[at++]);
  // conditions of segments and audiences, numbered in plan order
  let numConds = 0;
  condField = new StaticArray<i32>(<i32>plan.length / 3);
  condOp = new StaticArray<i32>(<i32>plan.length / 3);
  condValue = new StaticArray<f64>(<i32>plan.length / 3);
  lostTarget = new StaticArray<i32>(numSegments + 1);
  unchecked((lostTarget[numSegments] = -1));
  matchable = new StaticArray<u8>(numSegments);
  segStart = new StaticArray<i32>(numSegments);
  segLen = new StaticArray<i32>(numSegments);
  for (let i = 0; i < numSegments; i++) {
    unchecked((lostTarget[i] = <i32>plan[at++]));
    unchecked((matchable[i] = <u8>plan[at++]));
    const len = <i32>unchecked(plan[at++]);
    unchecked((segLen[i] = len));
    unchecked((segStart[i] = numConds));
    for (let j = 0; j < len; j++, numConds++, at += 3) decodeCondition(numConds, at);
  }
  numAudiences = <i32>unchecked(plan[at++]);
  audStart = new StaticArray<i32>(numAudiences);
  audLen = new StaticArray<i32>(numAudiences);
  audience = new StaticArray<u8>(numAudiences);
  for (let i = 0; i < numAudiences; i++) {
    const len = <i32>unchecked(plan[at++]);
    unchecked((audLen[i] = len));
    unchecked((audStart[i] = numConds));
    for (let j = 0; j < len; j++, numConds++, at += 3) decodeCondition(numConds, at);
  }
  compileRules(condField, condOp, condValue, segStart, segLen, matchable, audStart, audLen);
}

function decodeCondition(c: i32, at: i32): void {
  unchecked((condField[c] = <i32>plan[at]));
  unchecked((condOp[c] = <i32>plan[at + 1]));
  unchecked((condValue[c] = plan[at + 2]));
}

// @ts-ignore: decorator
@inline
function score(v: f64, dim: i32): i32 {
  const base = cutsAt + dim * 4;
  let sc = 1;
  for (let k = 0; k < 4; k++) if (v >= unchecked(plan[base + k])) sc++;
  return sc;
}

/** The fields of the customer being run, for the per-customer rule walk (test, match, all). */
const fv = new StaticArray<f64>(14);
/** fv slot of sum(gap)^2 (the gap_cv comparison's right side is value^2 times it). */
const FV_SPAN_SQ = 13;

/** Condition i: field condField[i], op condOp[i], value condValue[i] (decoded once per plan). */
let condField = new StaticArray<i32>(0);
let condOp = new StaticArray<i32>(0);
let condValue = new StaticArray<f64>(0);

// @ts-ignore: decorator
@inline
function test(c: i32): bool {
  const field = unchecked(condField[c]);
  const value = unchecked(condValue[c]);
  if (<u32>field > <u32>FIELD_SPEND) return false;
  const lhs = unchecked(fv[field]);
  const rhs = field == FIELD_GAP_CV ? value * value * unchecked(fv[FV_SPAN_SQ]) : value;
  switch (unchecked(condOp[c])) {
    case 0: return lhs < rhs;
    case 1: return lhs <= rhs;
    case 2: return lhs == rhs;
    case 3: return lhs != rhs;
    case 4: return lhs >= rhs;
    case 5: return lhs > rhs;
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
  for (let field = 0; field <= FIELD_SPEND; field++) unchecked((fv[field] = got(field, 0)));
  unchecked((fv[FV_SPAN_SQ] = got(COL_SPAN_SQ, 0)));
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

export let totals = new StaticArray<f64>(0);

/**
 * Starts classifying under the plan written by planBuffer; returns the number of customers
 * for classifyRange. Totals (layout: totalsLayout in src/core/plan.ts) once classifyEnd is
 * called. Per snapshot.
 */
export function classifyBegin(): i32 {
  decodePlan();
  const S = numSegments;
  segAt = 3;
  retAt = segAt + 2 * S;
  audAt = retAt + 2 * numRetention;
  migAt = audAt + numAudiences;
  centsAt = migAt + (S + 1) * (S + 1);
  totalsLen = centsAt + moneyBuckets(bits);
  totals = new StaticArray<f64>(totalsLen);
  startCounts(S, moneyBuckets(bits));
  return numCustomers;
}

/** The totals of every customer classified since classifyBegin; returns their length. */
export function classifyEnd(): i32 {
  countsIntoTotals();
  return totalsLen;
}

let totalsLen: i32 = 0;

// The totals are counted in integers while customers are classified (counts i32, cents
// i64) and go into `totals` once at the end. Adding to a float in memory for every customer
// made each total a chain of 4-cycle adds through store forwarding; the sums are the same
// (whole cents, exact in a double below 2^53).
let prospects: i32 = 0;
/** Customers with an order by segment; the last, numSegments, is none. */
let segCount = new StaticArray<i32>(0);
let segCents = new StaticArray<i64>(0);
let retCount = new StaticArray<i32>(0);
let retCents = new StaticArray<i64>(0);
/** migCount[prev * (S + 1) + seg], prev S: none before. */
let migCount = new StaticArray<i32>(0);
let bucketCents = new StaticArray<i64>(0);
let audCount = new StaticArray<i32>(0);

function startCounts(S: i32, buckets: i32): void {
  prospects = 0;
  segCount = new StaticArray<i32>(S + 1);
  segCents = new StaticArray<i64>(S + 1);
  retCount = new StaticArray<i32>(numRetention);
  retCents = new StaticArray<i64>(numRetention);
  migCount = new StaticArray<i32>((S + 1) * (S + 1));
  bucketCents = new StaticArray<i64>(buckets);
  audCount = new StaticArray<i32>(numAudiences);
}

function countsIntoTotals(): void {
  const S = numSegments;
  let customers: i32 = 0;
  for (let k = 0; k <= S; k++) customers += unchecked(segCount[k]);
  unchecked((totals[0] = <f64>customers));
  unchecked((totals[1] = <f64>unchecked(segCount[S])));
  unchecked((totals[2] = <f64>prospects));
  for (let k = 0; k < S; k++) {
    unchecked((totals[segAt + 2 * k] = <f64>unchecked(segCount[k])));
    unchecked((totals[segAt + 2 * k + 1] = <f64>unchecked(segCents[k])));
  }
  for (let k = 0; k < numRetention; k++) {
    unchecked((totals[retAt + 2 * k] = <f64>unchecked(retCount[k])));
    unchecked((totals[retAt + 2 * k + 1] = <f64>unchecked(retCents[k])));
  }
  for (let a = 0; a < numAudiences; a++) unchecked((totals[audAt + a] = <f64>unchecked(audCount[a])));
  for (let c = 0; c < (S + 1) * (S + 1); c++) unchecked((totals[migAt + c] = <f64>unchecked(migCount[c])));
  for (let b = 0; b < bucketCents.length; b++) unchecked((totals[centsAt + b] = <f64>unchecked(bucketCents[b])));
}

let segAt: i32 = 0;
let retAt: i32 = 0;
let audAt: i32 = 0;
let migAt: i32 = 0;
let centsAt: i32 = 0;

/** Classifies customers [from, to) into the counts (a part of a snapshot, see classifyBegin). */
export function classifyRange(from: i32, to: i32, commit: bool): void {
  if (!compiled) {
    classifyEach(from, to, commit);
    return;
  }
  let n = 0;
  for (let s = from; s < to; s++) {
    if (ordersOf(s) == 0 && engagementsOf(s) == 0) continue;
    fieldsInto(n, s);
    if (++n == BLOCK) {
      totalBlock(n, commit);
      n = 0;
    }
  }
  if (n > 0) totalBlock(n, commit);
}

// The block's customers: their slot and what the totals need besides the columns.
const blockSlot = new StaticArray<i32>(BLOCK);
const blockRetention = new StaticArray<i32>(BLOCK);
const blockSpendBucket = new StaticArray<i32>(BLOCK);

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
  const sp = load<f64>(p, R_SPEND);
  const lastTs = load<f64>(p, R_LAST_TS);
  const spanDays = <f64>(load<i32>(p, R_LAST_DAY) - load<i32>(p, R_FIRST_DAY));
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
      r = score(lastTs, 0);
      f = score(<f64>o, 1);
      m = score(sp, 2);
      spendBucket = moneyBucket(sp, bits);
      aov = score(aovValue, 3);
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
  }
  unchecked((blockRetention[i] = ret));
  const n: f64 = pd > 0 ? <f64>(pd - 1) : 0;
  const sum: f64 = o > 0 ? spanDays : 0;
  const row = changetype<usize>(cols) + (<usize>i << 3);
  store<f64>(row + colAt(FIELD_R), <f64>r);
  store<f64>(row + colAt(COL_R_SEGMENT), o > 0 && ret == lostRetention ? lostR : <f64>r);
  store<f64>(row + colAt(FIELD_F), <f64>f);
  store<f64>(row + colAt(FIELD_M), <f64>m);
  store<f64>(row + colAt(FIELD_AOV), <f64>aov);
  store<f64>(row + colAt(FIELD_ORDERS), <f64>o);
  store<f64>(row + colAt(FIELD_PURCHASE_DAYS), <f64>pd);
  store<f64>(row + colAt(FIELD_GAP_CV), n * load<f64>(p, R_GAP_SUM_SQ) - sum * sum);
  store<f64>(row + colAt(COL_SPAN_SQ), sum * sum);
  store<f64>(row + colAt(FIELD_RETENTION), <f64>ret);
  store<f64>(row + colAt(FIELD_SPEND_OVER_MEDIAN), sp - medianSpend);
  store<f64>(row + colAt(FIELD_RECENCY_DAYS), recency);
  store<f64>(row + colAt(FIELD_SPEND), sp);
  if (needsEngagement) {
    // engaged after the last order (or engaged without one)
    const e = engagementsOf(s);
    store<f64>(row + colAt(FIELD_ENGAGEMENTS), <f64>e);
    store<f64>(row + colAt(FIELD_ENGAGED_SINCE_ORDER), e > 0 && (o == 0 || lastEngagedOf(s) > lastTs) ? 1 : 0);
  }
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

/** A customer with orders into the counts: in segment seg (numSegments: none), retention state ret. */
// @ts-ignore: decorator
@inline
function addCustomer(s: i32, seg: i32, ret: i32, spend: f64, spendBucket: i32, commit: bool): void {
  const cents = <i64>Math.round(spend * 100);
  unchecked((segCount[seg] += 1));
  unchecked((segCents[seg] += cents));
  unchecked((retCount[ret] += 1));
  unchecked((retCents[ret] += cents));
  const p = segmentOf(s);
  const prev: i32 = p == NO_SEGMENT ? numSegments : <i32>p;
  unchecked((migCount[prev * (numSegments + 1) + seg] += 1));
  unchecked((bucketCents[spendBucket] += cents));
  if (commit) setSegment(s, <u8>seg);
}

/** Rules over the block, then its customers into the counts. */
function totalBlock(n: i32, commit: bool): void {
  evaluateBlock(n);
  for (let i = 0; i < n; i++) {
    const s = unchecked(blockSlot[i]);
    if (got(FIELD_ORDERS, i) == 0) {
      prospects++;
      continue;
    }
    const ret = unchecked(blockRetention[i]);
    addCustomer(s, lostOr(unchecked(segs[i]), ret), ret, got(FIELD_SPEND, i), unchecked(blockSpendBucket[i]), commit);
  }
  for (let a = 0; a < numAudiences; a++) unchecked((audCount[a] += audienceCount(a, n)));
}

/** classifyRange one customer at a time (run): plans too large for the masks of rules.ts. */
function classifyEach(from: i32, to: i32, commit: bool): void {
  for (let s = from; s < to; s++) {
    const o = ordersOf(s);
    if (o == 0 && engagementsOf(s) == 0) continue;
    run(s);
    if (o > 0) addCustomer(s, outSegment, outRetention, spendOf(s), outSpendBucket, commit);
    else prospects++;
    for (let a = 0; a < numAudiences; a++) unchecked((audCount[a] += <i32>unchecked(audience[a])));
  }
}
