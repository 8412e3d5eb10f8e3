/**
 * The store's time zone as a cart export's own times tell it: Shopify writes each order's
 * time with its offset ("2025-12-31 19:21:00 -0500"), which over a year names the zone's
 * rules (-0500 in winter, -0400 in summer). Without --timezone, a command on such an export
 * takes the IANA zone whose offsets are those at every sampled instant, so a DATE ends at the
 * store's midnight and times are shown as the store saw them. Of several zones with the same
 * offsets over the export's dates (New York, Toronto, Detroit), the first of the common
 * store zones below, else the first by name: they differ in nothing the export shows.
 */
import { readRecords } from '../csv/lines.js';
import { headerWord } from './cart-preset.js';
import { CartTime } from './cart-values.js';
import { detectCart } from './carts.js';
import { ZoneClock } from './zone-time.js';

/** Records of an export looked at for offsets. */
const SAMPLED_RECORDS = 20_000;

/** Zones preferred among those that fit the same offsets: where most stores are. */
const COMMON = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Toronto',
  'America/Vancouver',
  'America/Mexico_City',
  'America/Sao_Paulo',
  'Europe/London',
  'Europe/Dublin',
  'Europe/Lisbon',
  'Europe/Berlin',
  'Europe/Paris',
  'Europe/Madrid',
  'Europe/Amsterdam',
  'Europe/Stockholm',
  'Europe/Helsinki',
  'Europe/Athens',
  'Europe/Istanbul',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Australia/Perth',
  'Australia/Brisbane',
  'Australia/Sydney',
  'Australia/Melbourne',
  'Pacific/Auckland',
];

/** An instant and the offset (ms, east positive) the export wrote for it. */
interface Sample {
  at: number;
  offset: number;
}

/** Distinct (month, offset) samples of the export's times that carry an offset. */
async function samplesOf(path: string): Promise<Sample[]> {
  const time = new CartTime();
  const byMonthAndOffset = new Map<string, Sample>();
  let column = -1;
  let records = 0;
  try {
    for await (const r of readRecords(path, ',', 'latin1')) {
      if (records++ === 0) {
        r.fields[0] = r.fields[0]?.replace(/^\u00ef\u00bb\u00bf/, '') ?? '';
        const preset = detectCart(r.fields);
        const names = new Set((preset?.columns.createdAt ?? []).map(headerWord));
        column = r.fields.findIndex((f) => names.has(headerWord(f)));
        if (column < 0) return [];
        continue;
      }
      if (records > SAMPLED_RECORDS) break;
      time.read(r.fields[column] ?? '', null);
      const at = time.exact;
      if (at !== at) continue;
      const key = `${Math.floor(at / 2_592_000_000)}:${time.offset}`;
      if (!byMonthAndOffset.has(key)) byMonthAndOffset.set(key, { at, offset: time.offset });
    }
  } catch {
    // an export that does not read: its reader says why
    return [];
  }
  return [...byMonthAndOffset.values()];
}

/** The zone the exports' written offsets tell, with the offsets seen; null when their times carry none. */
export async function zoneOfExports(paths: string[]): Promise<{ zone: string; offsets: string[] } | null> {
  const samples = (await Promise.all(paths.map(samplesOf))).flat();
  if (samples.length === 0) return null;
  const offsets = [...new Set(samples.map((s) => s.offset))].sort((a, b) => a - b).map(offsetText);
  if (samples.every((s) => s.offset === 0)) return { zone: 'UTC', offsets };
  const fits = (zone: string): boolean => {
    const clock = new ZoneClock(zone);
    return samples.every((s) => clock.offsetAt(s.at) === s.offset);
  };
  const common = COMMON.find(fits);
  if (common !== undefined) return { zone: common, offsets };
  const zone = Intl.supportedValuesOf('timeZone').find((z) => z.includes('/') && fits(z));
  return zone === undefined ? null : { zone, offsets };
}

function offsetText(ms: number): string {
  const m = Math.abs(ms) / 60_000;
  return `${ms < 0 ? '-' : '+'}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
