/**
 * The input's schema: which columns hold what, and whether their types are ones the
 * conversion reads. Checked once per batch, before any row is read.
 */
import type { DataType, RecordBatch } from 'apache-arrow';
import { RfmError } from '../domain/errors.js';
import type { IdMode } from '../domain/types.js';
import { guessHint } from './column-guess.js';
import { isDate, isDecimal, isDictionary, isFloat, isInt, isTimestamp, isUtf8 } from './arrow-types.js';

/** Which input columns hold what. */
export interface ColumnNames {
  customer: string;
  ts: string;
  amount: string;
  /** Optional: rows are orders (refunds when the amount is negative) without it. */
  kind: string;
  /** Optional: the order id column, by which a repeated order counts once (repeat-orders.ts). */
  order?: OrderColumn;
}

/** An order id column: its name, and whether the input must have it (named by the user) or it is read when there. */
export interface OrderColumn {
  name: string;
  required: boolean;
}

/** The order id column read when the input has it, unless told otherwise (--order-column). */
export const DEFAULT_ORDER_COLUMN = 'order_id';

export const DEFAULT_COLUMNS: ColumnNames = { customer: 'customer_id', ts: 'ts', amount: 'amount', kind: 'kind' };

/** A column name fit for a message: corrupt files carry binary names. */
export function printable(name: string): string {
  const s = name.replace(/[^\x20-\x7e]/g, '?');
  return s.length > 40 ? s.slice(0, 40) + '...' : s;
}

function schemaError(source: string, column: string, expected: string, got: string): RfmError {
  return new RfmError('RFM_ERR_SCHEMA', `${source}: column "${column}" ${got}; expected ${expected}`);
}

const ID_EXPECTED = 'Int64/Uint64 (or a narrower integer), Utf8 or Dictionary<Utf8>';
const TS_EXPECTED = 'Timestamp (s/ms/us/ns), Date32, Date64 or Int64 milliseconds';
const AMOUNT_EXPECTED = 'Float64/Float32, Decimal or an integer';
const KIND_EXPECTED = 'Dictionary<Utf8> or Utf8 (order, refund, visit, email_open) or Int8 (0..3)';

/** Checks the schema of a batch; returns the id mode it implies. Throws RFM_ERR_SCHEMA. */
export function checkSchema(batch: RecordBatch, names: ColumnNames, source: string): IdMode {
  const field = (name: string) => batch.schema.fields.find((f) => f.name === name);
  const fieldNames = batch.schema.fields.map((f) => `"${printable(f.name)}"`);
  const present =
    fieldNames.length === 0
      ? 'none'
      : fieldNames.length > 12
        ? `${fieldNames.slice(0, 12).join(', ')}, ...`
        : fieldNames.join(', ');
  const need = (name: string, expected: string, option: string) => {
    const f = field(name);
    if (!f)
      throw new RfmError(
        'RFM_ERR_SCHEMA',
        `${source}: column "${name}" is missing (columns: ${present}); expected ${expected}` +
          guessHint(
            option,
            batch.schema.fields.map((x) => printable(x.name)),
          ),
      );
    return f.type as DataType;
  };
  const idType = need(names.customer, ID_EXPECTED, 'customer-column');
  let mode: IdMode;
  if (isInt(idType) && idType.bitWidth <= 64) mode = 'int';
  else if (isUtf8(idType)) mode = 'utf8';
  else if (isDictionary(idType) && isUtf8(idType.dictionary)) mode = 'utf8';
  else throw schemaError(source, names.customer, ID_EXPECTED, `is ${idType}`);
  const tsType = need(names.ts, TS_EXPECTED, 'ts-column');
  if (!(isTimestamp(tsType) || isDate(tsType) || (isInt(tsType) && tsType.bitWidth === 64))) {
    throw schemaError(source, names.ts, TS_EXPECTED, `is ${tsType}`);
  }
  const amountType = need(names.amount, AMOUNT_EXPECTED, 'amount-column');
  if (!(isFloat(amountType) || isDecimal(amountType) || isInt(amountType))) {
    throw schemaError(source, names.amount, AMOUNT_EXPECTED, `is ${amountType}`);
  }
  const kf = field(names.kind);
  if (kf) {
    const t = kf.type as DataType;
    const ok = isUtf8(t) || (isDictionary(t) && isUtf8(t.dictionary)) || (isInt(t) && t.bitWidth === 8);
    if (!ok) throw schemaError(source, names.kind, KIND_EXPECTED, `is ${t}`);
  }
  return mode;
}
