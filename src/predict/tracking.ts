/**
 * The cumulative repeat purchases of the calibration's customers, unit by unit from the
 * first customer's first purchase to the holdout end, actual against expected (the BG/NBD
 * paper's Figure 2). Actual from every customer's purchase days, which the engine's state
 * keeps (the day lists of the kernel state format, ascending, customer after customer);
 * expected as the sum over customers of E[X(t - s)], the repeat purchases a customer makes
 * in the t - s since its first purchase at s, grouped by first purchase day.
 */
import { STATE_COLUMNS } from '../abi/abi.js';
import { readState } from '../domain/state-format.js';
import { expectedFromStart } from './bgnbd.js';
import type { PurchaseFit, PurchaseModel } from './bgnbd.js';

export interface Tracking {
  /** The first unit's start (yyyy-mm-dd): the earliest first purchase. */
  start: string;
  unit: 'day' | 'week';
  /** Units 1..n: cumulative repeat purchase days to each unit's end; the calibration ends in unit calibrationUnits. */
  calibrationUnits: number;
  actual: number[];
  expected: number[];
}

const PURCHASE_DAYS = STATE_COLUMNS.findIndex((c) => c.name === 'purchaseDays');

export function tracking(
  states: Uint8Array[],
  subBits: number,
  calEndDay: number,
  holdoutEndDay: number,
  daysPerUnit: number,
  model: PurchaseModel,
  fit: PurchaseFit,
): Tracking {
  const firstDays = new Map<number, number>();
  const repeatDays: number[] = [];
  let start = Infinity;
  for (const bytes of states) {
    const { header, columns, days } = readState(bytes, subBits);
    const counts = new Uint32Array(columns[PURCHASE_DAYS].slice().buffer);
    const all = new Int32Array(days.slice().buffer);
    let at = 0;
    for (let s = 0; s < header.numCustomers; s++) {
      const n = counts[s];
      if (n > 0 && all[at] <= calEndDay) {
        const first = all[at];
        firstDays.set(first, (firstDays.get(first) ?? 0) + 1);
        if (first < start) start = first;
        for (let k = 1; k < n && all[at + k] <= holdoutEndDay; k++) repeatDays.push(all[at + k]);
      }
      at += n;
    }
  }
  if (!Number.isFinite(start))
    return { start: '', unit: daysPerUnit === 7 ? 'week' : 'day', calibrationUnits: 0, actual: [], expected: [] };
  const units = Math.ceil((holdoutEndDay - start + 1) / daysPerUnit);
  const perUnit = new Array<number>(units).fill(0);
  for (const d of repeatDays) perUnit[Math.floor((d - start) / daysPerUnit)]++;
  const actual: number[] = [];
  let sum = 0;
  for (const n of perUnit) actual.push((sum += n));
  const cohorts = [...firstDays.entries()].sort((a, b) => a[0] - b[0]);
  const expected = Array.from({ length: units }, (_, u) => {
    // the unit's end, in days after the start, less each cohort's first day (a purchase on
    // the first day itself is the first, not a repeat: time starts at the day's end)
    const end = (u + 1) * daysPerUnit;
    let e = 0;
    for (const [first, n] of cohorts) {
      const t = (end - (first - start + 1)) / daysPerUnit;
      if (t > 0) e += n * expectedFromStart(model, fit, t);
    }
    return e;
  });
  return {
    start: new Date(start * 86_400_000).toISOString().slice(0, 10),
    unit: daysPerUnit === 7 ? 'week' : 'day',
    calibrationUnits: Math.ceil((calEndDay - start + 1) / daysPerUnit),
    actual,
    expected,
  };
}
