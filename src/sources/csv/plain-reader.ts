/**
 * Order CSV import with named (or 1-based numbered) columns. Values that cannot be read
 * are written as nulls, so `rfm replay` counts those rows as rejected.
 */
import type { RecordBatch } from 'apache-arrow';
import { RfmError } from '../../domain/errors.js';
import { Kind } from '../../domain/types.js';
import { KIND_UNKNOWN, OrderBatchBuffer } from '../batch-builder.js';
import { readRecords } from './lines.js';
import type { TextEncoding } from './lines.js';
import type { ImportStats } from '../import-stats.js';
import { parseAmount, parseIntIdInto, parseTime } from '../parse-values.js';
import type { DateFormat } from '../parse-values.js';
import type { OrderColumn } from '../../batch/schema.js';

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

/** An integer written with a leading zero: 007, -01 (0 alone is a number). */
const LEADING_ZERO = /^-?0\d/;

/** The kind column read without --kind, when the header has it. */
const DEFAULT_KIND_COLUMN = 'kind';

const KINDS: Record<string, number> = {
  order: Kind.order,
  refund: Kind.refund,
  visit: Kind.visit,
  email_open: Kind.emailOpen,
};

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
        ? ''
        : `; the header is one column: is the delimiter ${other === '\t' ? 'a tab (--delimiter tab)' : other === ' ' ? 'runs of spaces (--delimiter " ")' : `"${other}" (--delimiter "${other}")`}?`;
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

export async function* readCsvOrders(
  source: string | NodeJS.ReadableStream,
  o: CsvImportOptions,
  stats: ImportStats,
): AsyncGenerator<RecordBatch> {
  const path = typeof source === 'string' ? source : 'the request body';
  let buffer: OrderBatchBuffer | null = null;
  let cols: { customer: number; ts: number; amount: number; kind: number; order: number } | null = null;
  let header: string[] | null = null;
  const id = new Int32Array(2);
  let isInt = o.idType === 'int';
  // with --id-type auto the first non-empty id decides; rows without one wait for it
  let decided = o.idType !== 'auto';
  const waiting: { ts: number; amount: number; kind: number; order: string | null }[] = [];
  for await (const { line, fields } of readRecords(source, o.delimiter, o.encoding)) {
    if (o.header && header === null) {
      header = fields;
      continue;
    }
    if (cols === null) {
      cols = {
        customer: columnIndex(o.customer, header, path, 'customer' + (o.columnOptionSuffix ?? '')),
        ts: columnIndex(o.ts, header, path, 'ts' + (o.columnOptionSuffix ?? '')),
        amount: columnIndex(o.amount, header, path, 'amount' + (o.columnOptionSuffix ?? '')),
        kind: o.kind
          ? columnIndex(o.kind, header, path, 'kind' + (o.columnOptionSuffix ?? ''))
          : (header?.findIndex((h) => h.trim().toLowerCase() === DEFAULT_KIND_COLUMN) ?? -1),
        order: orderColumnIn(o, header, path),
      };
    }
    stats.records++;
    if (header !== null && fields.length !== header.length) {
      // a field too many or too few: its values may be in the wrong columns, so none is read
      if (stats.badFieldCounts++ === 0) stats.firstBadFieldCountLine = line;
      continue;
    }
    const idText = (fields[cols.customer] ?? '').trim();
    if (!decided && idText !== '') {
      // an id with a leading zero (00017) is a code, not a number: read as a string, it stays
      // apart from 17
      isInt = /^-?\d{1,18}$/.test(idText) && !LEADING_ZERO.test(idText);
      decided = true;
    }
    const ts = parseTime(fields[cols.ts] ?? '', o.dateFormat);
    const amountText = fields[cols.amount] ?? '';
    let kind: number = Kind.order;
    if (cols.kind >= 0) {
      const k = (fields[cols.kind] ?? '').trim().toLowerCase();
      kind = k === '' ? Kind.order : (KINDS[k] ?? KIND_UNKNOWN);
      if (kind === KIND_UNKNOWN) stats.badKinds++;
    }
    // visits and email opens need no amount
    const amount =
      amountText.trim() === '' && (kind === Kind.visit || kind === Kind.emailOpen)
        ? 0
        : parseAmount(amountText, o.decimalComma);
    if (ts !== ts) stats.badTimes++;
    if (amount !== amount) stats.badAmounts++;
    stats.rows++;
    const order = cols.order >= 0 ? (fields[cols.order] ?? '').trim() : null;
    if (!decided) {
      stats.badIds++;
      waiting.push({ ts, amount, kind, order });
      continue;
    }
    if (buffer === null) {
      buffer = new OrderBatchBuffer(o.batchRows ?? 65_536, !isInt, cols.order >= 0);
      for (const w of waiting) {
        pushNull(buffer, isInt, w);
        if (buffer.isFull) yield buffer.take();
      }
      waiting.length = 0;
    }
    const b = buffer;
    if (isInt) {
      const ok = idText !== '' && parseIntIdInto(id, idText);
      if (!ok && idText !== '') {
        throw new RfmError(
          'RFM_ERR_INPUT',
          `${path}: line ${line}: customer id "${idText}" is not an integer, but earlier ids were; import with --id-type string`,
        );
      }
      if (o.idType === 'auto' && LEADING_ZERO.test(idText)) {
        throw new RfmError(
          'RFM_ERR_INPUT',
          `${path}: line ${line}: customer id "${idText}" has a leading zero, but earlier ids were integers; import with --id-type string to keep it apart, or --id-type int to read it as a number`,
        );
      }
      if (!ok) stats.badIds++;
      b.pushInt(ok ? id[0] : 0, ok ? id[1] : 0, !ok, ts, amount, kind);
    } else {
      if (idText === '') stats.badIds++;
      b.pushString(idText === '' ? null : idText, ts, amount, kind);
    }
    if (order !== null) b.orderId(order);
    if (b.isFull) yield b.take();
  }
  if (buffer === null && waiting.length > 0) {
    // no row had an id: string ids, every row rejected as a null customer downstream
    buffer = new OrderBatchBuffer(o.batchRows ?? 65_536, true, cols!.order >= 0);
    for (const w of waiting) {
      pushNull(buffer, false, w);
      if (buffer.isFull) yield buffer.take();
    }
  }
  if (buffer && buffer.rows > 0) yield buffer.take();
}

/** A row without a customer id, into the batch as a null id. */
function pushNull(
  b: OrderBatchBuffer,
  isInt: boolean,
  r: { ts: number; amount: number; kind: number; order: string | null },
): void {
  if (isInt) b.pushInt(0, 0, true, r.ts, r.amount, r.kind);
  else b.pushString(null, r.ts, r.amount, r.kind);
  if (r.order !== null) b.orderId(r.order);
}
