/**
 * Store-local wall times to UTC for an IANA zone, without a time-zone library: the zone's
 * offset at an instant comes from Intl (the ICU data Node ships), cached by the hour, since
 * an export's orders come hour after hour.
 */
import { RfmError } from '../../domain/errors.js';

const HOUR_MS = 3_600_000;

export class ZoneClock {
  private readonly format: Intl.DateTimeFormat | null;
  private readonly offsets = new Map<number, number>();

  constructor(readonly zone: string) {
    if (zone.toUpperCase() === 'UTC' || zone === 'Etc/UTC') {
      this.format = null;
      return;
    }
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RfmError(
        'RFM_ERR_OPTION',
        `--timezone ${zone}: not a time zone this Node knows (an IANA name such as Europe/Berlin or America/New_York)`,
      );
    }
  }

  /** The zone's offset from UTC (ms, east positive) at the instant utcMs. */
  offsetAt(utcMs: number): number {
    if (this.format === null) return 0;
    const hour = Math.floor(utcMs / HOUR_MS);
    const cached = this.offsets.get(hour);
    if (cached !== undefined) return cached;
    const p: Record<string, number> = {};
    for (const part of this.format.formatToParts(hour * HOUR_MS))
      if (part.type !== 'literal') p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    const offset = wall - hour * HOUR_MS;
    this.offsets.set(hour, offset);
    return offset;
  }

  /**
   * The instant of a wall time (written as if it were UTC ms). A time the clocks skip (the
   * spring-forward hour) lands an hour on; one they pass twice (the autumn hour) is one of
   * its two instants, which the export cannot tell apart either.
   */
  utc(wallMs: number): number {
    if (this.format === null) return wallMs;
    const first = wallMs - this.offsetAt(wallMs);
    const second = wallMs - this.offsetAt(first);
    return Math.max(first, second);
  }
}

/** An instant as ISO 8601 in the zone ("2025-12-31T19:21:00.000-05:00"; UTC keeps its Z). */
export function isoIn(t: number, zone: string): string {
  if (!Number.isFinite(t)) return new Date(Number.NaN).toString();
  const offset = new ZoneClock(zone).offsetAt(t);
  if (offset === 0 && (zone.toUpperCase() === 'UTC' || zone === 'Etc/UTC')) return new Date(t).toISOString();
  const wall = new Date(t + offset).toISOString().slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.abs(offset) / 60_000;
  return `${wall}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The day (yyyy-mm-dd) an instant falls on in the zone. */
export function dayIn(t: number, zone: string): string {
  return isoIn(t, zone).slice(0, 10);
}
