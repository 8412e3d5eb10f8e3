/**
 * The CDNOW text format (shared/data/cdnow): whitespace-separated
 *   customer id, [id within the sample,] yyyymmdd, number of CDs, dollars
 * with an optional header line. Dates are midnight UTC; every line is one order.
 */
import type { RecordBatch } from 'apache-arrow';
import { RfmError } from '../domain/errors.js';
import { Kind } from '../domain/types.js';
import { OrderBatchBuffer } from './batch-builder.js';
import { readRecords } from './csv/lines.js';
import type { ImportStats } from './import-stats.js';
import { parseAmount, parseIntIdInto, parseTime } from './parse-values.js';

export async function* readCdnow(path: string, stats: ImportStats, batchRows = 65_536): AsyncGenerator<RecordBatch> {
  const buffer = new OrderBatchBuffer(batchRows, false);
  const id = new Int32Array(2);
  let width = 0;
  for await (const { line, fields } of readRecords(path, ' ')) {
    if (width === 0) {
      if (!/^\d+$/.test(fields[0])) continue; // header
      width = fields.length;
      if (width !== 4 && width !== 5) {
        throw new RfmError(
          'RFM_ERR_SCHEMA',
          `${path}: line ${line} has ${width} columns; the CDNOW format has 4 (id, yyyymmdd, CDs, dollars) or 5 (id,` +
            ` sample id, yyyymmdd, CDs, dollars)`,
        );
      }
    }
    stats.records++;
    const dateAt = width === 5 ? 2 : 1;
    const okId = fields.length === width && parseIntIdInto(id, fields[0]);
    const ts = fields.length === width ? parseTime(fields[dateAt], 'yyyymmdd') : NaN;
    const amount = fields.length === width ? parseAmount(fields[width - 1]) : NaN;
    if (!okId) stats.badIds++;
    if (ts !== ts) stats.badTimes++;
    if (amount !== amount) stats.badAmounts++;
    buffer.pushInt(okId ? id[0] : 0, okId ? id[1] : 0, !okId, ts, amount, Kind.order);
    stats.rows++;
    if (buffer.isFull) yield buffer.take();
  }
  if (buffer.rows > 0) yield buffer.take();
}
