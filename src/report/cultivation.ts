/**
 * Cultivation by cohort: of the customers whose first order falls in a month, the share in a
 * Core segment within 90, 180 and 365 days of it. Segments are measured at every month's end
 * (the replay reads the files once a month, report --cohorts; a live engine as its clock
 * passes one), so "within N days" is "in a Core segment at a month end at most N days after
 * the first order": a customer who was Core for a few days between two month ends is not seen.
 *
 * What is kept per customer is by its place in its shard's export (a shard appends new
 * customers and never moves one), not by its id: a map of every id as a string cost 1.5-2 s
 * a measurement at 10^6 customers, the arrays 0.1 s (bench/NOTES.md, section 47). The
 * one time places change, when integer ids turn to text (the customers are dealt out again),
 * is seen by comparing the ids at the places kept, and the times are carried over by id.
 */
import type { CustomerRows } from '../domain/types.js';
import type { CustomerExport } from '../results.js';
import { customerIdOf } from './customers-csv.js';
import { CORE, LOST } from './headlines.js';

const DAY_MS = 86_400_000;
export const CULTIVATION_DAYS = [90, 180, 365] as const;

export interface CohortRow {
  /** yyyy-mm of the first orders. */
  month: string;
  customers: number;
  /**
   * Shares Core within 90 / 180 / 365 days; null while the cohort's last day plus the days is after
   * the report's date.
   */
  within90: number | null;
  within180: number | null;
  within365: number | null;
}

export interface Cultivation {
  definition: string;
  cohorts: CohortRow[];
}

/** The customers in a Core segment at a measurement: a bit per place, per shard. */
export interface CoreMarks {
  parts: Uint8Array[];
  count: number;
}

/** What observe saw besides what it keeps. */
export interface Observed {
  /** With `keep`: the customers in a Core segment now. */
  core: CoreMarks | null;
  /**
   * Of the baseline's customers, how many are not Lost now, and how many still Core; null when
   * places changed since it (a baseline is then of no use).
   */
  notLost: number | null;
  stillCore: number | null;
}

/** A shard's ids, by place. */
type Placed = Pick<CustomerRows, 'numRows' | 'idMode' | 'idWords' | 'idOffsets' | 'idBytes'>;

interface CohortCounts {
  customers: number;
  within: number[];
}

/** A typed array's bytes as base64, and back (a tracker's state in a checkpoint's JSON). */
const toBase64 = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function fromBase64<T extends Float64Array | Int32Array | Uint8Array>(s: string, make: (b: ArrayBuffer) => T): T {
  const bytes = Buffer.from(s, 'base64');
  // a copy: the Buffer's memory may be a slice of a pool, not aligned for the view
  return make(new Uint8Array(bytes).buffer);
}

/** What a tracker keeps, as JSON (the live server's checkpoint: its figures go on after a restart). */
export interface TrackerState {
  firstCore: string[];
  placed: {
    numRows: number;
    idMode: 'int' | 'utf8';
    idWords: string | null;
    idOffsets: string | null;
    idBytes: string | null;
  }[];
  unsigned: boolean;
  cohorts: [number, CohortCounts][];
}

export class CultivationTracker {
  /** Per shard and place: when the customer was first seen in a Core segment (NaN: not yet). */
  private firstCore: Float64Array[] = [];
  /** The ids of the last measurement's places, to see that they still hold the same customers. */
  private placed: Placed[] = [];
  private unsigned = false;
  private cohorts = new Map<number, CohortCounts>();

  /**
   * The customers as of `at`: when each is first in a Core segment, and the cohort counts.
   * For the live core retention: with `keep`, who is in a Core segment now; with `baseline`
   * (an earlier measurement's `core`), how many of its customers are not Lost now and how many still Core.
   */
  observe(exp: CustomerExport, at: number, o: { keep?: boolean; baseline?: CoreMarks } = {}): Observed {
    const moved = this.follow(exp);
    const groups = exp.model.segmentGroups;
    const isCore = Uint8Array.from(groups, (g) => (g === CORE ? 1 : 0));
    const isLost = Uint8Array.from(groups, (g) => (g === LOST ? 1 : 0));
    const baseline = moved ? undefined : o.baseline;
    const out: Observed = {
      core: o.keep ? { parts: [], count: 0 } : null,
      notLost: baseline ? 0 : null,
      stillCore: baseline ? 0 : null,
    };
    this.cohorts = new Map();
    const months = new MonthOf();
    exp.parts.forEach((part, p) => {
      const firstCore = this.firstCore[p];
      const marks = o.keep ? new Uint8Array((part.numRows + 7) >> 3) : null;
      const base = baseline?.parts[p];
      for (let i = 0; i < part.numRows; i++) {
        if (part.orders[i] === 0) continue;
        const seg = part.segment[i];
        const core = isCore[seg] === 1;
        if (core) {
          if (Number.isNaN(firstCore[i])) firstCore[i] = at;
          if (marks !== null) marks[i >> 3] |= 1 << (i & 7);
        }
        if (base !== undefined && i >> 3 < base.length && (base[i >> 3] >> (i & 7)) & 1) {
          if (isLost[seg] === 0) out.notLost!++;
          if (core) out.stillCore!++;
        }
        const first = part.firstTs[i];
        const month = months.of(first);
        let c = this.cohorts.get(month);
        if (c === undefined) this.cohorts.set(month, (c = { customers: 0, within: CULTIVATION_DAYS.map(() => 0) }));
        c.customers++;
        const sinceFirst = firstCore[i] - first;
        for (let k = 0; k < CULTIVATION_DAYS.length; k++) if (sinceFirst <= CULTIVATION_DAYS[k] * DAY_MS) c.within[k]++;
      }
      if (marks !== null) {
        out.core!.parts.push(marks);
        for (const byte of marks) out.core!.count += BITS[byte];
      }
    });
    return out;
  }

  /** The table as of asOf (the latest measurement's date), one row a month of first orders. */
  table(asOf: number): Cultivation {
    const cohorts = [...this.cohorts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([month, r]): CohortRow => {
        const last = Date.UTC(Math.floor(month / 12), (month % 12) + 1, 1) - 1;
        const share = (k: number): number | null =>
          last + CULTIVATION_DAYS[k] * DAY_MS <= asOf ? r.within[k] / r.customers : null;
        return {
          month: `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`,
          customers: r.customers,
          within90: share(0),
          within180: share(1),
          within365: share(2),
        };
      });
    return {
      definition:
        'of the customers whose first order falls in the month, the share in a ' +
        'Core segment at a month end at most 90 / 180 / 365 days after their ' +
        'first order (empty while the cohort is younger than that)',
      cohorts,
    };
  }

  state(): TrackerState {
    return {
      firstCore: this.firstCore.map(toBase64),
      placed: this.placed.map((p) => ({
        numRows: p.numRows,
        idMode: p.idMode,
        idWords: p.idWords === null ? null : toBase64(p.idWords),
        idOffsets: p.idOffsets === null ? null : toBase64(p.idOffsets),
        idBytes: p.idBytes === null ? null : toBase64(p.idBytes),
      })),
      unsigned: this.unsigned,
      cohorts: [...this.cohorts.entries()],
    };
  }

  static of(s: TrackerState): CultivationTracker {
    const t = new CultivationTracker();
    t.firstCore = s.firstCore.map((b) => fromBase64(b, (buf) => new Float64Array(buf)));
    t.placed = s.placed.map((p) => ({
      numRows: p.numRows,
      idMode: p.idMode,
      idWords: p.idWords === null ? null : fromBase64(p.idWords, (buf) => new Int32Array(buf)),
      idOffsets: p.idOffsets === null ? null : fromBase64(p.idOffsets, (buf) => new Int32Array(buf)),
      idBytes: p.idBytes === null ? null : fromBase64(p.idBytes, (buf) => new Uint8Array(buf)),
    }));
    t.unsigned = s.unsigned;
    t.cohorts = new Map(s.cohorts);
    return t;
  }

  /**
   * Grows the per-place arrays to the export's; true when the places were dealt out again (the
   * times are carried over by id).
   */
  private follow(exp: CustomerExport): boolean {
    const moved = this.placed.length > 0 && !samePlaces(this.placed, exp.parts);
    let carried: Map<string, number> | null = null;
    if (moved) {
      carried = new Map();
      this.placed.forEach((part, p) => {
        for (let i = 0; i < part.numRows; i++)
          if (!Number.isNaN(this.firstCore[p][i]))
            carried!.set(customerIdOf(part, i, this.unsigned), this.firstCore[p][i]);
      });
      this.firstCore = [];
    }
    exp.parts.forEach((part, p) => {
      const had = this.firstCore[p] ?? new Float64Array(0);
      if (had.length >= part.numRows) return;
      const grown = new Float64Array(Math.max(part.numRows, 2 * had.length)).fill(NaN);
      grown.set(had);
      if (carried !== null)
        for (let i = 0; i < part.numRows; i++) grown[i] = carried.get(customerIdOf(part, i, exp.unsignedIds)) ?? NaN;
      this.firstCore[p] = grown;
    });
    this.placed = exp.parts.map(({ numRows, idMode, idWords, idOffsets, idBytes }) => ({
      numRows,
      idMode,
      idWords,
      idOffsets,
      idBytes,
    }));
    this.unsigned = exp.unsignedIds;
    return moved;
  }
}

/** The places of `before` hold the same customers in `now` (which may have more). */
function samePlaces(before: Placed[], now: CustomerRows[]): boolean {
  if (before.length !== now.length) return false;
  return before.every((a, p) => {
    const b = now[p];
    if (a.idMode !== b.idMode || a.numRows > b.numRows) return false;
    if (a.idMode === 'int') return prefixEqual(a.idWords!, b.idWords!, 2 * a.numRows);
    return (
      prefixEqual(a.idOffsets!, b.idOffsets!, a.numRows + 1) &&
      prefixEqual(a.idBytes!, b.idBytes!, a.idOffsets![a.numRows])
    );
  });
}

function prefixEqual(a: Int32Array | Uint8Array, b: Int32Array | Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Set bits of every byte. */
const BITS = Uint8Array.from({ length: 256 }, (_, v) => {
  let n = 0;
  for (let x = v; x > 0; x >>= 1) n += x & 1;
  return n;
});

/** year * 12 + month (0-11) of a time, UTC, by the day (cached: a cohort's customers share few days). */
class MonthOf {
  private readonly days = new Map<number, number>();
  of(t: number): number {
    const day = Math.floor(t / DAY_MS);
    let m = this.days.get(day);
    if (m === undefined) {
      const d = new Date(day * DAY_MS);
      this.days.set(day, (m = d.getUTCFullYear() * 12 + d.getUTCMonth()));
    }
    return m;
  }
}
