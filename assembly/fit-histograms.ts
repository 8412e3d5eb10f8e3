// The histograms the prediction models are fitted on (src/predict/): every customer with an
// order by (x, t_x, first purchase day), and every repeat customer by (x, ln m bin), keys as
// src/abi/table.mjs lays them out. A customer's likelihood depends on nothing else, so the
// fit's cost is the distinct keys, not the customers, and the fit needs no export.
//
// Kept as the sketches are (sketch.ts): not moved on every event, which would put two hash
// updates on most orders' path, but built when asked for, and from then on kept from the
// customers changed since when few changed (changes.ts): a tracked customer's first event
// since the last build takes its keys out (its record is at hand), the next build puts the
// changed and the added customers back in at their values then. A replay that never asks
// pays one compare a row (shared with the sketches' in ingest.ts). The plain core's twin, src/core/fit-histograms.ts,
// builds them by a scan every time.
import {
  CENTS, C_FIRST_DAY_CENTS, DAY_MS, FH_SPEND_COUNTS, FH_SPEND_KEYS, FH_TRIPLE_COUNTS, FIT_DAY_OFFSET,
  FIT_DAY_SCALE, FIT_SPEND_BIN,
  FIT_SPEND_OFFSET, FIT_SPEND_SCALE, FIT_TX_SCALE, R_FIRST_TS, R_LAST_TS, R_PURCHASE_DAYS, R_SPEND_CENTS,
} from './abi';
import { Changes } from './changes';
import { keyHash } from './hash';
import { cold, numCustomers, rec } from './records';

const EMPTY: f64 = -1;

/** Counts by key, open addressing with linear probes; an entry whose count falls to 0 stays (left out of fitOut). */
class Counts {
  keys: StaticArray<f64>;
  counts: StaticArray<u32>;
  mask: i32;
  used: i32 = 0;

  constructor(size: i32) {
    const keys = new StaticArray<f64>(size);
    keys.fill(EMPTY);
    this.keys = keys;
    this.counts = new StaticArray<u32>(size);
    this.mask = size - 1;
  }

  add(key: f64, delta: u32): void {
    if (this.used * 2 >= this.keys.length) this.grow();
    const keys = this.keys;
    let i = slotFor(key, this.mask);
    while (true) {
      const k = unchecked(keys[i]);
      if (k == key) break;
      if (k == EMPTY) {
        unchecked((keys[i] = key));
        this.used++;
        break;
      }
      i = (i + 1) & this.mask;
    }
    unchecked((this.counts[i] += delta));
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const size = oldKeys.length * 2;
    this.keys = new StaticArray<f64>(size);
    this.keys.fill(EMPTY);
    this.counts = new StaticArray<u32>(size);
    this.mask = size - 1;
    this.used = 0;
    for (let j = 0; j < oldKeys.length; j++) {
      const c = unchecked(oldCounts[j]);
      // entries emptied by changes are dropped here
      if (c == 0) continue;
      let i = slotFor(unchecked(oldKeys[j]), this.mask);
      while (unchecked(this.keys[i]) != EMPTY) i = (i + 1) & this.mask;
      unchecked((this.keys[i] = unchecked(oldKeys[j])));
      unchecked((this.counts[i] = c));
      this.used++;
    }
  }
}

// @ts-ignore: decorator
@inline
function slotFor(key: f64, mask: i32): i32 {
  // the customer keys' hash: the keys' low bits are the first day, their high ones x and t_x
  const bits = reinterpret<u64>(key);
  return keyHash(<i32>bits, <i32>(bits >>> 32)) & mask;
}

const FIRST_SIZE: i32 = 1024;
let triples = new Counts(FIRST_SIZE);
let spend = new Counts(FIRST_SIZE);

/** Customer s's key of (x, t_x, first purchase day); s has a purchase day. */
// @ts-ignore: decorator
@inline
function tripleKey(r: usize): f64 {
  const x = <f64>(load<u32>(r, R_PURCHASE_DAYS) - 1);
  const first = Math.floor(load<f64>(r, R_FIRST_TS) / DAY_MS);
  const last = Math.floor(load<f64>(r, R_LAST_TS) / DAY_MS);
  return (x * FIT_TX_SCALE + (last - first)) * FIT_DAY_SCALE + first + FIT_DAY_OFFSET;
}

/**
 * Repeat customer s's key of (x, ln m bin); m is the mean of the repeat days' totals, as
 * src/predict/summary.ts has it.
 */
// @ts-ignore: decorator
@inline
function spendKey(s: i32, r: usize, x: f64): f64 {
  const m = (load<f64>(r, R_SPEND_CENTS) / CENTS - load<f64>(cold(s), C_FIRST_DAY_CENTS) / CENTS) / x;
  if (!(m > 0)) return x * FIT_SPEND_SCALE;
  return x * FIT_SPEND_SCALE + Math.floor(Math.log(m) / FIT_SPEND_BIN + 0.5) + FIT_SPEND_OFFSET;
}

/** Adds customer s's keys (delta 1) or takes them out (delta -1, as u32). */
function fitMove(s: i32, delta: u32): void {
  const r = rec(s);
  const days = load<u32>(r, R_PURCHASE_DAYS);
  if (days == 0) return;
  triples.add(tripleKey(r), delta);
  if (days > 1) spend.add(spendKey(s, r, <f64>(days - 1)), delta);
}

/** False once an event has changed the state since the last build. */
let fitValid = false;
/** The customers changed since the last build (changes.ts). */
export const fitChanges = new Changes();

export function resetFit(): void {
  triples = new Counts(FIRST_SIZE);
  spend = new Counts(FIRST_SIZE);
  fitValid = false;
  fitChanges.reset();
}

/** Events are coming in. Per batch. */
// @ts-ignore: decorator
@inline
export function staleFit(): void {
  fitValid = false;
}

/** Customer s (record r) is about to change: its first change since the build takes its keys out. */
export function noteFitChange(s: i32, r: usize): void {
  if (fitChanges.mark(s)) fitMove(s, -1);
}

function fitAdd(s: i32): void {
  fitMove(s, 1);
}

/** Brings the histograms up to date: true when the caller must pass every customer to fitRange, then call fitEnd. */
export function fitBegin(): bool {
  if (fitValid) return false;
  if (fitChanges.few(numCustomers)) {
    fitChanges.replay(numCustomers, fitAdd);
    fitEnd();
    return false;
  }
  fitChanges.stop();
  triples = new Counts(FIRST_SIZE);
  spend = new Counts(FIRST_SIZE);
  return true;
}

export function fitRange(from: i32, to: i32): void {
  for (let s = from; s < to; s++) fitMove(s, 1);
}

export function fitEnd(): void {
  fitValid = true;
  fitChanges.start(numCustomers);
}

// fitOut's arrays: the entries with a count, keys and counts apart
let outTripleKeys = new StaticArray<f64>(0);
let outTripleCounts = new StaticArray<f64>(0);
let outSpendKeys = new StaticArray<f64>(0);
let outSpendCounts = new StaticArray<f64>(0);

function compact(t: Counts, which: i32): void {
  let n = 0;
  for (let i = 0; i < t.keys.length; i++) if (unchecked(t.counts[i]) != 0) n++;
  const keys = new StaticArray<f64>(n);
  const counts = new StaticArray<f64>(n);
  let j = 0;
  for (let i = 0; i < t.keys.length; i++) {
    const c = unchecked(t.counts[i]);
    if (c == 0) continue;
    unchecked((keys[j] = unchecked(t.keys[i])));
    unchecked((counts[j] = <f64>c));
    j++;
  }
  if (which == FH_SPEND_KEYS) {
    outSpendKeys = keys;
    outSpendCounts = counts;
  } else {
    outTripleKeys = keys;
    outTripleCounts = counts;
  }
}

export function fitOut(): void {
  compact(triples, 0);
  compact(spend, FH_SPEND_KEYS);
}

export function fitArray(which: i32): StaticArray<f64> {
  switch (which) {
    case FH_TRIPLE_COUNTS: return outTripleCounts;
    case FH_SPEND_KEYS: return outSpendKeys;
    case FH_SPEND_COUNTS: return outSpendCounts;
    default: return outTripleKeys;
  }
}
