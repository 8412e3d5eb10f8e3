import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { beforeAll, describe, expect, test } from 'vitest';
import { readParquetBatches } from '../../../../src/sources/parquet/batches.js';
import { footerOfPath } from '../../../../src/sources/parquet/footer.js';
import { rowGroupBatches, rowGroupUnreadable } from '../../../../src/sources/parquet/page-batches.js';
import { tempDir } from '../../../support/cli.js';

const dir = tempDir();
const file = (name: string): string => join(dir, name);

/** Every column type the engine reads, with nulls, negatives (-1 is a NaN pattern as a double) and dictionaries. */
const COLUMNS =
  `SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE i - 50000 END AS maybe,` +
  ` (i % 200 - 100)::TINYINT AS tiny,
  (i % 30000 - 15000)::SMALLINT AS small, (i % 3 - 1)::BIGINT AS minus_one,
  TIMESTAMP '2020-01-01' + to_microseconds(i * 1234567) AS ts_us,` +
  ` (TIMESTAMP '2020-01-01' + to_seconds(i))::TIMESTAMP_MS AS ts_ms,
  DATE '2020-01-01' + (i % 1000)::INT AS day, (i % 9973) / 100.0 AS dbl, ((i % 997) / 10.0)::FLOAT AS flt,
  ((i % 99999 - 50000) / 100.0)::DECIMAL(7, 2) AS dec32, ((i * 37 % 999999999 - 5000000) / 100.0)::DECIMAL(15,` +
  ` 2) AS dec64,
  ((i - 50000) * 1000003)::DECIMAL(30, 2) AS dec128, 'c' || lpad((i * 7919 % 5000)::VARCHAR, 5, '0') AS name,
  md5(i::VARCHAR) AS hash, CASE WHEN i % 5 = 0 THEN NULL ELSE 'x' || (i % 3) END AS nullable_text
  FROM range(8000) t(i)`;

const DUCKDB_FILES: [name: string, options: string, byPages: boolean][] = [
  ['snappy', 'COMPRESSION snappy', true],
  ['uncompressed', 'COMPRESSION uncompressed', true],
  ['gzip', 'COMPRESSION gzip', true],
  ['brotli', 'COMPRESSION brotli', true],
  ['zstd', 'COMPRESSION zstd', true],
  // DuckDB's version 2 pages use delta encodings: parquet-wasm reads them
  ['v2', 'COMPRESSION snappy, PARQUET_VERSION V2', false],
];

beforeAll(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  for (const [name, options] of DUCKDB_FILES) {
    await c.run(`COPY (${COLUMNS}) TO '${file(`${name}.parquet`)}' (FORMAT parquet, ROW_GROUP_SIZE 2048, ${options})`);
  }
  await c.run(`COPY (${COLUMNS}) TO '${file('one-group.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)`);
  // arrow-rs's writer (parquet-wasm): small pages, so that slices cross them, version 1 and 2 pages
  const r = await c.run(`SELECT id, maybe, ts_us, day, dbl, name, nullable_text FROM (${COLUMNS})`);
  const rows = await r.getRowObjectsJson();
  c.closeSync();
  db.closeSync();
  const table = new arrow.Table({
    id: arrow.vectorFromArray(
      rows.map((x) => BigInt(x.id as string)),
      new arrow.Int64(),
    ),
    maybe: arrow.vectorFromArray(
      rows.map((x) => (x.maybe === null ? null : BigInt(x.maybe as string))),
      new arrow.Int64(),
    ),
    dbl: arrow.vectorFromArray(
      rows.map((x) => Number(x.dbl)),
      new arrow.Float64(),
    ),
    name: arrow.vectorFromArray(
      rows.map((x) => x.name as string),
      new arrow.Utf8(),
    ),
    nullable_text: arrow.vectorFromArray(
      rows.map((x) => x.nullable_text as string | null),
      new arrow.Utf8(),
    ),
  });
  const pw = await import('parquet-wasm');
  for (const [name, version] of [
    ['arrow-rs-v1', pw.WriterVersion.V1],
    ['arrow-rs-v2', pw.WriterVersion.V2],
  ] as const) {
    const props = new pw.WriterPropertiesBuilder()
      .setCompression(pw.Compression.SNAPPY)
      .setWriterVersion(version)
      .setDataPageSizeLimit(2_000)
      .setMaxRowGroupSize(3_000)
      .build();
    writeFileSync(
      file(`${name}.parquet`),
      pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props),
    );
  }
}, 120_000);

/** Every column's values as text, row by row, nulls as null. */
async function columnsOf(
  path: string,
  pages: 'always' | 'never',
): Promise<{ text: Record<string, (string | null)[]>; pageGroups: number; rowGroups: number }> {
  const p = await readParquetBatches(path, arrow, undefined, pages);
  const text: Record<string, (string | null)[]> = {};
  for await (const b of p.batches) {
    for (const f of b.schema.fields) {
      const v = b.getChild(f.name)!;
      const out = (text[f.name] ??= []);
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v.get(i);
        out.push(x === null ? null : String(x));
      }
    }
  }
  return { text, pageGroups: p.pageGroups, rowGroups: p.rowGroups };
}

describe('Parquet read page by page', () => {
  test.each(DUCKDB_FILES)(
    'DuckDB %s: the values parquet-wasm reads, row groups page by page: %s',
    async (name, _options, byPages) => {
      // by default a small Zstandard group goes to parquet-wasm (faster there; little memory either way)
      const auto = await readParquetBatches(file(`${name}.parquet`), arrow);
      expect(auto.pageGroups).toBe(byPages && name !== 'zstd' ? 4 : 0);
      await auto.batches.return(undefined);
      const pages = await columnsOf(file(`${name}.parquet`), 'always');
      const whole = await columnsOf(file(`${name}.parquet`), 'never');
      expect(pages.rowGroups).toBe(4);
      expect(pages.pageGroups).toBe(byPages ? 4 : 0);
      expect(whole.pageGroups).toBe(0);
      expect(Object.keys(pages.text)).toHaveLength(16);
      expect(pages.text.id).toHaveLength(8_000);
      expect(pages.text).toEqual(whole.text);
      // the nulls and the negatives are there to compare
      expect(pages.text.maybe.filter((x) => x === null)).toHaveLength(1_143);
      expect(pages.text.minus_one.slice(0, 3)).toEqual(['-1', '0', '1']);
    },
  );

  test('arrow-rs pages (version 1 and 2, dictionaries, nulls) cut across by the slices', async () => {
    for (const name of ['arrow-rs-v1', 'arrow-rs-v2']) {
      const pages = await columnsOf(file(`${name}.parquet`), 'always');
      const whole = await columnsOf(file(`${name}.parquet`), 'never');
      expect(pages.rowGroups).toBe(3);
      expect(pages.pageGroups, name).toBe(3);
      expect(pages.text.id).toHaveLength(8_000);
      expect(pages.text.nullable_text.filter((x) => x === null)).toHaveLength(1_600);
      expect(pages.text).toEqual(whole.text);
    }
  });

  test('slices of 777 rows start and end inside pages, and join up to the group', async () => {
    for (const name of ['snappy', 'arrow-rs-v2']) {
      const path = file(`${name}.parquet`);
      const footer = footerOfPath(path);
      const whole = await columnsOf(path, 'never');
      const pw = await import('parquet-wasm');
      const schema = arrow.tableFromIPC(
        (await pw.ParquetFile.fromFile(new Blob([readFileSync(path)]))).schema().intoIPCStream(),
      ).schema;
      const text: Record<string, (string | null)[]> = {};
      let slices = 0;
      for (let g = 0; g < footer.rowGroups.length; g++) {
        expect(rowGroupUnreadable(footer, g, schema.fields)).toBeNull();
        for (const b of rowGroupBatches(path, footer, g, schema, 777, arrow)) {
          slices++;
          expect(b.numRows).toBeLessThanOrEqual(777);
          for (const f of schema.fields) {
            const v = b.getChild(f.name)!;
            for (let i = 0; i < v.length; i++) (text[f.name] ??= []).push(v.get(i) === null ? null : String(v.get(i)));
          }
        }
      }
      expect(slices).toBeGreaterThan(8_000 / 777);
      expect(text).toEqual(whole.text);
    }
  });

  test('one row group comes page by page, only the columns asked for', async () => {
    const p = await readParquetBatches(file('one-group.parquet'), arrow, {
      required: ['id', 'dec64', 'name'],
      optional: ['absent'],
    });
    expect(p.pageGroups).toBe(1);
    let batches = 0;
    let sum = 0;
    for await (const b of p.batches) {
      batches++;
      expect(b.schema.fields.map((f) => f.name)).toEqual(['id', 'dec64', 'name']);
      for (const v of b.getChild('id')!) sum += Number(v);
    }
    expect(batches).toBe(1);
    expect(sum).toBe((7_999 * 8_000) / 2);
  });

  test.each(['snappy', 'zstd'])('corrupt %s page bytes end in an error, never a hang or a crash', async (codec) => {
    const good = readFileSync(file(`${codec}.parquet`));
    let failed = 0;
    for (let k = 0; k < 40; k++) {
      const bad = Buffer.from(good);
      // bytes inside the first row group's pages, past the magic
      const at = 4 + ((k * 7919) % Math.min(40_000, good.length - 12));
      bad[at] ^= 0x5a + k;
      const path = file(`bad-${codec}-${k}.parquet`);
      writeFileSync(path, bad);
      try {
        const p = await readParquetBatches(path, arrow, undefined, 'always');
        for await (const b of p.batches) expect(b.numRows).toBeGreaterThan(0);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        failed++;
      }
    }
    expect(failed).toBeGreaterThan(5);
  });
});
