/**
 * One end-to-end replay in its own process, so its peak RSS is its own: open the file, apply
 * every batch, take the report (its sketches a scan of every customer). Then snapshots as a
 * live engine takes them, each after a one-row change: the first classifies every customer
 * and keeps their classes (snapshotKeepMs), three more with the as-of time standing
 * (snapshotMs, their median: the sketches and classes updated from the changed customer),
 * three with it an hour on each time (snapshotMovingMs: the classes that came due too).
 * Prints JSON: { ms, snapshotMs, snapshotMovingMs, snapshotKeepMs, snapshotFirstMs,
 * maxRssBytes, orders, customers }; maxRssBytes is read after the first snapshot.
 * Usage: node replay-child.js FILE WORKERS (FILE.csv: read by the CSV reader)
 */
import { RecordBatchConverter } from '../src/batch/record-batches.js';
import { Engine } from '../src/engine/engine.js';
import { buildReport } from '../src/report/report.js';
import { buildOrderBatch } from '../src/sources/batch-builder.js';
import { readArrow } from '../src/sources/arrow/source.js';
import { readCsvOrConvert } from '../src/sources/csv/orders.js';
import { newImportStats } from '../src/sources/import-stats.js';
import { CSV_OPTIONS } from './csv.js';

const [file, workersText] = process.argv.slice(2);
const started = performance.now();
const engine = new Engine({ workers: Number(workersText) });
const source = file.endsWith('.csv')
  ? readCsvOrConvert(file, CSV_OPTIONS, engine.sourceOptions(), newImportStats())
  : readArrow(file, { ...engine.sourceOptions(), keepRejects: false });
for await (const batch of source) {
  await engine.ingest(batch);
}
await engine.flush();
const snapshotStarted = performance.now();
const { report } = buildReport(await engine.snapshot('sketch'), engine.model);
const ended = performance.now();
const maxRssBytes = process.resourceUsage().maxRSS * 1024;

/**
 * One order of customer `id`, `offsetMs` from the watermark: the state changed since the last
 * snapshot (a day before: the as-of time stays; an hour after: it moves on, as a live
 * engine's does).
 */
async function touchOneCustomer(id: number, offsetMs: number): Promise<void> {
  await engine.ingest(
    new RecordBatchConverter(engine.sourceOptions()).convert(
      buildOrderBatch({
        numRows: 1,
        idWords: Int32Array.of(id, 0),
        ts: Float64Array.of(engine.watermark + offsetMs),
        amount: Float64Array.of(1),
        kind: Int8Array.of(0),
      }),
    ),
  );
  await engine.flush();
}
async function timedSnapshot(id: number, offsetMs: number): Promise<number> {
  await touchOneCustomer(id, offsetMs);
  const t = performance.now();
  buildReport(await engine.snapshot('sketch'), engine.model);
  return performance.now() - t;
}
const median = (xs: number[]): number => xs.sort((a, b) => a - b)[1];
// the first after a small change classifies every customer and keeps their classes
const snapshotKeepMs = await timedSnapshot(1, -86_400_000);
const still: number[] = [];
for (let k = 0; k < 3; k++) still.push(await timedSnapshot(2 + k, -86_400_000));
const moving: number[] = [];
for (let k = 0; k < 3; k++) moving.push(await timedSnapshot(5 + k, 3_600_000));
await engine.close();
process.stdout.write(
  JSON.stringify({
    ms: ended - started,
    snapshotMs: median(still),
    snapshotMovingMs: median(moving),
    snapshotKeepMs,
    snapshotFirstMs: ended - snapshotStarted,
    maxRssBytes,
    orders: report.orders,
    customers: report.customers,
  }) + '\n',
);
