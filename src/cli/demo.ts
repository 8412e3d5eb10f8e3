/** `rfm demo` (npm start): generate a history in memory, replay it, show the report. */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { Engine } from '../engine/engine.js';
import { summaryTable } from '../report/summary.js';
import { generateOrders } from '../sources/generator.js';
import { action } from './errors.js';
import { wholeNumber } from './options.js';
import { Progress } from './progress.js';

export function demoCommand(program: Command): void {
  program
    .command('demo')
    .description('generate a synthetic history in memory and replay it (what npm start runs)')
    .option('--customers <n>', 'customers', wholeNumber('--customers', 1, 10_000_000), 100_000)
    .option('--orders <n>', 'orders', wholeNumber('--orders', 1, 100_000_000), 1_000_000)
    .option('--workers <n>', 'worker threads', wholeNumber('--workers', 0, 64), availableParallelism())
    .action(action(async (o: { customers: number; orders: number; workers: number }) => {
      process.stdout.write(`rfmstream demo: ${o.orders.toLocaleString('en-US')} generated orders of ${o.customers.toLocaleString('en-US')} customers, ${o.workers} workers, WASM kernel\n\n`);
      const engine = new Engine({ workers: o.workers });
      const progress = new Progress('replay', 'rows');
      progress.total = o.orders;
      try {
        const started = performance.now();
        for (const batch of generateOrders({ customers: o.customers, orders: Math.max(o.orders, o.customers), seed: 1 })) {
          await engine.ingest(batch, 'generator');
          progress.update(engine.counts.orders, engine.counts.rows);
        }
        const report = await engine.report('sketch');
        progress.done();
        const secs = (performance.now() - started) / 1000;
        process.stdout.write(summaryTable(report, engine.model));
        process.stdout.write(`\ngenerated and replayed ${engine.counts.rows.toLocaleString('en-US')} rows in ${secs.toFixed(1)} s. ` +
          'Next: npx rfm generate -o orders.arrow && npx rfm replay orders.arrow --json report.json\n');
      } finally {
        await engine.close();
      }
    }));
}
