/**
 * The customer list: one CSV row per customer, named as the input named it (strings
 * included), so the list can be mailed. Customers without an order (prospects) have
 * empty scores, retention, segment and group.
 */
import { isoIn } from '../sources/carts/zone-time.js';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { DAY_MS } from '../core/buckets.js';
import { decimalOfWords } from '../domain/id-text.js';
import type { CustomerRows } from '../domain/types.js';
import type { CustomerExport } from '../results.js';

export const CUSTOMER_COLUMNS = [
  'customer_id',
  'orders',
  'purchase_days',
  'spend',
  'first_ts',
  'last_ts',
  'recency_days',
  'r',
  'f',
  'm',
  'aov_score',
  'retention',
  'segment',
  'group',
] as const;

/** A field as CSV: quoted when it holds a delimiter, quote or line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const decoder = new TextDecoder();

/** The customer id of row i as the input gave it (unsigned: the input's ids were Uint64). */
export function customerIdOf(
  rows: Pick<CustomerRows, 'idMode' | 'idWords' | 'idOffsets' | 'idBytes'>,
  i: number,
  unsigned = false,
): string {
  if (rows.idMode === 'utf8') return decoder.decode(rows.idBytes!.subarray(rows.idOffsets![i], rows.idOffsets![i + 1]));
  return decimalOfWords(rows.idWords![2 * i], rows.idWords![2 * i + 1], unsigned);
}

/** CSV lines of one shard's rows (no header). */
export function* customerLines(rows: CustomerRows, exp: CustomerExport, zone = 'UTC'): Generator<string> {
  const { model, asOf } = exp;
  for (let i = 0; i < rows.numRows; i++) {
    const hasOrder = rows.orders[i] > 0;
    const seg = rows.segment[i];
    const segName = hasOrder ? (model.segmentNames[seg] ?? 'Unmatched') : '';
    const fields = [
      csvField(customerIdOf(rows, i, exp.unsignedIds)),
      String(rows.orders[i]),
      String(rows.purchaseDays[i]),
      String(Math.round(rows.spend[i] * 100) / 100),
      hasOrder ? isoIn(rows.firstTs[i], zone) : '',
      hasOrder ? isoIn(rows.lastTs[i], zone) : '',
      hasOrder ? String(Math.round(((asOf - rows.lastTs[i]) / DAY_MS) * 1000) / 1000) : '',
      hasOrder ? String(rows.r[i]) : '',
      hasOrder ? String(rows.f[i]) : '',
      hasOrder ? String(rows.m[i]) : '',
      hasOrder ? String(rows.aovScore[i]) : '',
      hasOrder ? model.retentionNames[rows.retention[i]] : '',
      csvField(segName),
      hasOrder ? csvField(model.segmentGroups[seg] ?? '') : '',
    ];
    yield fields.join(',');
  }
}

/** Columns after the list's own, each row's values of them (the predictions of --predict). */
export interface ExtraColumns {
  columns: readonly string[];
  of(rows: CustomerRows, i: number): string[];
}

/** Writes the list to a file ('-': stdout). Returns the number of rows. */
export async function writeCustomersCsv(
  path: string,
  exp: CustomerExport,
  extra?: ExtraColumns,
  zone = 'UTC',
): Promise<number> {
  const file = path === '-' ? null : createWriteStream(path);
  const out: NodeJS.WritableStream = file ?? process.stdout;
  const write = async (s: string): Promise<void> => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write([...CUSTOMER_COLUMNS, ...(extra?.columns ?? [])].join(',') + '\n');
  let n = 0;
  for (const part of exp.parts) {
    let chunk = '';
    let i = 0;
    for (const line of customerLines(part, exp, zone)) {
      chunk += (extra ? `${line},${extra.of(part, i++).join(',')}` : line) + '\n';
      n++;
      if (chunk.length > 1 << 16) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
  }
  if (file) {
    file.end();
    await finished(file);
  }
  return n;
}
