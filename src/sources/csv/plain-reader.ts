/**
 * Order CSV import with named (or 1-based numbered) columns. Values that cannot be read
 * are written as nulls, so `rfm replay` counts those rows as rejected.
 */
import type { RecordBatch } from 'apache-arrow';
import { RfmError } from '../../domain/errors.js';
import { Kind } from '../../domain/types.js';
import { KIND_UNKNOWN, OrderBatchBuffer } from '../batch-builder.js';
import { readRecords } from './lines.js';
import type { ImportStats } from '../import-stats.js';
import { parseAmount, parseIntIdInto, parseTime } from '../parse-values.js';
import { columnIndex, orderColumnIn } from './csv-options.js';
import type { CsvImportOptions } from './csv-options.js';

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
          `${path}: line ${line}: customer id "${idText}" is not an integer, but earlier ids were;` +
            ` import with --id-type string`,
        );
      }
      if (o.idType === 'auto' && LEADING_ZERO.test(idText)) {
        throw new RfmError(
          'RFM_ERR_INPUT',
          `${path}: line ${line}: customer id "${idText}" has a leading zero, but earlier ids were integers;` +
            ` import with --id-type string to keep it apart, or --id-type int to read it as a number`,
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
