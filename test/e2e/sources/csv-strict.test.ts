/**
 * CSV values read strictly: what cannot be read as written is a counted bad value or a
 * clear error naming the line, never another value. Each case was read otherwise before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli, tempDir } from '../../support/cli.js';

const dir = tempDir();

async function importCsv(
  name: string,
  text: string,
  ...options: string[]
): Promise<{ code: number | null; stderr: string; report?: Record<string, unknown> }> {
  const src = join(dir, `${name}.csv`);
  writeFileSync(src, text);
  const out = join(dir, `${name}.arrow`);
  const i = await runCli(['import', 'csv', src, '-o', out, ...options]);
  if (i.code !== 0) return { code: i.code, stderr: i.stderr };
  const r = await runCli(['replay', out, '--json', '-', '-q', '--exact']);
  expect(r.code, r.stderr).toBe(0);
  return { code: i.code, stderr: i.stderr, report: JSON.parse(r.stdout) };
}

describe('rfm import csv reads values strictly', () => {
  test('a date that does not exist is unreadable, not the next month', async () => {
    const r = await importCsv(
      'dates',
      'customer_id,ts,amount\n1,2024-02-30,10\n2,2024-02-29,10\n3,2023-02-29T10:00:00+02:00,10\n',
    );
    expect(r.stderr).toContain('2 with an unreadable time');
    expect(r.report).toMatchObject({ customers: 1, rejected: 2, asOf: '2024-02-29T00:00:00.000Z' });
  });

  test('a number that does not parse fully in the chosen format is unreadable', async () => {
    const dot = await importCsv(
      'amounts',
      'customer_id,ts,amount\n1,2025-01-01,"63,32"\n2,2025-01-01,"1.234,56"\n3,2025-01-01,"1,234.56"\n',
    );
    expect(dot.stderr).toContain('2 with an unreadable amount');
    expect(dot.report).toMatchObject({ customers: 1, revenue: 1234.56 });
    const comma = await importCsv(
      'amounts-comma',
      'customer_id;ts;amount\n1;2025-01-01;63,32\n2;2025-01-01;1.234,56\n3;2025-01-01;1,234.56\n',
      '--delimiter',
      ';',
      '--decimal-comma',
    );
    expect(comma.stderr).toContain('1 with an unreadable amount');
    expect(comma.report).toMatchObject({ customers: 2, revenue: 1297.88 });
  });

  test('a line with more fields than the header is left out, and said so', async () => {
    const r = await importCsv(
      'fields',
      'customer_id,ts,amount\n1,2025-01-01,10\n2,2025-01-01,1,234.56\n3,2025-01-02\n',
    );
    expect(r.stderr).toContain('2 lines with more or fewer fields than the header were left out (the first on line 3');
    expect(r.report).toMatchObject({ customers: 1, revenue: 10 });
  });

  test('a header that names a column twice is an error naming both', async () => {
    const r = await importCsv('dup', 'customer_id,ts,amount,amount\n1,2025-01-01,10,20\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the header names "amount" twice (columns 3 and 4)');
  });

  test('ids with leading zeros stay apart from the number', async () => {
    const codes = await importCsv(
      'zeros',
      'customer_id,ts,amount\n00001,2025-01-01,10\n001,2025-01-01,10\n1,2025-01-01,10\n',
    );
    expect(codes.report).toMatchObject({ customers: 3 });
    const numbers = await importCsv('zeros-late', 'customer_id,ts,amount\n1,2025-01-01,10\n001,2025-01-01,10\n');
    expect(numbers.code).toBe(2);
    expect(numbers.stderr).toContain('line 3: customer id "001" has a leading zero');
    const asked = await importCsv(
      'zeros-int',
      'customer_id,ts,amount\n1,2025-01-01,10\n001,2025-01-02,10\n',
      '--id-type',
      'int',
    );
    expect(asked.report).toMatchObject({ customers: 1, orders: 2 });
  });

  test('lines that end in a lone CR (old Mac exports) are read', async () => {
    const r = await importCsv('cr', 'customer_id,ts,amount\r1,2025-01-01,10\r2,2025-01-02,20\r');
    expect(r.report).toMatchObject({ customers: 2, revenue: 30 });
  });

  test('bytes that are not UTF-8 are an error naming the line, unless --encoding latin1', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('customer_id,ts,amount\njos'),
      Buffer.from([0xe9]),
      Buffer.from(',2025-01-01,10\njos'),
      Buffer.from([0xe8]),
      Buffer.from(',2025-01-01,10\n'),
    ]);
    const src = join(dir, 'latin1.csv');
    writeFileSync(src, latin1);
    const refused = await runCli(['import', 'csv', src, '-o', join(dir, 'latin1.arrow')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'line 2 is not UTF-8 (byte 0xe9); if the file is latin-1, read it with --encoding latin1',
    );
    const asked = await runCli(['import', 'csv', src, '-o', join(dir, 'latin1.arrow'), '--encoding', 'latin1']);
    expect(asked.code, asked.stderr).toBe(0);
    const r = await runCli(['replay', join(dir, 'latin1.arrow'), '--customers', '-', '-q']);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual(['josè', 'josé']);
  });

  test('UTF-8 across chunk boundaries and a byte-order mark read; UTF-16 is named', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `josé-ñ-${i},2025-01-01,1`);
    const big = await importCsv('utf8-big', '\ufeffcustomer_id,ts,amount\n' + rows.join('\n') + '\n');
    expect(big.report).toMatchObject({ customers: 40_000 });
    const src = join(dir, 'utf16.csv');
    writeFileSync(
      src,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('customer_id,ts,amount\n1,2025-01-01,10\n', 'utf16le')]),
    );
    const r = await runCli(['import', 'csv', src, '-o', join(dir, 'utf16.arrow')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is UTF-16');
  });

  test('a record past a million characters is refused before it eats the memory', async () => {
    const r = await importCsv('long', 'customer_id,ts,amount\n1,2025-01-01,10\n"' + 'x'.repeat(30_000_000) + '\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the record on line 3 is longer than 1,048,576 bytes');
  });
});
