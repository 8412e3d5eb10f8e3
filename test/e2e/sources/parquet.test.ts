import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { cdnowTableSql } from '../../support/data.js';
import { runCli, tempDir } from '../../support/cli.js';

const dir = tempDir();
const file = (name: string): string => join(dir, name);

/** CDNOW's orders written to Parquet by DuckDB, in the column types a warehouse export has. */
beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(cdnowTableSql('o'));
  await c.run(`COPY o TO '${file('cdnow.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 20000)`);
  // version 2 pages (delta encodings): read by parquet-wasm, not page by page
  await c.run(`COPY o TO '${file('cdnow-v2.parquet')}' (FORMAT parquet, PARQUET_VERSION V2)`);
  await c.run(
    `COPY (SELECT lpad(customer_id::VARCHAR, 5, '0') AS buyer, ts::DATE AS day, amount::DECIMAL(10,` +
      ` 2) AS total FROM o)
    TO '${file('strings-dates-decimals.parquet')}' (FORMAT parquet, COMPRESSION zstd)`,
  );
  await c.run(
    `COPY (SELECT customer_id, epoch_ms(ts) AS ts,` +
      ` amount::FLOAT AS amount FROM o) TO '${file('int64-ms-floats.parquet')}' (FORMAT parquet, COMPRESSION gzip)`,
  );
  // all of it in one row group, beside a column the engine does not read
  await c.run(
    `COPY (SELECT repeat('a note the engine never reads ', 4) AS note,` +
      ` * FROM o) TO '${file('one-group.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)`,
  );
  c.closeSync();
  db.closeSync();
}, 60_000);

async function report(args: string[]): Promise<Record<string, unknown>> {
  const json = file(`report-${Math.random().toString(36).slice(2)}.json`);
  const r = await runCli(['replay', ...args, '--exact', '--json', json, '-q']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(json, 'utf8'));
}

describe('Parquet in', () => {
  test('CDNOW written to Parquet by DuckDB gives the report of the Arrow route', async () => {
    const arrow = file('cdnow.arrow');
    copyFileSync(inject('cdnowArrow'), arrow);
    const viaArrow = await report([arrow]);
    const direct = await runCli(['replay', file('cdnow.parquet'), '--exact', '--json', file('direct.json')]);
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stdout).toContain(`read ${file('cdnow.parquet')}: Parquet`);
    expect(JSON.parse(readFileSync(file('direct.json'), 'utf8'))).toEqual(viaArrow);
    expect(viaArrow).toMatchObject({ customers: 23_570, orders: 69_659 });
    // rfm import parquet, then a replay of its Arrow: the same again
    const converted = file('converted.arrow');
    const p = await runCli(['import', 'parquet', file('cdnow.parquet'), '-o', converted]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stderr).toContain('imported 69,659 rows');
    expect(await report([converted])).toEqual(viaArrow);
  });

  test('string ids, dates and decimals, or int64 ms and floats, with the column options of Arrow', async () => {
    const viaArrow = await report([file('cdnow.parquet')]);
    const strings = await report([
      file('strings-dates-decimals.parquet'),
      '--customer-column',
      'buyer',
      '--ts-column',
      'day',
      '--amount-column',
      'total',
    ]);
    expect(strings).toEqual(viaArrow);
    expect(await report([file('int64-ms-floats.parquet')])).toEqual(viaArrow);
    const imp = await runCli([
      'import',
      'parquet',
      file('strings-dates-decimals.parquet'),
      '-o',
      file('strings.arrow'),
      '--customer',
      'buyer',
      '--ts',
      'day',
      '--amount',
      'total',
    ]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(await report([file('strings.arrow')])).toEqual(viaArrow);
    const missing = await runCli(['import', 'parquet', file('strings-dates-decimals.parquet'), '-o', file('x.arrow')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('column "customer_id" is missing (columns: "buyer", "day", "total")');
  });

  test('a corrupt or truncated Parquet file exits 2 naming the file, with no stack trace', async () => {
    const whole = readFileSync(file('cdnow.parquet'));
    writeFileSync(file('truncated.parquet'), whole.subarray(0, Math.floor(whole.length / 2)));
    const flipped = Buffer.from(whole);
    for (let i = 1000; i < flipped.length - 2000; i += 997) flipped[i] ^= 0x5a;
    writeFileSync(file('flipped.parquet'), flipped);
    // delta-encoded pages go to parquet-wasm, whose decoder fails in its own way
    const v2 = Buffer.from(readFileSync(file('cdnow-v2.parquet')));
    for (let i = 1000; i < v2.length - 2000; i += 997) v2[i] ^= 0x5a;
    writeFileSync(file('flipped-v2.parquet'), v2);
    writeFileSync(
      file('junk.parquet'),
      Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(3000, 7), Buffer.from('PAR1')]),
    );
    const cases: [string, RegExp][] = [
      ['truncated.parquet', /the Parquet file is truncated/],
      ['flipped.parquet', /not a readable Parquet file \(its pages are corrupt: row group 0, column customer_id: /],
      ['flipped-v2.parquet', /not a readable Parquet file \(its decoder failed on corrupt data\)/],
      ['junk.parquet', /not a readable Parquet file/],
    ];
    for (const [name, message] of cases) {
      for (const args of [
        ['replay', file(name)],
        ['import', 'parquet', file(name), '-o', file('out.arrow')],
      ]) {
        const r = await runCli(args, { timeoutMs: 30_000 });
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(file(name));
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    }
  });

  test('one row group of every row, with a column not read, streams to the report of many groups', async () => {
    const groups = await runCli(['import', 'parquet', file('one-group.parquet'), '-o', file('one-group.arrow')]);
    expect(groups.code, groups.stderr).toBe(0);
    expect(await report([file('one-group.parquet')])).toEqual(await report([file('cdnow.parquet')]));
  });
});
