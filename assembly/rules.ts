// The model's rules tested a block of customers at a time: each distinct condition is one
// loop over the block's column of its field, setting its bit in every customer's mask, and
// a rule holds where the mask has all of its conditions' bits. Testing per customer walks
// the rules with data-dependent branches and an interpreter's loads (~41 ns a customer,
// bench/NOTES.md section 19); here the interpreting is per block and the loops have no
// branch but their own. The same decisions as test() and match() in classify.ts, which
// still classify one customer at a time: for exports, and for plans of more than 31
// distinct conditions (bit 31 marks a rule with a condition on no known field).
import {
  BLOCK_COLUMNS, BLOCK_R_SEGMENT, BLOCK_SPAN_SQ, FIELD_ENGAGED_SINCE_ORDER, FIELD_ENGAGEMENTS, FIELD_GAP_CV,
  FIELD_P_ALIVE, FIELD_R,
  OP_EQ, OP_GE, OP_GT, OP_LE, OP_LT, OP_NE,
} from './abi';

export const BLOCK: i32 = 1024;
/**
 * Column c starts at c * STRIDE values: a line more than the block, so the columns' rows i
 * fall in different cache sets (8 KiB apart, all fifteen would share one set of the L1 and
 * evict each other: 19 ns a customer for the stores alone, measured).
 */
export const STRIDE: i32 = BLOCK + 8;
const MAX_CONDS: i32 = 32;

/** The block's field values, column c at c * STRIDE. */
export const cols = new StaticArray<f64>(BLOCK_COLUMNS * STRIDE);
/** Bit c set where distinct condition c holds. */
export const masks = new StaticArray<u32>(BLOCK);
/** The first matching segment (numSegments when none), by the segment R column. */
export const segs = new StaticArray<i32>(BLOCK);

let numConds: i32 = 0;
const condCol = new StaticArray<i32>(MAX_CONDS);
const condOp = new StaticArray<i32>(MAX_CONDS);
const condValue = new StaticArray<f64>(MAX_CONDS);
let segNeed = new StaticArray<u32>(0);
let segLive = new StaticArray<u8>(0);
let audNeed = new StaticArray<u32>(0);
/** A bit no customer has: the need of a rule with a condition on no known field. */
const NEVER: u32 = 0x80000000;

/** False when the plan has too many distinct conditions for a mask (then: per customer). */
export let compiled = false;
/** Whether a condition of the plan reads the engagement fields (in the cold record: read only then). */
export let needsEngagement = false;
/** Whether a condition of the plan reads p_alive (a pow a customer: computed only then). */
export let needsPAlive = false;

function condBit(col: i32, op: i32, value: f64): u32 {
  if (col < 0) return NEVER;
  for (let c = 0; c < numConds; c++) {
    // the same value bit for bit (a NaN value would otherwise never find itself)
    const same = reinterpret<u64>(unchecked(condValue[c])) == reinterpret<u64>(value);
    if (unchecked(condCol[c]) == col && unchecked(condOp[c]) == op && same) {
      return 1 << c;
    }
  }
  if (numConds == MAX_CONDS - 1) {
    compiled = false;
    return 0;
  }
  unchecked((condCol[numConds] = col));
  unchecked((condOp[numConds] = op));
  unchecked((condValue[numConds] = value));
  return 1 << numConds++;
}

/** The column a condition on `field` reads: segments see the R of their run (lost re-run). */
function colOf(field: i32, inSegment: bool): i32 {
  if (<u32>field > <u32>FIELD_P_ALIVE) return -1;
  return field == FIELD_R && inSegment ? BLOCK_R_SEGMENT : field;
}

/**
 * Compiles the decoded plan's conditions (as classify.ts holds them) into masks. Per plan.
 */
export function compileRules(
  field: StaticArray<i32>, op: StaticArray<i32>, value: StaticArray<f64>,
  segStart: StaticArray<i32>, segLen: StaticArray<i32>, matchable: StaticArray<u8>,
  audStart: StaticArray<i32>, audLen: StaticArray<i32>,
): void {
  numConds = 0;
  compiled = true;
  needsEngagement = false;
  needsPAlive = false;
  for (let c = 0; c < field.length; c++) {
    const f = unchecked(field[c]);
    if (f == FIELD_ENGAGED_SINCE_ORDER || f == FIELD_ENGAGEMENTS) needsEngagement = true;
    if (f == FIELD_P_ALIVE) needsPAlive = true;
  }
  const S = segStart.length;
  const A = audStart.length;
  segNeed = new StaticArray<u32>(S);
  segLive = new StaticArray<u8>(S);
  audNeed = new StaticArray<u32>(A);
  for (let k = 0; k < S; k++) {
    let need: u32 = 0;
    const start = unchecked(segStart[k]);
    for (let j = 0; j < unchecked(segLen[k]); j++) {
      const c = start + j;
      need |= condBit(colOf(unchecked(field[c]), true), unchecked(op[c]), unchecked(value[c]));
    }
    unchecked((segNeed[k] = need));
    unchecked((segLive[k] = matchable[k]));
  }
  for (let a = 0; a < A; a++) {
    let need: u32 = 0;
    const start = unchecked(audStart[a]);
    for (let j = 0; j < unchecked(audLen[a]); j++) {
      const c = start + j;
      need |= condBit(colOf(unchecked(field[c]), false), unchecked(op[c]), unchecked(value[c]));
    }
    unchecked((audNeed[a] = need));
  }
}

// @ts-ignore: decorator
@inline
function colPtr(c: i32): usize {
  return changetype<usize>(cols) + ((<usize>c * <usize>STRIDE) << 3);
}

// @ts-ignore: decorator
@inline
function holds(op: i32, a: v128, b: v128): v128 {
  if (op == OP_LT) return f64x2.lt(a, b);
  if (op == OP_LE) return f64x2.le(a, b);
  if (op == OP_EQ) return f64x2.eq(a, b);
  if (op == OP_NE) return f64x2.ne(a, b);
  return op == OP_GE ? f64x2.ge(a, b) : f64x2.gt(a, b);
}

/** Four customers' outcomes (two f64x2 compares) as four 32-bit lanes, all ones where true. */
// @ts-ignore: decorator
@inline
function four(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(lo, hi, 0, 2, 4, 6);
}

/** One condition over the block, four customers a step; op is a constant where inlined. */
// @ts-ignore: decorator
@inline
function testLoop(op: i32, col: usize, value: f64, bit: u32, n: i32): void {
  const m = changetype<usize>(masks);
  const x = f64x2.splat(value);
  const b = i32x4.splat(bit);
  for (let i = 0; i < n; i += 4) {
    const v = col + (<usize>i << 3);
    const t = four(holds(op, v128.load(v), x), holds(op, v128.load(v, 16), x));
    const p = m + (<usize>i << 2);
    v128.store(p, v128.or(v128.load(p), v128.and(t, b)));
  }
}

/** gap_cv: n*sum(g^2) - sum(g)^2 OP value^2 * sum(g)^2 (see fieldsInto in classify.ts). */
// @ts-ignore: decorator
@inline
function gapLoop(op: i32, col: usize, scale: usize, value: f64, bit: u32, n: i32): void {
  const m = changetype<usize>(masks);
  const vv = f64x2.splat(value * value);
  const b = i32x4.splat(bit);
  for (let i = 0; i < n; i += 4) {
    const v = col + (<usize>i << 3);
    const w = scale + (<usize>i << 3);
    const lo = holds(op, v128.load(v), f64x2.mul(vv, v128.load(w)));
    const hi = holds(op, v128.load(v, 16), f64x2.mul(vv, v128.load(w, 16)));
    const p = m + (<usize>i << 2);
    v128.store(p, v128.or(v128.load(p), v128.and(four(lo, hi), b)));
  }
}

function testCondition(c: i32, n: i32): void {
  const col = unchecked(condCol[c]);
  const op = unchecked(condOp[c]);
  const value = unchecked(condValue[c]);
  const bit: u32 = 1 << c;
  const p = colPtr(col);
  if (col == FIELD_GAP_CV) {
    const scale = colPtr(BLOCK_SPAN_SQ);
    switch (op) {
      case OP_LT: gapLoop(OP_LT, p, scale, value, bit, n); break;
      case OP_LE: gapLoop(OP_LE, p, scale, value, bit, n); break;
      case OP_EQ: gapLoop(OP_EQ, p, scale, value, bit, n); break;
      case OP_NE: gapLoop(OP_NE, p, scale, value, bit, n); break;
      case OP_GE: gapLoop(OP_GE, p, scale, value, bit, n); break;
      case OP_GT: gapLoop(OP_GT, p, scale, value, bit, n); break;
    }
    return;
  }
  switch (op) {
    case OP_LT: testLoop(OP_LT, p, value, bit, n); break;
    case OP_LE: testLoop(OP_LE, p, value, bit, n); break;
    case OP_EQ: testLoop(OP_EQ, p, value, bit, n); break;
    case OP_NE: testLoop(OP_NE, p, value, bit, n); break;
    case OP_GE: testLoop(OP_GE, p, value, bit, n); break;
    case OP_GT: testLoop(OP_GT, p, value, bit, n); break;
  }
}

/**
 * Tests every condition over the block's first n customers (cols filled), then finds each
 * one's first matching segment into segs (numSegments when none). Rows from n up to the
 * next multiple of 4 are computed too, from whatever the columns hold, and never read.
 */
export function evaluateBlock(n: i32): void {
  const n4 = (n + 3) & ~3;
  const m = changetype<usize>(masks);
  memory.fill(m, 0, <usize>n4 << 2);
  for (let c = 0; c < numConds; c++) testCondition(c, n4);
  const S = segNeed.length;
  const g = changetype<usize>(segs);
  const none = i32x4.splat(S);
  for (let i = 0; i < n4; i += 4) v128.store(g + (<usize>i << 2), none);
  // last rule first, so an earlier match overwrites a later one: first match wins
  for (let k = S - 1; k >= 0; k--) {
    if (unchecked(segLive[k]) == 0) continue;
    const need = i32x4.splat(unchecked(segNeed[k]));
    const seg = i32x4.splat(k);
    for (let i = 0; i < n4; i += 4) {
      const p = g + (<usize>i << 2);
      const hit = i32x4.eq(v128.and(v128.load(m + (<usize>i << 2)), need), need);
      v128.store(p, v128.bitselect(seg, v128.load(p), hit));
    }
  }
}

/** A copy of every audience's condition bits under the compiled plan (a customer is in where its mask has them all). */
export function audienceNeeds(): StaticArray<u32> {
  const out = new StaticArray<u32>(audNeed.length);
  for (let a = 0; a < audNeed.length; a++) unchecked((out[a] = audNeed[a]));
  return out;
}

/** How many of the block's first n customers are in audience a. */
export function audienceCount(a: i32, n: i32): i32 {
  const needOne = unchecked(audNeed[a]);
  const need = i32x4.splat(needOne);
  const m = changetype<usize>(masks);
  const whole = n & ~3;
  // a hit lane is -1: subtracting counts it
  let counts = i32x4.splat(0);
  for (let i = 0; i < whole; i += 4) {
    counts = i32x4.sub(counts, i32x4.eq(v128.and(v128.load(m + (<usize>i << 2)), need), need));
  }
  let count =
    i32x4.extract_lane(counts, 0) + i32x4.extract_lane(counts, 1) + i32x4.extract_lane(counts, 2) +
    i32x4.extract_lane(counts, 3);
  for (let i = whole; i < n; i++) count += i32((load<u32>(m + (<usize>i << 2)) & needOne) == needOne);
  return count;
}
