// Every customer's class kept between snapshots (segment, retention state, the rules'
// condition bits, the segment at the last commit), so a live snapshot classifies only the
// customers whose class can have changed: those with an event since (changes.ts; their old
// class is taken out of the running totals on their first one, their record at hand) and
// those whose retention state or recency conditions come due as the as-of time moves on.
// Nothing else moves a class while the plan (cuts, medians, gap, rules) is the same: R, F,
// M and AOV do not depend on the as-of time, and a retention state changes at a time known
// when the customer is classified (last order + limit x gap). The totals are counts and
// whole cents, so taking a class out and putting it back in is exact.
//
// Kept when the sketches before were brought up to date from few changes (a replay's or a
// period's report, after which many change, pays nothing), and only for plans the block
// rules compile and without p_alive (which moves with the as-of time for every customer).
// 12 bytes a customer. The plain core classifies every customer every time; tests hold the
// two equal (test/unit/kernel/wasm-kernel.class-tracking.test.ts, and through the engine
// test/unit/engine/engine.differential.test.ts).
import { CENTS, DAY_MS, FIELD_RECENCY_DAYS, P_AS_OF, R_SPEND_CENTS } from './abi';
import { moneyBucket } from './buckets';
import { Changes } from './changes';
import { numCustomers, setSegment } from './records';
import { lastBuildScanned } from './sketch';
import { addAudience, rebaseMigration, removeCustomer, removeProspect } from './totals';

/** The customers changed since the classes were last brought up to date. */
export const classChanges = new Changes();

const KIND_NONE: u32 = 0;
export const KIND_CUSTOMER: u32 = 1;
export const KIND_PROSPECT: u32 = 2;
/** A class word: segment | retention << 8 | segment at the last commit << 16 | kind << 24. */
// @ts-ignore: decorator
@inline
export function classWord(kind: u32, seg: i32, ret: i32, prev: i32): u32 {
  return (<u32>seg & 0xff) | ((<u32>ret & 0xff) << 8) | ((<u32>prev & 0xff) << 16) | (kind << 24);
}

let classOf = new StaticArray<u32>(0);
let maskOf = new StaticArray<u32>(0);
/**
 * The minute from which the class may change with the as-of time alone, a minute or two
 * early (floating point and a compare's edge then cost a reclassification, never a wrong
 * class); i32.MAX_VALUE: never.
 */
let dueOf = new StaticArray<i32>(0);

/** The classes and the running totals are those of keptPlan at keptAsOf, less the customers marked since. */
let valid = false;
let keptPlan = new StaticArray<f64>(0);
let keptAsOf: f64 = 0;
let keptBits: i32 = 0;
/** Per audience, the condition bits it needs (rules.ts) under keptPlan. */
let keptAudNeed = new StaticArray<u32>(0);
/**
 * Customers classified since the last commit whose segment is not their segment at the last
 * commit: a commit that classifies only what changed must set theirs too. Past MOVED_SHARE
 * of the customers the list is dropped and the next commit classifies every customer.
 */
let moved = new StaticArray<i32>(0);
let numMoved: i32 = 0;
let movedWhole = true;
const MOVED_SHARE: i32 = 16;

/** The retention limits and recency-condition days of the plan, where due times come from. */
let dueDays = new StaticArray<f64>(0);
let numLimits: i32 = 0;

/** Forgets every class (a fresh or restored state). */
export function resetClasses(): void {
  valid = false;
  classChanges.reset();
  classOf = new StaticArray<u32>(0);
  maskOf = new StaticArray<u32>(0);
  dueOf = new StaticArray<i32>(0);
  numMoved = 0;
  movedWhole = true;
}

/** Customer s (record r) is about to change: its first change since the classes were made takes its class out. */
export function noteClassChange(s: i32, r: usize): void {
  if (classChanges.mark(s)) takeOut(s, r);
}

function samePlan(plan: StaticArray<f64>): bool {
  if (plan.length != keptPlan.length) return false;
  for (let i = 0; i < plan.length; i++) {
    if (i == P_AS_OF) continue;
    if (reinterpret<u64>(unchecked(plan[i])) != reinterpret<u64>(unchecked(keptPlan[i]))) return false;
  }
  return true;
}

/**
 * Whether this classification can bring the kept classes up to date instead of classifying
 * every customer: the same plan but for a later (or the same) as-of time, few changed, and
 * for a commit, every customer moved since the last one known.
 */
export function canUpdate(plan: StaticArray<f64>, asOf: f64, commit: bool, n: i32): bool {
  return valid && asOf >= keptAsOf && classChanges.few(n) && (!commit || movedWhole) && samePlan(plan);
}

/**
 * Whether this full classification keeps the classes: for plans that allow it, and unless
 * the sketches were just built by a scan (many customers changed since the last snapshot:
 * a replay's report, a period's, where the next snapshot would classify every customer
 * anyway).
 */
export function startKeeping(allowed: bool, n: i32): bool {
  valid = false;
  classChanges.stop();
  numMoved = 0;
  movedWhole = true;
  if (!allowed || lastBuildScanned) return false;
  sizeFor(n);
  return true;
}

/** Room for slots below n. */
export function sizeFor(n: i32): void {
  if (classOf.length >= n) return;
  const size = max(n + (n >>> 1), 1024);
  const c = new StaticArray<u32>(size);
  const m = new StaticArray<u32>(size);
  const d = new StaticArray<i32>(size);
  const old = classOf.length;
  memory.copy(changetype<usize>(c), changetype<usize>(classOf), <usize>old << 2);
  memory.copy(changetype<usize>(m), changetype<usize>(maskOf), <usize>old << 2);
  memory.copy(changetype<usize>(d), changetype<usize>(dueOf), <usize>old << 2);
  classOf = c;
  maskOf = m;
  dueOf = d;
}

/** The due days of plan's retention limits (limitsAt, numRetention - 1 of them) and recency conditions. */
export function prepareDue(
  plan: StaticArray<f64>, limitsAt: i32, limits: i32, condField: StaticArray<i32>, condValue: StaticArray<f64>,
): void {
  let recency = 0;
  for (let c = 0; c < condField.length; c++) if (unchecked(condField[c]) == FIELD_RECENCY_DAYS) recency++;
  dueDays = new StaticArray<f64>(limits + recency);
  for (let k = 0; k < limits; k++) unchecked((dueDays[k] = plan[limitsAt + k]));
  let at = limits;
  for (let c = 0; c < condField.length; c++)
    if (unchecked(condField[c]) == FIELD_RECENCY_DAYS) unchecked((dueDays[at++] = condValue[c]));
  numLimits = limits;
}

const MINUTE_MS: f64 = 60000;

/**
 * The due minute of a customer whose last order was at lastTs, with mean gap `gap` days,
 * classified at asOf: the first time after it at which a retention limit (recency / gap =
 * limit) or a recency condition (recency = days) is crossed. A crossing already past stays
 * past, as the as-of time only grows between updates (canUpdate).
 */
export function dueMinute(lastTs: f64, gap: f64, asOf: f64): i32 {
  let t: f64 = Infinity;
  const past = asOf - 2 * MINUTE_MS;
  for (let k = 0; k < dueDays.length; k++) {
    const days = k < numLimits ? unchecked(dueDays[k]) * gap : unchecked(dueDays[k]);
    const c = lastTs + days * DAY_MS;
    if (isNaN(c)) return i32.MIN_VALUE;
    if (c >= past && c < t) t = c;
  }
  if (t == Infinity) return i32.MAX_VALUE;
  const m = Math.floor(t / MINUTE_MS) - 1;
  return m >= <f64>i32.MAX_VALUE ? i32.MAX_VALUE - 1 : m <= <f64>i32.MIN_VALUE ? i32.MIN_VALUE : <i32>m;
}

/** Keeps slot s's class; a customer whose segment is not its last committed one goes on the moved list. */
// @ts-ignore: decorator
@inline
export function keepClass(s: i32, word: u32, mask: u32, due: i32): void {
  unchecked((classOf[s] = word));
  unchecked((maskOf[s] = mask));
  unchecked((dueOf[s] = due));
  if (word >>> 24 == KIND_CUSTOMER && (word & 0xff) != ((word >>> 16) & 0xff)) noteMoved(s);
}

function noteMoved(s: i32): void {
  if (!movedWhole) return;
  if (numMoved == moved.length) {
    if (numMoved >= max(1024, numCustomers / MOVED_SHARE)) {
      movedWhole = false;
      numMoved = 0;
      return;
    }
    const m = new StaticArray<i32>(max(64, numMoved * 2));
    memory.copy(changetype<usize>(m), changetype<usize>(moved), <usize>numMoved << 2);
    moved = m;
  }
  unchecked((moved[numMoved++] = s));
}

/**
 * Takes slot s's kept class out of the running totals (its record r as it was when
 * classified: before its first change since, or unchanged): its values come out exactly.
 */
export function takeOut(s: i32, r: usize): void {
  const w = unchecked(classOf[s]);
  const kind = w >>> 24;
  if (kind == KIND_NONE) return;
  if (kind == KIND_PROSPECT) removeProspect();
  else {
    // as classify.ts computed them then
    const spend = load<f64>(r, R_SPEND_CENTS) / CENTS;
    const cents = <i64>Math.round(spend * 100);
    removeCustomer(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, cents, moneyBucket(spend, keptBits));
  }
  const mask = unchecked(maskOf[s]);
  for (let a = 0; a < keptAudNeed.length; a++) {
    const need = unchecked(keptAudNeed[a]);
    if ((mask & need) == need) addAudience(a, -1);
  }
  unchecked((classOf[s] = 0));
}

/** The slots whose due minute has come at asOf, below n, in order, to `each`. */
export function forEachDue(n: i32, asOf: f64, each: (s: i32) => void): void {
  const now = Math.floor(asOf / MINUTE_MS);
  const m = now >= <f64>i32.MAX_VALUE ? i32.MAX_VALUE : <i32>now;
  const d = changetype<usize>(dueOf);
  for (let s = 0; s < n; s++) if (load<i32>(d + (<usize>s << 2)) <= m) each(s);
}

/**
 * The classes are up to date under plan at asOf: the next update starts from here. A commit
 * made every customer's segment its last committed one: the moved set theirs too.
 */
export function keptAt(plan: StaticArray<f64>, asOf: f64, bits: i32, audNeed: StaticArray<u32>, commit: bool, n: i32): void {
  if (commit) {
    for (let i = 0; i < numMoved; i++) {
      const s = unchecked(moved[i]);
      const w = unchecked(classOf[s]);
      if (w >>> 24 != KIND_CUSTOMER) continue;
      const seg = w & 0xff;
      setSegment(s, <u8>seg);
      unchecked((classOf[s] = classWord(KIND_CUSTOMER, seg, (w >>> 8) & 0xff, seg)));
    }
    numMoved = 0;
    movedWhole = true;
    rebaseMigration();
  }
  if (keptPlan.length != plan.length) keptPlan = new StaticArray<f64>(plan.length);
  memory.copy(changetype<usize>(keptPlan), changetype<usize>(plan), <usize>plan.length << 3);
  keptAsOf = asOf;
  keptBits = bits;
  keptAudNeed = audNeed;
  valid = true;
  classChanges.start(n);
}

/** Bytes the classes hold. */
export function classBytes(): f64 {
  return <f64>classOf.length * 12 + classChanges.bytes() + <f64>moved.length * 4;
}
