/**
 * The plain core's state as columns: out (exports, serialization, exact values) and in
 * (restore), in the stored order of src/abi/table.mjs (stateColumns). Per export or restore,
 * never per batch. The WASM kernel's twin: assembly/columns.ts.
 */
import * as abi from '../abi/abi.js';
import { Classifier, fieldsOf } from './classify.js';
import type { DayLists } from './days.js';
import type { Records } from './records.js';
import { spendOfCents } from '../domain/state-format.js';
import type { CustomerRows, ExactValues, IdMode } from '../domain/types.js';

// The ABI's numbers as this module's own constants: V8 folds those into the code, not
// imported bindings (measured on the plain core's ingest: 15.9 -> 18.7 M rows/s).
const {
  DAY_MS,
  NO_SEGMENT,
  STATE_COLUMNS,
  W_LAST_DAY,
  RECORD_DOUBLE_SHIFT: DOUBLE_SHIFT,
  RECORD_WORD_SHIFT: WORD_SHIFT,
} = abi;

type Column = Float64Array | Uint32Array | Uint8Array;

/** The cold columns by state column name. */
function coldColumn(r: Records, name: string): Column {
  switch (name) {
    case 'lastEngaged':
      return r.lastEngaged;
    case 'firstDayCents':
      return r.firstDayCents;
    case 'engagements':
      return r.engagements;
    case 'idOff':
      return r.idOff;
    case 'idLen':
      return r.idLen;
    default:
      return r.segment;
  }
}

/** Every state column's first n entries as its own typed array, in stored order. */
export function stateColumns(r: Records): Column[] {
  const n = r.numCustomers;
  return STATE_COLUMNS.map((c): Column => {
    if (c.from === 'cold') return coldColumn(r, c.name).slice(0, n);
    if (c.width === 8) {
      const col = new Float64Array(n);
      const at = c.offset >> 3;
      for (let s = 0; s < n; s++) col[s] = r.f64[(s << DOUBLE_SHIFT) + at];
      return col;
    }
    const col = new Uint32Array(n);
    const at = c.offset >> 2;
    for (let s = 0; s < n; s++) col[s] = r.u32[(s << WORD_SHIFT) + at];
    return col;
  });
}

/** Every customer's purchase days, customer after customer in slot order (the state format's). */
export function allDays(r: Records, lists: DayLists): Int32Array {
  lists.buildLists(r);
  let count = 0;
  for (let s = 0; s < r.numCustomers; s++) count += r.purchaseDays(s);
  const out = new Int32Array(count);
  let at = 0;
  for (let s = 0; s < r.numCustomers; s++) {
    const n = r.purchaseDays(s);
    lists.copy(r, s, n, out, at);
    at += n;
  }
  return out;
}

/** Writes stored column bytes and days (readState's) into records sized for them, and derives the last days. */
export function restoreColumns(r: Records, lists: DayLists, columns: Uint8Array[], days: Int32Array): void {
  const n = r.numCustomers;
  STATE_COLUMNS.forEach((c, i) => {
    const bytes = columns[i].slice();
    if (c.from === 'cold') {
      const a = coldColumn(r, c.name);
      new Uint8Array(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT).set(bytes);
    } else if (c.width === 8) {
      const col = new Float64Array(bytes.buffer);
      const at = c.offset >> 3;
      for (let s = 0; s < n; s++) r.f64[(s << DOUBLE_SHIFT) + at] = col[s];
    } else {
      const col = new Uint32Array(bytes.buffer);
      const at = c.offset >> 2;
      for (let s = 0; s < n; s++) r.u32[(s << WORD_SHIFT) + at] = col[s];
    }
  });
  let at = 0;
  lists.startLists();
  for (let s = 0; s < n; s++) {
    r.i32[(s << WORD_SHIFT) + W_LAST_DAY] = Math.floor(r.lastTs(s) / DAY_MS);
    const pd = r.purchaseDays(s);
    lists.restore(r, s, pd, days, at);
    at += pd;
  }
}

const column = (cols: Column[], name: (typeof STATE_COLUMNS)[number]['name']): Column =>
  cols[STATE_COLUMNS.findIndex((c) => c.name === name)];

/** Every customer with its classification under the plan. */
/** The audiences of the customer the classifier ran on last, a bit each (assembly/columns.ts's audienceBits). */
function audienceBits(c: Classifier): number {
  let bits = 0;
  for (let a = 0; a < c.audience.length; a++) if (c.audience[a]) bits |= 1 << a;
  return bits >>> 0;
}

export function exportRows(r: Records, idMode: IdMode | null, plan: Float64Array): CustomerRows {
  const n = r.numCustomers;
  const c = new Classifier(plan);
  const cols = stateColumns(r);
  const rows: CustomerRows = {
    numRows: n,
    idMode: idMode ?? 'int',
    idWords: null,
    idOffsets: null,
    idBytes: null,
    orders: column(cols, 'orders') as Uint32Array,
    purchaseDays: column(cols, 'purchaseDays') as Uint32Array,
    spend: spendOfCents(column(cols, 'spendCents') as Float64Array),
    firstTs: column(cols, 'firstTs') as Float64Array,
    lastTs: column(cols, 'lastTs') as Float64Array,
    engagements: column(cols, 'engagements') as Uint32Array,
    r: new Uint8Array(n),
    f: new Uint8Array(n),
    m: new Uint8Array(n),
    aovScore: new Uint8Array(n),
    retention: new Uint8Array(n),
    segment: new Uint8Array(n),
    audiences: new Uint32Array(n),
    previousSegment: column(cols, 'segment') as Uint8Array,
    firstDaySpend: spendOfCents(column(cols, 'firstDayCents') as Float64Array),
  };
  if (idMode === 'utf8') {
    const offsets = new Int32Array(n + 1);
    const bytes = new Uint8Array(r.arenaLen);
    let at = 0;
    for (let s = 0; s < n; s++) {
      offsets[s] = at;
      bytes.set(r.arena.subarray(r.idOff[s], r.idOff[s] + r.idLen[s]), at);
      at += r.idLen[s];
    }
    offsets[n] = at;
    rows.idOffsets = offsets;
    rows.idBytes = bytes;
  } else {
    const lo = column(cols, 'keyLo');
    const hi = column(cols, 'keyHi');
    const words = new Int32Array(2 * n);
    for (let s = 0; s < n; s++) {
      words[2 * s] = lo[s];
      words[2 * s + 1] = hi[s];
    }
    rows.idWords = words;
  }
  for (let s = 0; s < n; s++) {
    if (rows.orders[s] === 0) {
      rows.retention[s] = NO_SEGMENT;
      rows.segment[s] = NO_SEGMENT;
      // a prospect may be in an audience of prospects
      if (rows.engagements[s] > 0) {
        c.run(fieldsOf(r, s));
        rows.audiences[s] = audienceBits(c);
      }
      continue;
    }
    c.run(fieldsOf(r, s));
    rows.audiences[s] = audienceBits(c);
    rows.r[s] = c.r;
    rows.f[s] = c.f;
    rows.m[s] = c.m;
    rows.aovScore[s] = c.aov;
    rows.retention[s] = c.retention;
    rows.segment[s] = c.segment;
  }
  return rows;
}

/** The values exact ranks sort: customers with an order only; mean gaps of those with two or more purchase days. */
export function exactValues(r: Records): ExactValues {
  let n = 0;
  let ng = 0;
  for (let s = 0; s < r.numCustomers; s++) {
    if (r.orders(s) > 0) {
      n++;
      if (r.purchaseDays(s) >= 2) ng++;
    }
  }
  const v: ExactValues = {
    lastTs: new Float64Array(n),
    orders: new Float64Array(n),
    spend: new Float64Array(n),
    aov: new Float64Array(n),
    meanGap: new Float64Array(ng),
  };
  let j = 0;
  let g = 0;
  for (let s = 0; s < r.numCustomers; s++) {
    const o = r.orders(s);
    if (o === 0) continue;
    const sp = r.spend(s);
    v.lastTs[j] = r.lastTs(s);
    v.orders[j] = o;
    v.spend[j] = sp;
    v.aov[j] = sp / o;
    j++;
    if (r.purchaseDays(s) >= 2) v.meanGap[g++] = r.meanGap(s);
  }
  return v;
}
