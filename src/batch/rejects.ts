/** Rejected rows: a row the kernels must not see, with its reason and raw values as text for the rejects file. */
import type { RecordBatch } from 'apache-arrow';
import type { ColumnNames } from './schema.js';

/** A rejected row, with its raw values as text for the rejects file. */
export interface Reject {
  /** The row's number in its input, from 1 (the first data row). */
  row: number;
  reason: string;
  customer: string;
  ts: string;
  amount: string;
}

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

export function rejectOf(batch: RecordBatch, names: ColumnNames, i: number, row: number, reason: string): Reject {
  const get = (name: string): string => {
    try {
      return text(batch.getChild(name)?.get(i));
    } catch {
      return '';
    }
  };
  return { row, reason, customer: get(names.customer), ts: get(names.ts), amount: get(names.amount) };
}
