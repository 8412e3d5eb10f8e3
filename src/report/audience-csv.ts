/**
 * Customer lists an email tool imports: the customers of chosen audiences, segments, groups
 * or retention states, one row per customer and list, UTF-8, with the header names
 * Mailchimp's and Klaviyo's list imports map ("Email Address" first, which both take as the
 * address; the rest become properties).
 */
import { dayIn } from '../sources/carts/zone-time.js';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { RfmError } from '../domain/errors.js';
import type { CustomerRows } from '../domain/types.js';
import type { Model } from '../model/model.js';
import type { CustomerExport } from '../results.js';
import { csvField, customerIdOf } from './customers-csv.js';
import type { ExtraColumns } from './customers-csv.js';

export const LIST_COLUMNS = [
  'Email Address',
  'Customer ID',
  'List',
  'Segment',
  'Group',
  'Retention',
  'Orders',
  'Purchase Days',
  'Net Spend',
  'First Order',
  'Last Order',
  'Recency Days',
  'R',
  'F',
  'M',
] as const;

export type ListKind = 'audience' | 'segment' | 'group' | 'retention';

/** One list asked for: an audience, segment, group or retention state of the model, by name. */
export interface ListChoice {
  kind: ListKind;
  name: string;
  /** With a segment: only customers who were not in it at this date (ms), i.e. entered it since. */
  since?: number;
}

const NO_SEGMENT = 255;

/** The model's spelling of a name the user gave in any case; an error listing the names otherwise. */
export function modelName(model: Model, kind: ListKind, asked: string): string {
  const names =
    kind === 'audience'
      ? model.audienceNames
      : kind === 'segment'
        ? model.segmentNames
        : kind === 'group'
          ? model.groupNames
          : model.retentionNames;
  const found = names.find((n) => n.toLowerCase() === asked.trim().toLowerCase());
  if (found === undefined)
    throw new RfmError('RFM_ERR_OPTION', `--${kind} "${asked}": the model has no such ${kind} (${names.join(', ')})`);
  return found;
}

/** Whether row i is in the list. */
function inList(rows: CustomerRows, i: number, model: Model, list: ListChoice): boolean {
  const seg = rows.orders[i] > 0 ? rows.segment[i] : NO_SEGMENT;
  switch (list.kind) {
    case 'audience':
      return (rows.audiences[i] & (1 << model.audienceNames.indexOf(list.name))) !== 0;
    case 'segment':
      if (seg === NO_SEGMENT || model.segmentNames[seg] !== list.name) return false;
      return list.since === undefined || rows.previousSegment[i] !== seg;
    case 'group':
      return seg !== NO_SEGMENT && model.segmentGroups[seg] === list.name;
    case 'retention':
      return seg !== NO_SEGMENT && model.retentionNames[rows.retention[i]] === list.name;
  }
}

/** The lines of one shard's rows in the lists; counts[k] gains list k's customers. */
function* listLines(
  rows: CustomerRows,
  exp: CustomerExport,
  lists: ListChoice[],
  counts: number[],
  extra?: ExtraColumns,
  zone = 'UTC',
): Generator<string> {
  const day = (ms: number): string => dayIn(ms, zone);
  const { model, asOf } = exp;
  for (let i = 0; i < rows.numRows; i++) {
    for (let k = 0; k < lists.length; k++) {
      if (!inList(rows, i, model, lists[k])) continue;
      counts[k]++;
      const id = customerIdOf(rows, i, exp.unsignedIds);
      const hasOrder = rows.orders[i] > 0;
      const seg = hasOrder ? rows.segment[i] : NO_SEGMENT;
      const fields = [
        id.includes('@') ? csvField(id.trim()) : '',
        csvField(id),
        csvField(lists[k].name),
        seg === NO_SEGMENT ? '' : csvField(model.segmentNames[seg] ?? ''),
        seg === NO_SEGMENT ? '' : csvField(model.segmentGroups[seg] ?? ''),
        hasOrder ? csvField(model.retentionNames[rows.retention[i]] ?? '') : '',
        String(rows.orders[i]),
        String(rows.purchaseDays[i]),
        rows.spend[i].toFixed(2),
        hasOrder ? day(rows.firstTs[i]) : '',
        hasOrder ? day(rows.lastTs[i]) : '',
        hasOrder ? ((asOf - rows.lastTs[i]) / 86_400_000).toFixed(1) : '',
        hasOrder ? String(rows.r[i]) : '',
        hasOrder ? String(rows.f[i]) : '',
        hasOrder ? String(rows.m[i]) : '',
        ...(extra?.of(rows, i) ?? []),
      ];
      yield fields.join(',') + '\n';
    }
  }
}

/** Writes the lists' customers to path ('-': stdout); returns each list's count and how many rows carry an email. */
export async function writeLists(
  path: string,
  exp: CustomerExport,
  lists: ListChoice[],
  extra?: ExtraColumns,
  zone = 'UTC',
): Promise<{ counts: number[]; emails: number }> {
  const out = path === '-' ? process.stdout : createWriteStream(path);
  const failed = new Promise<never>((_, reject) =>
    out.on('error', (e: Error) => reject(new RfmError('RFM_ERR_INPUT', `cannot write ${path}: ${e.message}`))),
  );
  failed.catch(() => undefined);
  const counts = lists.map(() => 0);
  let emails = 0;
  out.write([...LIST_COLUMNS, ...(extra?.columns ?? [])].join(',') + '\n');
  for (const part of exp.parts) {
    for (const line of listLines(part, exp, lists, counts, extra, zone)) {
      if (line.charCodeAt(0) !== 44) emails++;
      if (!out.write(line)) await Promise.race([once(out, 'drain'), failed]);
    }
  }
  if (path !== '-') {
    out.end();
    await Promise.race([finished(out), failed]);
  }
  return { counts, emails };
}
