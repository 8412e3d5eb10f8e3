/**
 * Question: what does counting a repeated order id once cost? `rfm replay` of an Arrow file
 * with an order_id column (nine ids in ten new to the set), with the column read against
 * `--order-column none`, as process wall time and peak RSS, alternating so both see the same
 * machine. Every tenth row repeats the id of the row before, so the replay with ids must drop
 * exactly a tenth (checked).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Int64, RecordBatch, makeData } from 'apache-arrow';
import { packageRoot } from '../src/package-root.js';
import { writeArrow } from '../src/report/arrow-writer.js';
import { generateOrders } from '../src/sources/generator/generator.js';

/** Every REPEAT_EVERY-th row repeats the order id of the row before it (and its values). */
const REPEAT_EVERY = 10;

export interface RepeatRun {
  orders: number;
  repeats: number;
  /** Wall seconds and peak RSS of each run, with the ids read and without. */
  withIds: { seconds: number; maxRssBytes: number }[];
  without: { seconds: number; maxRssBytes: number }[];
  /** Best with ids / best without: what the dedupe costs. */
  timeRatio: number;
  rssRatio: number;
}

/** The generator's orders with an order_id column; every REPEAT_EVERY-th row a copy of the row before. */
async function* withOrderIds(orders: number, customers: number): AsyncGenerator<RecordBatch> {
  let row = 0;
  for await (const b of generateOrders({ orders, customers, seed: 42, prospects: 0, refundRate: 0 })) {
    const n = b.numRows;
    const ids = new BigInt64Array(n);
    for (let i = 0; i < n; i++, row++) ids[i] = BigInt(row % REPEAT_EVERY === REPEAT_EVERY - 1 ? row - 1 : row);
    const children: Record<string, ReturnType<typeof makeData>> = {};
    for (const f of b.schema.fields) children[f.name] = b.getChild(f.name)!.data[0] as never;
    children.order_id = makeData({ type: new Int64(), length: n, data: ids });
    yield new RecordBatch(children);
  }
}

export async function repeatOrdersFile(orders: number, customers: number): Promise<string> {
  const dir = join(packageRoot(), 'build', 'bench-data');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `orders-with-ids-${orders}-${customers}.arrow`);
  if (!existsSync(path)) {
    process.stderr.write(`generating ${orders.toLocaleString('en-US')} orders with order ids -> ${path} ...\n`);
    await writeArrow(path + '.tmp', withOrderIds(orders, customers));
    renameSync(path + '.tmp', path);
  }
  return path;
}

export function repeatRuns(file: string, orders: number, pairs = 3): RepeatRun {
  const withIds: RepeatRun['withIds'] = [];
  const without: RepeatRun['without'] = [];
  const repeats = Math.floor(orders / REPEAT_EVERY);
  for (let p = 0; p < pairs; p++) {
    const a = run(file, []);
    const said = /rfm: ([\d,]+) rows repeat an order id/.exec(a.stderr);
    const dropped = said === null ? 0 : Number(said[1].replace(/,/g, ''));
    if (dropped !== repeats)
      throw new Error(`the replay with ids dropped ${dropped} repeats, not ${repeats}: ${a.stderr.slice(-500)}`);
    withIds.push({ seconds: a.seconds, maxRssBytes: a.maxRssBytes });
    const b = run(file, ['--order-column', 'none']);
    without.push({ seconds: b.seconds, maxRssBytes: b.maxRssBytes });
  }
  const best = (runs: { seconds: number }[]): number => Math.min(...runs.map((r) => r.seconds));
  const peak = (runs: { maxRssBytes: number }[]): number => Math.max(...runs.map((r) => r.maxRssBytes));
  return {
    orders,
    repeats,
    withIds,
    without,
    timeRatio: best(withIds) / best(without),
    rssRatio: peak(withIds) / peak(without),
  };
}

/** `rfm replay FILE --workers 2 ARGS` under /usr/bin/time: wall seconds, peak RSS and what it said. */
function run(file: string, args: string[]): { seconds: number; maxRssBytes: number; stderr: string } {
  const cli = join(packageRoot(), 'dist', 'cli', 'cli.js');
  const started = performance.now();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'maxrss %M', process.execPath, cli, 'replay', file, '--workers', '2', ...args],
    { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24 },
  );
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`rfm replay ${args.join(' ')} failed: ${r.stderr.slice(-1000)}`);
  const rss = /maxrss (\d+)/.exec(r.stderr);
  return { seconds, maxRssBytes: rss === null ? 0 : Number(rss[1]) * 1024, stderr: r.stderr };
}
