import { expect, test } from 'vitest';
import { grouped, int, money } from '../../../src/report/numbers.js';
import { Random } from '../../../src/sources/generator/random.js';

const intlGrouped = new Intl.NumberFormat('en-US');
const intlMoney = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Values where rounding the shortest decimal and the binary value part, ties, carries, signs, edges of the forms. */
// biome-ignore format: the edges read as a list
const EDGES = [
  0, -0, 1, -1, 0.5, -0.5, 0.0005, -0.0005, 0.0004999, 1.0005, 1.0045, 1.005, 2.675, 0.125, -0.125, 0.0001, -0.0001,
  999.9995, 999.9994, 999999.995, 9.995, -9.995, 123456789.1235, 1234.5, -1234.5, 1e15 + 0.3, 2 ** 53, 1e20, 1e21,
  1.5e21, 2.5e-7, -2.5e-7, 1e-6, 1e-7, 0.1 + 0.2, 100, 1000, 10000, 100000, 1000000, Number.MAX_VALUE,
  Number.MIN_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 21928375594.37, 38839720.29,
];

function randomValues(): number[] {
  const rng = new Random(68);
  const out: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const magnitude = 10 ** Math.floor(rng.next() * 16 - 4);
    const x = (rng.next() - 0.3) * magnitude;
    out.push(x, Math.round(x * 100) / 100, Math.round(x * 1000) / 1000, Math.round(x * 200) / 200 + 0.005);
  }
  return out;
}

// The report's digits must be Intl.NumberFormat('en-US')'s, which the formatters here replace
// to spare a short run ICU's start (numbers.ts): the same text for every value.
test('grouped, int and money print what Intl.NumberFormat en-US prints', () => {
  const differ: string[] = [];
  for (const x of [...EDGES, ...randomValues()]) {
    if (grouped(x) !== intlGrouped.format(x))
      differ.push(`grouped(${x}): ${grouped(x)} against ${intlGrouped.format(x)}`);
    if (int(x) !== intlGrouped.format(Math.round(x)))
      differ.push(`int(${x}): ${int(x)} against ${intlGrouped.format(Math.round(x))}`);
    if (money(x) !== intlMoney.format(x)) differ.push(`money(${x}): ${money(x)} against ${intlMoney.format(x)}`);
  }
  expect(differ.slice(0, 10)).toEqual([]);
});
