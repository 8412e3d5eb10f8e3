/**
 * The merchant's headline figures (DESIGN.md, "The questions it answers"), each with its
 * definition beside it: is the core kept, what a core customer is worth against the rest,
 * and how much revenue leans on few customers.
 */
import type { Migration } from './migration.js';
import type { Report } from './report.js';
import type { Model } from '../model/model.js';
import { grouped } from './numbers.js';

/** The group names the figures are about (the default model's). */
export const CORE = 'Core';
export const LOST = 'Lost';

export interface CoreRetention {
  definition: string;
  /** The dates compared (ISO): --from and --to, or live, a month end and the latest measurement. */
  from: string;
  to: string;
  /** Customers in a Core segment at --from. */
  coreAtFrom: number;
  /** Of them, the share not Lost at --to. */
  notLost: number | null;
  /** Of them, the share still Core at --to. */
  stillCore: number | null;
}

export interface CoreWorth {
  definition: string;
  coreCustomers: number;
  coreMeanSpend: number | null;
  othersMeanSpend: number | null;
  /** coreMeanSpend / othersMeanSpend. */
  ratio: number | null;
  /** Core's share of revenue. */
  revenueShare: number | null;
}

export interface Concentration {
  definition: string;
  top1: number;
  top10: number;
  top20: number;
  gini: number;
  /** Revenue share of the lowest-spending 0, 5, ..., 100 % of customers. */
  lorenz: number[];
}

export interface Headlines {
  /** With --from: the core kept between the dates. */
  coreRetention?: CoreRetention;
  coreWorth: CoreWorth;
  concentration: Concentration;
}

const ratioOf = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** The figures of a report (and its migration, with --from), under a model with groups named Core and Lost. */
export function headlines(report: Report, model: Model, lorenz: number[], migration?: Migration): Headlines {
  const groupOf = new Map(model.segmentNames.map((s, i) => [s, model.segmentGroups[i]]));
  const core = report.groups[CORE] ?? { customers: 0, revenue: 0 };
  const others = { customers: report.customers - core.customers, revenue: report.revenue - core.revenue };
  const coreMean = ratioOf(core.revenue, core.customers);
  const othersMean = ratioOf(others.revenue, others.customers);
  const out: Headlines = {
    coreWorth: {
      definition:
        'mean net spend of customers in a Core segment over that of all other ' +
        "customers with an order; Core's share of net revenue",
      coreCustomers: core.customers,
      coreMeanSpend: coreMean === null ? null : round2(coreMean),
      othersMeanSpend: othersMean === null ? null : round2(othersMean),
      ratio: coreMean !== null && othersMean !== null ? ratioOf(coreMean, othersMean) : null,
      revenueShare: ratioOf(core.revenue, report.revenue),
    },
    concentration: {
      definition:
        'share of net revenue from the top 1 / 10 / 20 % of customers by net ' +
        'spend; Gini coefficient of net spend; the Lorenz curve at every 5 % ' +
        'of customers',
      ...report.concentration,
      lorenz,
    },
  };
  if (migration !== undefined && migration.from !== null) {
    let coreAtFrom = 0;
    let notLost = 0;
    let stillCore = 0;
    for (const m of migration.moves) {
      if (m.from === null || groupOf.get(m.from) !== CORE) continue;
      coreAtFrom += m.customers;
      if (groupOf.get(m.to) !== LOST) notLost += m.customers;
      if (groupOf.get(m.to) === CORE) stillCore += m.customers;
    }
    out.coreRetention = coreRetention(migration.from, migration.to, coreAtFrom, notLost, stillCore);
  }
  return out;
}

/** Core retention between two dates, from the counts. */
export function coreRetention(
  from: string,
  to: string,
  coreAtFrom: number,
  notLost: number,
  stillCore: number,
): CoreRetention {
  return {
    definition:
      'of the customers in a Core segment at the first date, the share not ' +
      'in a Lost segment at the second, and the share still in a Core segment',
    from,
    to,
    coreAtFrom,
    notLost: ratioOf(notLost, coreAtFrom),
    stillCore: ratioOf(stillCore, coreAtFrom),
  };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

const pct = (v: number | null): string => (v === null ? '-' : `${(100 * v).toFixed(1)} %`);

/** The figures in words, for the summary table. */
export function headlinesText(h: Headlines): string {
  const lines: string[] = [''];
  const w = h.coreWorth;
  if (h.coreRetention) {
    const c = h.coreRetention;
    lines.push(
      `core retention ${c.from.slice(0, 10)} -> ${c.to.slice(0, 10)}: ${pct(c.notLost)} of the ` +
        `${grouped(c.coreAtFrom)} Core customers are not Lost, ${pct(c.stillCore)} still Core`,
    );
    lines.push(`  (${c.definition})`);
  }
  lines.push(
    `core worth: a Core customer's net spend is ${w.ratio === null ? '-' : `${w.ratio.toFixed(1)}x`} the others' ` +
      `(${w.coreMeanSpend?.toFixed(2) ?? '-'} against ${w.othersMeanSpend?.toFixed(2) ?? '-'});` +
      ` Core is ${pct(w.revenueShare)} of revenue`,
  );
  lines.push(`  (${w.definition})`);
  return lines.join('\n') + '\n';
}
