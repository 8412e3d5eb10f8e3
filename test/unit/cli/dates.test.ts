/** One rule for the dates a user gives: a DATE is the end of that day in the store's zone. */
import { expect, test } from 'vitest';
import { dateArg, instantOf, isoIn } from '../../../src/cli/dates.js';
import { periodEnds } from '../../../src/cli/periods.js';

test('a DATE is the last millisecond of that day in the zone; a wall time is in the zone; an offset is exact', () => {
  expect(new Date(instantOf('2025-12-31', 'UTC')).toISOString()).toBe('2025-12-31T23:59:59.999Z');
  expect(new Date(instantOf('2025-12-31', 'America/New_York')).toISOString()).toBe('2026-01-01T04:59:59.999Z');
  // the day the clocks go forward in Berlin has 23 hours; its end is still the next midnight there
  expect(new Date(instantOf('2025-03-30', 'Europe/Berlin')).toISOString()).toBe('2025-03-30T21:59:59.999Z');
  expect(new Date(instantOf('2025-12-31T19:21', 'America/New_York')).toISOString()).toBe('2026-01-01T00:21:00.000Z');
  expect(new Date(instantOf('2025-12-31T19:21:00Z', 'America/New_York')).toISOString()).toBe(
    '2025-12-31T19:21:00.000Z',
  );
  expect(new Date(instantOf('2025-12-31T19:21:00-05:00', 'UTC')).toISOString()).toBe('2026-01-01T00:21:00.000Z');
  expect(() => dateArg('--to')('2025-02-30')).toThrow('--to: 2025-02-30 is no day of the calendar');
  expect(() => dateArg('--to')('yesterday')).toThrow('--to must be a date like 2026-01-31');
});

test('times are shown in the zone, ISO 8601 with its offset', () => {
  const t = Date.parse('2026-01-01T00:21:00Z');
  expect(isoIn(t, 'America/New_York')).toBe('2025-12-31T19:21:00.000-05:00');
  expect(isoIn(t, 'Asia/Kolkata')).toBe('2026-01-01T05:51:00.000+05:30');
  expect(isoIn(t, 'UTC')).toBe('2026-01-01T00:21:00.000Z');
  expect(Date.parse(isoIn(t, 'America/New_York'))).toBe(t);
});

test("--every periods end at the zone's midnights", () => {
  const first = Date.parse('2025-10-15T12:00:00Z');
  const last = Date.parse('2026-01-15T12:00:00Z');
  const ends = periodEnds(first, last, 'month', 'America/New_York').map((t) => new Date(t).toISOString());
  // October ends at 00:00 EDT (-4) of 1 November, November and December at 00:00 EST (-5)
  expect(ends).toEqual(['2025-11-01T03:59:59.999Z', '2025-12-01T04:59:59.999Z', '2026-01-01T04:59:59.999Z']);
  expect(periodEnds(first, last, 'month').map((t) => new Date(t).toISOString())).toEqual([
    '2025-10-31T23:59:59.999Z',
    '2025-11-30T23:59:59.999Z',
    '2025-12-31T23:59:59.999Z',
  ]);
});
