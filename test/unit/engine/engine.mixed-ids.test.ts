/**
 * Integer and text ids in one engine: an integer and its decimal text are one customer,
 * whichever kind came first; text that is not an integer's ("007", an email) turns the
 * engine's ids into text, and the outcome is that of the whole input as text. Before, the
 * second kind was refused ("changed from integer ids to string ids").
 */
import type { RecordBatch } from 'apache-arrow';
import { beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { canonicalIntInto, decimalOfWords } from '../../../src/domain/id-text.js';
import { Random } from '../../../src/sources/generator/random.js';
import { ingestBatches } from '../../support/engine.js';
import { batchOf, history } from '../../support/history.js';
import type { Row } from '../../support/history.js';
import { outcome } from '../../support/outcome.js';
import type { Outcome } from '../../support/outcome.js';
import { shuffled } from '../../support/shuffle.js';

const asText = (r: Row): string => String(r.lo);

/** Batches of 1 to 2,000 rows, each of integer ids or (by coin) their text. */
function mixed(rows: Row[], seed: number, text: (r: Row) => string = asText): RecordBatch[] {
  const rng = new Random(seed);
  const out: RecordBatch[] = [];
  for (let at = 0; at < rows.length; ) {
    const n = Math.min(rows.length - at, 1 + Math.floor(rng.next() * 2000));
    const part = rows.slice(at, at + n);
    out.push(rng.next() < 0.5 ? batchOf(part) : batchOf(part, text));
    at += n;
  }
  return out;
}

describe('integer and text ids in one engine', () => {
  const rows = history(2000, 20_000);
  let asInts: Outcome;
  beforeAll(async () => {
    asInts = await outcome([batchOf(rows)], 'js', 0);
  });

  test('an integer and its decimal text are one customer, whichever came first', async () => {
    const textFirst = await outcome([batchOf(rows.slice(0, 5000), asText), batchOf(rows.slice(5000))], 'wasm', 2);
    const intFirst = await outcome([batchOf(rows.slice(0, 5000)), batchOf(rows.slice(5000), asText)], 'js', 2);
    expect((asInts.exact as { customers: number }).customers).toBe(2000);
    expect(textFirst).toEqual(asInts);
    expect(intFirst).toEqual(asInts);
  });

  test.each([
    ['js', 1],
    ['wasm', 2],
    ['js', 4],
    ['wasm', 4],
  ] as const)('shuffled batches of either kind, %s kernel, %i workers', async (core, workers) => {
    expect(await outcome(mixed(shuffled(rows, 11), 12), core, workers)).toEqual(asInts);
  });

  // customers 1-9 named "00n" in some batches: text that is no integer's, so every id becomes text
  const zeroPadded = (r: Row): string => (r.lo < 10 && r.lo % 2 === 1 ? `00${r.lo}` : String(r.lo));
  test.each([
    ['js', 1],
    ['wasm', 2],
    ['wasm', 4],
  ] as const)('text that is no integer turns the ids into text, %s kernel, %i workers', async (core, workers) => {
    const input = mixed(shuffled(rows, 13), 14, zeroPadded);
    const got = await outcome(input, core, workers);
    // the reference: every row as text, the padded ones where mixed() padded them
    const reference = await outcome(referenceText(rows, 13, 14, zeroPadded), 'js', 0);
    expect(got).toEqual(reference);
    expect(got.customers.some((l) => l.startsWith('001,'))).toBe(true);
    expect(got.customers.some((l) => l.startsWith('1,'))).toBe(true);
    expect(got).not.toEqual(asInts);
  });
});

/** The rows mixed() gives, every id as text (the padded text where it padded). */
function referenceText(rows: Row[], shuffleSeed: number, seed: number, text: (r: Row) => string): RecordBatch[] {
  const rng = new Random(seed);
  const order = shuffled(rows, shuffleSeed);
  const out: RecordBatch[] = [];
  for (let at = 0; at < order.length; ) {
    const n = Math.min(order.length - at, 1 + Math.floor(rng.next() * 2000));
    const part = order.slice(at, at + n);
    out.push(rng.next() < 0.5 ? batchOf(part, asText) : batchOf(part, text));
    at += n;
  }
  return out;
}

test('ids as text and back: canonical text only', () => {
  const out = new Int32Array(2);
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
  const parse = (s: string, unsigned = false): string | null =>
    canonicalIntInto(out, bytes(s), 0, bytes(s).length, unsigned) ? decimalOfWords(out[0], out[1], unsigned) : null;
  for (const s of [
    '0',
    '7',
    '-7',
    '4294967296',
    '-4294967297',
    '9007199254740993',
    '9223372036854775807',
    '-9223372036854775808',
  ])
    expect(parse(s)).toBe(s);
  expect(parse('18446744073709551615', true)).toBe('18446744073709551615');
  for (const s of [
    '',
    '-',
    '007',
    '-0',
    '+7',
    '1e3',
    '7 ',
    'a7',
    '9223372036854775808',
    '-9223372036854775809',
    '123456789012345678901',
  ])
    expect(parse(s)).toBeNull();
  expect(parse('-7', true)).toBeNull();
});

test('an engine given integer ids, then emails, keeps both (was: changed from integer ids to string ids)', async () => {
  const engine = new Engine({ workers: 0, asOf: Date.UTC(2026, 0, 1) });
  try {
    const t = Date.UTC(2025, 5, 1);
    await ingestBatches(engine, [batchOf([{ lo: 17, hi: 0, ts: t, amount: 10, kind: 0 }])]);
    await ingestBatches(engine, [
      batchOf(
        [
          { lo: 0, hi: 0, ts: t, amount: 5, kind: 0 },
          { lo: 17, hi: 0, ts: t + 86_400_000, amount: 1, kind: 0 },
        ],
        (r) => (r.lo === 17 ? '17' : 'ann@example.com'),
      ),
    ]);
    expect(await engine.numCustomers()).toBe(2);
    const list = await engine.customers('exact');
    expect(list.parts[0].idMode).toBe('utf8');
    expect(engine.counts.orders).toBe(3);
  } finally {
    await engine.close();
  }
});
