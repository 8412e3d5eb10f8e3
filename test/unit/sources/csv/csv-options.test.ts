import { expect, test } from 'vitest';
import { columnIndex } from '../../../../src/sources/csv/csv-options.js';

const missing = (spec: string, header: string[], role: string): string => {
  try {
    columnIndex(spec, header, 'orders.csv', role);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('no error');
};

test('a missing column names the one whose name suggests the role, when one does', () => {
  const cdnow = ['customer_id', 'date', 'number_of_cds', 'dollar_value'];
  expect(missing('ts', cdnow, 'ts-column')).toBe(
    'orders.csv: no column "ts" for --ts-column (columns: customer_id, date, number_of_cds, dollar_value);' +
      ' is it "date" (--ts-column "date")?',
  );
  expect(missing('amount', cdnow, 'amount-column')).toMatch(
    /is it "dollar_value" \(--amount-column "dollar_value"\)\?$/,
  );
  expect(missing('customer_id', ['Email', 'Created at', 'Total'], 'customer-column')).toMatch(/is it "Email"/);
  // two candidates, or none: no guess
  expect(missing('amount', ['id', 'subtotal', 'total'], 'amount-column')).toMatch(/\(columns: id, subtotal, total\)$/);
  expect(missing('ts', ['id', 'when', 'x'], 'ts-column')).toMatch(/\(columns: id, when, x\)$/);
});

test('a first line of values says the file may have no header, and what to do', () => {
  for (const header of [
    ['1', '2024-01-01', '10'],
    ['00001', '19970101', '1', '11.77'],
    ['17', '2024-01-01T10:00:00Z', '9.99'],
  ])
    expect(missing('customer_id', header, 'customer-column')).toMatch(
      /; the first line holds values, not names: if the file has no header, add --no-header and name the columns by number$/,
    );
  // names, one of them numeric-looking, are names
  expect(missing('customer_id', ['id', '2024', 'total'], 'customer-column')).not.toMatch(/holds values/);
});

test('the one-column header still hints the delimiter', () => {
  expect(missing('customer_id', [' customer_id  date number_of_cds  dollar_value'], 'customer-column')).toMatch(
    /the header is one column: is the delimiter runs of spaces \(--delimiter " "\)\?$/,
  );
});
