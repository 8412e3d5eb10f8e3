/**
 * Segments between two dates: the moves of customers from their segment at the first (or
 * no order yet) to their segment at the second, from the kernel's migration matrix (each
 * customer's segment at the committed snapshot before, against the one now).
 */
import type { Model } from '../model/model.js';
import type { Report, SnapshotExtras } from './report.js';
import { grouped } from './numbers.js';

/** Customers who were in segment `from` (null: no order by then) and are in `to`. The live protocol's shape. */
export interface Move {
  from: string | null;
  to: string;
  customers: number;
}

export interface Migration {
  /** The date of the segments moved from (ISO), or null for the first period (no earlier date). */
  from: string | null;
  to: string;
  moves: Move[];
}

/** The report's counts at a date, for "atFrom". */
export type SegmentsAt = Pick<Report, 'asOf' | 'customers' | 'segments' | 'groups' | 'retention'>;

/** Every non-empty cell of the matrix, staying customers included: the moves add up to the customers now. */
export function movesOf(extras: SnapshotExtras, model: Model): Move[] {
  const names = model.segmentNames;
  const moves: Move[] = [];
  extras.migration.forEach((row, from) => {
    row.forEach((customers, to) => {
      if (customers > 0) moves.push({ from: from < names.length ? names[from] : null, to: names[to], customers });
    });
  });
  return moves;
}

export function segmentsAt(r: Report): SegmentsAt {
  return { asOf: r.asOf, customers: r.customers, segments: r.segments, groups: r.groups, retention: r.retention };
}

/** The largest moves in words, for the summary table: "Promising -> Champions  1,234". */
export function migrationText(m: Migration, most = 12): string {
  const moving = m.moves.filter((x) => x.from !== x.to).sort((a, b) => b.customers - a.customers);
  const staying = m.moves.filter((x) => x.from === x.to).reduce((n, x) => n + x.customers, 0);
  const width = Math.max(
    10,
    ...moving.slice(0, most).map((x) => `${x.from ?? 'not yet a customer'} -> ${x.to}`.length),
  );
  const lines = [`\nmigration ${m.from ?? 'start'} -> ${m.to}: ${grouped(staying)} customers stayed in their segment`];
  for (const x of moving.slice(0, most))
    lines.push(
      `${`${x.from ?? 'not yet a customer'} -> ${x.to}`.padEnd(width)}  ` + `${grouped(x.customers).padStart(10)}`,
    );
  if (moving.length > most) lines.push(`... ${moving.length - most} more moves (--json lists every one)`);
  return lines.join('\n') + '\n';
}
