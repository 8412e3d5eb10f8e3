/** The parsers of option values: each takes what it documents and names the option and the value otherwise. */
import { expect, test } from 'vitest';
import { amount, duration, fraction, futureBound, oneOf, rate, wholeNumber } from '../../../src/cli/options.js';
import { RfmError } from '../../../src/domain/errors.js';

/** The parser's message for v (it must refuse it as an option error). */
function refused<T>(parse: (v: string) => T, v: string): string {
  try {
    parse(v);
  } catch (e) {
    expect(e).toBeInstanceOf(RfmError);
    expect((e as RfmError).code).toBe('RFM_ERR_OPTION');
    return (e as RfmError).message;
  }
  throw new Error(`${v} was taken`);
}

test('wholeNumber: integers within the bounds, underscores allowed', () => {
  const workers = wholeNumber('--workers', 0, 64);
  expect(workers('2')).toBe(2);
  expect(workers('0')).toBe(0);
  expect(wholeNumber('--orders', 1)('10_000_000')).toBe(10_000_000);
  for (const v of ['1.5', '-1', '65', 'two', ''])
    expect(refused(workers, v)).toBe(`--workers must be a whole number from 0 to 64, got ${v}`);
});

test('fraction: above 0 and below 0.5', () => {
  expect(fraction('--accuracy')('0.005')).toBe(0.005);
  for (const v of ['0', '0.5', 'x', '-0.1'])
    expect(refused(fraction('--accuracy'), v)).toBe(`--accuracy must be above 0 and below 0.5, got ${v}`);
});

test('rate: a yearly rate from 0 to 1', () => {
  expect(rate('--discount')('0')).toBe(0);
  expect(rate('--discount')('1')).toBe(1);
  for (const v of ['', '1.1', '-0.1', 'ten'])
    expect(refused(rate('--discount'), v)).toBe(
      `--discount must be a yearly rate from 0 to 1 (0.1: 10 % a year), got ${v}`,
    );
});

test('oneOf: the values listed, and the list in the message', () => {
  const every = oneOf('--every', ['day', 'week', 'month', 'quarter'] as const);
  expect(every('month')).toBe('month');
  expect(refused(every, 'fortnight')).toBe('--every must be one of day, week, month, quarter, got fortnight');
});

test('duration: ms, s, m, h or d; "off" for none', () => {
  const every = duration('--checkpoint-every');
  expect(every('90s')).toBe(90_000);
  expect(every('1.5h')).toBe(5_400_000);
  expect(every('1d')).toBe(86_400_000);
  expect(every('250ms')).toBe(250);
  expect(every('off')).toBeUndefined();
  for (const v of ['10', '5 minutes', 'h'])
    expect(refused(every, v)).toBe(
      `--checkpoint-every must be a duration like 90s, 30m, 12h or 1d (or "off"), got ${v}`,
    );
});

test('futureBound: a duration, or off for no bound', () => {
  expect(futureBound('--max-future')('1d')).toBe(86_400_000);
  expect(futureBound('--max-future')('off')).toBe(Infinity);
  expect(refused(futureBound('--max-future'), 'soon')).toContain('--max-future must be a duration');
});

test('amount: a positive amount, underscores allowed', () => {
  expect(amount('--max-amount')('1_000_000')).toBe(1_000_000);
  for (const v of ['0', '-5', 'Infinity', 'lots'])
    expect(refused(amount('--max-amount'), v)).toBe(`--max-amount must be a positive amount, got ${v}`);
});
