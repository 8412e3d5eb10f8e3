/** `rfm generate`: a seeded synthetic order history as Arrow IPC. */
import type { Command } from 'commander';
import { writeArrow } from '../report/arrow-writer.js';
import type { IpcFormat } from '../report/arrow-writer.js';
import { generateOrders } from '../sources/generator/generator.js';
import { action } from './errors.js';
import { oneOf, wholeNumber } from './options.js';
import { Progress } from './progress.js';
import { RfmError } from '../domain/errors.js';

export function generateCommand(program: Command): void {
  program
    .command('generate')
    .description('write a seeded synthetic order history (time-sorted Arrow IPC)')
    .requiredOption('-o, --output <file>', 'output file (- for stdout)')
    .option(
      '--customers <n>',
      'customers, each with at least one order',
      wholeNumber('--customers', 1, 100_000_000),
      100_000,
    )
    .option('--orders <n>', 'orders in all', wholeNumber('--orders', 1, 2_000_000_000), 1_000_000)
    .option('--seed <n>', 'random seed', wholeNumber('--seed', 0, 2 ** 31 - 1), 1)
    .option('--days <n>', 'length of the history in days, ending 2026-01-01', wholeNumber('--days', 1, 20_000), 730)
    .option('--string-ids', 'string customer ids (emails) instead of Int64')
    .option('--format <format>', 'IPC file or stream', oneOf('--format', ['file', 'stream'] as const))
    .action(
      action(
        async (o: {
          output: string;
          customers: number;
          orders: number;
          seed: number;
          days: number;
          stringIds?: boolean;
          format?: IpcFormat;
        }) => {
          if (o.orders < o.customers)
            throw new RfmError(
              'RFM_ERR_OPTION',
              `--orders (${o.orders}) must be at least --customers (${o.customers}): every customer has an order`,
            );
          const progress = new Progress('generate', 'rows');
          progress.total = o.orders;
          const started = performance.now();
          const r = await writeArrow(
            o.output,
            generateOrders({
              customers: o.customers,
              orders: o.orders,
              seed: o.seed,
              days: o.days,
              stringIds: o.stringIds,
            }),
            o.format,
            (rows) => progress.update(rows, rows),
          );
          progress.done();
          process.stderr.write(
            `rfm: wrote ${r.rows.toLocaleString('en-US')} rows (${o.orders.toLocaleString('en-US')} orders of ` +
              `${o.customers.toLocaleString('en-US')} customers,` +
              ` refunds besides) in ${r.batches} batches to ${o.output} in ` +
              `${((performance.now() - started) / 1000).toFixed(1)} s\n`,
          );
        },
      ),
    );
}
