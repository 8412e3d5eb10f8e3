/**
 * One end-to-end replay in its own process, so its peak RSS is its own: open the file, apply
 * every batch, take the report. Prints JSON: { ms, snapshotMs, maxRssBytes, orders, customers }.
 * Usage: node replay-child.js FILE WORKERS
 */
import { Engine } from '../src/engine/engine.js';
import { readArrow } from '../src/sources/arrow-source.js';

const [file, workersText] = process.argv.slice(2);
const started = performance.now();
const engine = new Engine({ workers: Number(workersText) });
for await (const batch of readArrow(file, { ...engine.sourceOptions(), keepRejects: false })) {
  await engine.ingestConverted(batch);
}
await engine.flush();
const snapshotStarted = performance.now();
const report = await engine.report('sketch');
const ended = performance.now();
await engine.close();
process.stdout.write(JSON.stringify({
  ms: ended - started,
  snapshotMs: ended - snapshotStarted,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  orders: report.orders,
  customers: report.customers,
}) + '\n');
