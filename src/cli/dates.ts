/**
 * The dates a user gives (--as-of, --from, --to, --since-segment, --calibration-end,
 * --holdout-end), by one rule: a DATE is the end of that day in the store's time zone
 * (--timezone, UTC by default), so "--to 2025-12-31" holds every order of the 31st as the
 * store saw it; a time without an offset is a wall time there; a time with one (or Z) is
 * that instant. Commander parses each option alone, so the parser only checks the text and
 * the command's preAction hook turns it into an instant once --timezone is known.
 */
import type { Command } from 'commander';
import { RfmError } from '../domain/errors.js';
import { statSync } from 'node:fs';
import { ZoneClock } from '../sources/carts/zone-time.js';
import { zoneOfExports } from '../sources/carts/export-zone.js';
import { detectInput } from '../sources/input-format.js';
import { cartOf } from '../sources/input-source.js';

export { isoIn } from '../sources/carts/zone-time.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WALL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;

/** A date option's text, checked; resolveDates makes it an instant. */
export class DateArg {
  constructor(readonly text: string) {}
}

/** The parser of a date option: "now", a DATE, a wall time, or a time with an offset. */
export function dateArg(name: string): (v: string) => DateArg {
  return (v: string) => {
    const t = v.trim();
    if (t === 'now' || DATE.test(t) || WALL.test(t) || Number.isFinite(Date.parse(t))) {
      if (DATE.test(t) && !validDay(t)) throw new RfmError('RFM_ERR_OPTION', `${name}: ${v} is no day of the calendar`);
      return new DateArg(t);
    }
    throw new RfmError(
      'RFM_ERR_OPTION',
      `${name} must be a date like 2026-01-31 (the end of that day in --timezone),` +
        ` a time like 2026-01-31T12:00 or 2026-01-31T12:00:00Z, or "now"; got ${v}`,
    );
  };
}

function validDay(t: string): boolean {
  const [, y, m, d] = DATE.exec(t)!.map(Number);
  const at = new Date(Date.UTC(y, m - 1, d));
  return at.getUTCFullYear() === y && at.getUTCMonth() === m - 1 && at.getUTCDate() === d;
}

/**
 * The instant a date option means in the zone: a DATE's last millisecond there, a wall time there,
 * else the time given.
 */
export function instantOf(text: string, zone: string): number {
  if (text === 'now') return Date.now();
  const clock = new ZoneClock(zone);
  const day = DATE.exec(text);
  if (day !== null) {
    const [, y, m, d] = day.map(Number);
    return clock.utc(Date.UTC(y, m - 1, d + 1)) - 1;
  }
  const wall = WALL.exec(text);
  if (wall !== null) {
    const [, y, mo, d, h, mi, s, frac] = wall;
    const ms = frac === undefined ? 0 : Math.round(Number(frac) * 1000);
    return clock.utc(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms));
  }
  return Date.parse(text);
}

/** Every date option of the command as an instant in its --timezone (a preAction hook). */
export function resolveDates(command: Command): void {
  const zone = (command.opts().timezone as string | undefined) ?? 'UTC';
  for (const [key, value] of Object.entries(command.opts())) {
    if (value instanceof DateArg) command.setOptionValue(key, instantOf(value.text, zone));
  }
}

/**
 * Without --timezone, the zone a command's cart exports' own offsets tell (export-zone.ts),
 * said on stderr; a plain file's offsets make every time exact but name no zone (UTC stays).
 */
export async function zoneFromExports(command: Command): Promise<void> {
  if (
    !command.options.some((o) => o.attributeName() === 'timezone') ||
    command.getOptionValueSource('timezone') !== 'default'
  )
    return;
  const carts: string[] = [];
  for (const arg of command.args) {
    try {
      if (arg !== '-' && statSync(arg).isFile() && cartOf((await detectInput(arg)) ?? 'csv') !== null) carts.push(arg);
    } catch {
      // not a file this can look at: its reader says what is wrong with it
    }
  }
  if (carts.length === 0) return;
  const told = await zoneOfExports(carts);
  if (told === null || told.zone === 'UTC') return;
  command.setOptionValueWithSource('timezone', told.zone, 'implied');
  if (command.opts().quiet !== true) {
    process.stderr.write(
      `rfm: the export's times carry the offsets ${told.offsets.join(', ')}: the store's zone is taken as ` +
        `${told.zone} (--timezone to say another)\n`,
    );
  }
}
