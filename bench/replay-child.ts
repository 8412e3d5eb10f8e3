/**
 * One end-to-end replay in its own process, so its peak RSS is its own: open the file, apply
 * every batch, take the report (its sketches a scan of every customer). Then three more
 * snapshots, each after a one-row change, as a live engine takes them (the sketches updated
 * from the changed customer, every customer classified): one sample on a shared machine
 * varies by a factor of two.
 * Prints JSON: { ms, snapshotMs, snapshotFirstMs, maxRssBytes, orders, customers }.
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

/** One order of customer 1, a day before the watermark: the state changed since the last snapshot. */
async function touchOneCustomer(): Promise<void> {
  await engine.ingest(
    new RecordBatchConverter(engine.sourceOptions()).convert(
      buildOrderBatch({
        numRows: 1,
        idWords: Int32Array.of(1, 0),
        ts: Float64Array.of(engine.watermark - 86_400_000),
        amount: Float64Array.of(1),
        kind: Int8Array.of(0),
      }),
    ),
  );
  await engine.flush();
}
const again: number[] = [];
for (let k = 0; k < 3; k++) {
  await touchOneCustomer();
  const t = performance.now();
  buildReport(await engine.snapshot('sketch'), engine.model);
  again.push(performance.now() - t);
}
again.sort((a, b) => a - b);
await engine.close();
process.stdout.write(
  JSON.stringify({
    ms: ended - started,
    snapshotMs: again[1],
    snapshotFirstMs: ended - snapshotStarted,
    maxRssBytes,
    orders: report.orders,
    customers: report.customers,
  }) + '\n',
);
