/** Rejected rows: a row the kernels must not see, with its reason and raw values as text for the rejects file. */
import type { DataType, RecordBatch } from 'apache-arrow';
import { isDate, isTimestamp } from './arrow-types.js';
import type { ColumnNames } from './schema.js';

/** A rejected row, with its raw values as text for the rejects file. */
export interface Reject {
  /** The row's number in its input, from 1 (the first data row). */
  row: number;
  /** The line its record starts on, for text inputs. */
  line?: number;
  reason: string;
  customer: string;
  ts: string;
  amount: string;
}

/** A value as text; a time column's values (apache-arrow gives them as ms numbers) as ISO times. */
function text(v: unknown, isTime: boolean): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (isTime && typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 8.64e15) return new Date(v).toISOString();
  return String(v);
}

export function rejectOf(batch: RecordBatch, names: ColumnNames, i: number, row: number, reason: string): Reject {
  const get = (name: string): string => {
    try {
      const t = batch.schema.fields.find((f) => f.name === name)?.type as DataType | undefined;
      return text(batch.getChild(name)?.get(i), t !== undefined && (isTimestamp(t) || isDate(t)));
    } catch {
      return '';
    }
  };
  return { row, reason, customer: get(names.customer), ts: get(names.ts), amount: get(names.amount) };
}
