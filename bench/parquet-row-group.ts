/**
 * Question: what does a Parquet file of one huge row group cost to read? DuckDB writes
 * 2*10^7 orders in a single row group (with a text column the engine does not read), and
 * `rfm replay` reads it with its defaults: process wall time and peak RSS, against the
 * file's size and its largest column chunk (uncompressed, from the footer), and against a
 * replay of the same orders from Arrow IPC (the engine's own memory: what is above it is
 * the Parquet reader's).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { packageRoot } from '../src/package-root.js';

export interface RowGroupRun {
  rows: number;
  fileBytes: number;
  /** The largest column chunk, uncompressed (the most one column of the row group decodes to). */
  largestChunkBytes: number;
  seconds: number;
  maxRssBytes: number;
  code: number | null;
  stderrTail: string;
  /** The same orders replayed from an Arrow IPC file. */
  arrowSeconds: number;
  arrowMaxRssBytes: number;
}

export async function rowGroupFile(rows: number): Promise<{ path: string; largestChunkBytes: number }> {
  const dir = join(packageRoot(), 'build', 'bench-data');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `one-row-group-${rows}.parquet`);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  if (!existsSync(path)) {
    await c.run(
      `COPY (SELECT (i * 7919) % ${Math.floor(rows / 10)} AS customer_id,` +
        ` TIMESTAMP '2024-01-01' + to_seconds(i % 31536000) AS ts,
        round(5 + (i % 9973) / 100.0, 2) AS amount, 'note ' || (i % 1000) AS note FROM range(${rows}) t(i))
      TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE ${rows})`,
    );
  }
  const r = await c.run(`SELECT max(total_uncompressed_size) FROM parquet_metadata('${path}')`);
  const largestChunkBytes = Number((await r.getRows())[0][0]);
  c.closeSync();
  db.closeSync();
  return { path, largestChunkBytes };
}

const cli = (): string => join(packageRoot(), 'dist', 'cli', 'cli.js');

/** `rfm ARGS` under /usr/bin/time: wall time and peak RSS. */
function timed(args: string[]): { seconds: number; maxRssBytes: number; code: number | null; stderr: string } {
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss %M', process.execPath, cli(), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 24,
  });
  const seconds = (performance.now() - started) / 1000;
  const rss = /maxrss (\d+)/.exec(r.stderr);
  return { seconds, maxRssBytes: rss === null ? 0 : Number(rss[1]) * 1024, code: r.status, stderr: r.stderr };
}

/** `rfm replay FILE --workers 2`, and the same orders imported to Arrow and replayed so. */
export function rowGroupRun(path: string, largestChunkBytes: number, rows: number): RowGroupRun {
  const arrow = path.replace(/\.parquet$/, '.arrow');
  if (!existsSync(arrow)) {
    const imp = timed([
      'import',
      'parquet',
      path,
      '-o',
      arrow,
      '--customer',
      'customer_id',
      '--ts',
      'ts',
      '--amount',
      'amount',
    ]);
    if (imp.code !== 0) throw new Error(`rfm import parquet failed: ${imp.stderr}`);
  }
  const viaArrow = timed(['replay', arrow, '--workers', '2']);
  const r = timed(['replay', path, '--workers', '2']);
  return {
    rows,
    fileBytes: statSync(path).size,
    largestChunkBytes,
    seconds: r.seconds,
    maxRssBytes: r.maxRssBytes,
    code: r.code === 0 ? viaArrow.code : r.code,
    stderrTail: r.stderr.trim().split('\n').slice(-3).join(' | '),
    arrowSeconds: viaArrow.seconds,
    arrowMaxRssBytes: viaArrow.maxRssBytes,
  };
}
