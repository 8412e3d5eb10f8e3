import { tableFromArrays } from 'apache-arrow';
import { expect, test } from 'vitest';
import { guessHint } from '../../../src/batch/column-guess.js';
import { checkSchema } from '../../../src/batch/schema.js';
import { DEFAULT_COLUMNS } from '../../../src/batch/schema.js';

test('the one column whose name has a word of the role is the guess; two or none, no guess', () => {
  expect(guessHint('ts-column', ['customer_id', 'date', 'number_of_cds', 'dollar_value'])).toBe(
    '; is it "date" (--ts-column "date")?',
  );
  expect(guessHint('amount-column', ['customer_id', 'Created at', 'Total'])).toBe(
    '; is it "Total" (--amount-column "Total")?',
  );
  expect(guessHint('customer-column', [' Email ', 'Paid at'])).toBe('; is it "Email" (--customer-column "Email")?');
  expect(guessHint('amount-column', ['id', 'subtotal', 'total'])).toBe('');
  expect(guessHint('ts-column', ['id', 'when'])).toBe('');
  expect(guessHint('order-column', ['order_no'])).toBe('');
  // rfm import csv names its options --customer, --ts, --amount
  expect(guessHint('ts', ['customer_id', 'Order Date', 'total'])).toBe('; is it "Order Date" (--ts "Order Date")?');
});

test('an Arrow batch without the ts column says which column it may be, and how to name it', () => {
  const batch = tableFromArrays({
    customer_id: BigInt64Array.of(1n),
    order_date: new Float64Array([1.7e12]),
    total: new Float64Array([1]),
  }).batches[0];
  expect(() => checkSchema(batch, DEFAULT_COLUMNS, 'g.arrow')).toThrow(
    'g.arrow: column "ts" is missing (columns: "customer_id", "order_date", "total"); expected Timestamp' +
      ' (s/ms/us/ns), Date32, Date64 or Int64 milliseconds; is it "order_date" (--ts-column "order_date")?',
  );
});
