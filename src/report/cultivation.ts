/**
 * Cultivation by cohort: of the customers whose first order falls in a month, the share in a
 * Core segment within 90, 180 and 365 days of it. Segments are measured at every month's end
 * (the replay reads the files once a month, report --cohorts), so "within N days" is "in a
 * Core segment at a month end at most N days after the first order": a customer who was
 * Core for a few days between two month ends is not seen.
 */
import type { CustomerExport } from '../results.js';
import { customerIdOf } from './customers-csv.js';
import { CORE, LOST } from './headlines.js';

const DAY_MS = 86_400_000;
export const CULTIVATION_DAYS = [90, 180, 365] as const;

export interface CohortRow {
  /** yyyy-mm of the first orders. */
  month: string;
  customers: number;
  /** Shares Core within 90 / 180 / 365 days; null while the cohort's last day plus the days is after the report's date. */
  within90: number | null;
  within180: number | null;
  within365: number | null;
}

export interface Cultivation {
  definition: string;
  cohorts: CohortRow[];
}

/** What observe saw besides what it keeps. */
export interface Observed {
  core: Set<string> | null;
  notLost: number;
  stillCore: number;
}

export class CultivationTracker {
  private readonly firstOrder = new Map<string, number>();
  private readonly firstCore = new Map<string, number>();

  /**
   * The customers as of `at`: their first order, and whether they are in a Core segment now.
   * For the live core retention: with `keep`, the ids in a Core segment now; with
   * `baseline`, how many of its ids are not in a Lost segment now, and how many still Core.
   */
  observe(exp: CustomerExport, at: number, o: { keep?: boolean; baseline?: ReadonlySet<string> } = {}): Observed {
    const groups = exp.model.segmentGroups;
    const out: Observed = { core: o.keep ? new Set() : null, notLost: 0, stillCore: 0 };
    for (const part of exp.parts) {
      for (let i = 0; i < part.numRows; i++) {
        if (part.orders[i] === 0) continue;
        const id = customerIdOf(part, i, exp.unsignedIds);
        const group = groups[part.segment[i]];
        if (!this.firstOrder.has(id)) this.firstOrder.set(id, part.firstTs[i]);
        if (group === CORE && !this.firstCore.has(id)) this.firstCore.set(id, at);
        if (group === CORE) out.core?.add(id);
        if (o.baseline?.has(id)) {
          if (group !== LOST) out.notLost++;
          if (group === CORE) out.stillCore++;
        }
      }
    }
    return out;
  }

  /** The table, one row a month of first orders, as of asOf. */
  table(asOf: number): Cultivation {
    const byMonth = new Map<string, { customers: number; within: number[]; last: number }>();
    for (const [id, first] of this.firstOrder) {
      const month = new Date(first).toISOString().slice(0, 7);
      let row = byMonth.get(month);
      if (row === undefined) {
        const d = new Date(first);
        byMonth.set(month, (row = { customers: 0, within: CULTIVATION_DAYS.map(() => 0), last: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1 }));
      }
      row.customers++;
      const core = this.firstCore.get(id);
      CULTIVATION_DAYS.forEach((days, k) => {
        if (core !== undefined && core - first <= days * DAY_MS) row!.within[k]++;
      });
    }
    const cohorts = [...byMonth.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, r]): CohortRow => {
      const share = (k: number): number | null => (r.last + CULTIVATION_DAYS[k] * DAY_MS <= asOf ? r.within[k] / r.customers : null);
      return { month, customers: r.customers, within90: share(0), within180: share(1), within365: share(2) };
    });
    return {
      definition: 'of the customers whose first order falls in the month, the share in a Core segment at a month end at most 90 / 180 / 365 days after their first order (empty while the cohort is younger than that)',
      cohorts,
    };
  }
}
