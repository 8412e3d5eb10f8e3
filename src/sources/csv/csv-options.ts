/**
 * How a plain order CSV is read (the options every CSV reader takes) and which column an
 * option names: shared by the scanner's readers and the plain reader, apart from either.
 */
import { RfmError } from '../../domain/errors.js';
import type { OrderColumn } from '../../batch/schema.js';
import type { TextEncoding } from './lines.js';
import type { DateFormat } from '../parse-values.js';
import { guessHint } from '../../batch/column-guess.js';

export interface CsvImportOptions {
  /** Column holding the customer: a header name or a 1-based number. */
  customer: string;
  ts: string;
  amount: string;
  /**
   * Kind column (order, refund, visit, email_open), which must exist when named; without one,
   * a header column named "kind" is read when there is one (every row an order otherwise).
   */
  kind?: string;
  /**
   * The order id column (a repeated id counts once, repeat-orders.ts): must exist when required,
   * else read when there.
   */
  order?: OrderColumn;
  delimiter: string;
  /** The first record names the columns. Default true. */
  header: boolean;
  dateFormat: DateFormat;
  decimalComma: boolean;
  /** 'auto': integers when the first record's id is one. */
  idType: 'auto' | 'int' | 'string';
  /** How the bytes are text (default utf8, checked). */
  encoding?: TextEncoding;
  /** What messages call the input (default: its path, or stdin; the server says "the request body"). */
  label?: string;
  /** What the options naming the columns end in, for messages: '' (--customer, import csv) or '-column' (replay). */
  columnOptionSuffix?: string;
  batchRows?: number;
}

/** A plain order CSV as the engine names its columns: customer_id,ts,amount[,kind], ISO times. */
export const DEFAULT_CSV_OPTIONS: CsvImportOptions = {
  customer: 'customer_id',
  ts: 'ts',
  amount: 'amount',
  kind: undefined,
  delimiter: ',',
  header: true,
  dateFormat: 'iso',
  decimalComma: false,
  idType: 'auto',
};

/**
 * What to try when a named column is missing from the header: a first line of values (no
 * header at all: --no-header and numbers), or the one column whose name suggests the role.
 */
function namesHint(header: string[], role: string): string {
  if (header.length > 1 && header.every((h) => /^[\s\d.,:/+\-TZ]+$/.test(h) && /\d/.test(h)))
    return '; the first line holds values, not names: if the file has no header, add --no-header and name the columns by number';
  return guessHint(role, header);
}

/** The 0-based column of --<role> spec: a 1-based number, or a header name (once, in any case). */
export function columnIndex(spec: string, header: string[] | null, path: string, role: string): number {
  if (/^\d+$/.test(spec)) {
    const i = Number(spec) - 1;
    if (i < 0) throw new RfmError('RFM_ERR_OPTION', `--${role} ${spec}: column numbers start at 1`);
    return i;
  }
  if (header === null)
    throw new RfmError(
      'RFM_ERR_OPTION',
      `--${role} "${spec}": without a header line, name columns by number (1, 2, ...)`,
    );
  const same = (h: string): boolean => h.trim().toLowerCase() === spec.toLowerCase();
  const i = header.findIndex(same);
  if (i < 0) {
    // one column holding the names: another delimiter than the one given
    const other = header.length === 1 ? [';', '\t', '|', ' '].find((d) => header[0].trim().includes(d)) : undefined;
    const hint =
      other === undefined
        ? namesHint(header, role)
        : `; the header is one column: is the delimiter ` +
          `${
            other === '\t'
              ? 'a tab (--delimiter tab)'
              : other === ' '
                ? 'runs of spaces (--delimiter " ")'
                : `"` + `${other}" (--delimiter "${other}")`
          }?`;
    throw new RfmError(
      'RFM_ERR_SCHEMA',
      `${path}: no column "${spec}" for --${role} (columns: ${header.join(', ')})${hint}`,
    );
  }
  const j = header.findIndex((h, k) => k > i && same(h));
  if (j >= 0)
    throw new RfmError(
      'RFM_ERR_SCHEMA',
      `${path}: the header names "${spec}" twice (columns ${i + 1} and ${j + 1}); name the one for --${role} by number`,
    );
  return i;
}

/** The order id column (0-based) of these options under this header; -1: none. */
export function orderColumnIn(o: CsvImportOptions, header: string[] | null, path: string): number {
  if (o.order === undefined) return -1;
  if (o.order.required) return columnIndex(o.order.name, header, path, 'order' + (o.columnOptionSuffix ?? ''));
  const name = o.order.name.toLowerCase();
  return header?.findIndex((h) => h.trim().toLowerCase() === name) ?? -1;
}
