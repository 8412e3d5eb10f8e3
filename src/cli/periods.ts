/** The boundaries of `rfm replay --every`: the last millisecond of each period in the store's time zone. */
import { RfmError } from '../domain/errors.js';
import { ZoneClock } from '../sources/carts/zone-time.js';

export const PERIODS = ['day', 'week', 'month', 'quarter'] as const;
export type Period = (typeof PERIODS)[number];

/** The start of the period after the one holding t in the zone (weeks start on Monday, ISO 8601). */
function nextStart(t: number, p: Period, clock: ZoneClock): number {
  // the wall time in the zone, as UTC fields
  const d = new Date(t + clock.offsetAt(t));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const wall = ((): number => {
    switch (p) {
      case 'day':
        return Date.UTC(y, m, d.getUTCDate() + 1);
      case 'week':
        return Date.UTC(y, m, d.getUTCDate() + (7 - ((d.getUTCDay() + 6) % 7)));
      case 'month':
        return Date.UTC(y, m + 1, 1);
      case 'quarter':
        return Date.UTC(y, m - (m % 3) + 3, 1);
    }
  })();
  return clock.utc(wall);
}

/**
 * The period ends from the one holding first up to the one before the period holding last;
 * the caller's final boundary (the last event, or --to) closes the series. At most
 * `limit` boundaries (a day series of decades is a mistake, not a report).
 */
export function periodEnds(first: number, last: number, p: Period, zone = 'UTC', limit = 10_000): number[] {
  const clock = new ZoneClock(zone);
  const ends: number[] = [];
  for (let start = nextStart(first, p, clock); start <= last; start = nextStart(start, p, clock)) {
    ends.push(start - 1);
    if (ends.length > limit)
      throw new RfmError(
        'RFM_ERR_OPTION',
        `--every ${p} over these dates makes more than ${limit.toLocaleString('en-US')} reports; take a longer period`,
      );
  }
  return ends;
}
