/** The one money grammar (parse-values.ts): what it reads, and what it refuses rather than guess. */
import { describe, expect, test } from 'vitest';
import { parseAmount } from '../../../src/sources/parse-values.js';
import { MONEY_TABLE } from '../../support/money-table.js';

describe('parseAmount', () => {
  test.each(MONEY_TABLE)('%j (decimal comma %s) is %d', (text, comma, want) => {
    expect(parseAmount(text, comma)).toBe(want);
  });

  test('a huge number is read as what it is (the amount bound rejects it, with its reason)', () => {
    expect(parseAmount('99999999999999999999')).toBe(1e20);
    expect(parseAmount('1e308')).toBe(1e308);
  });
});
