/** `rfm import csv|cdnow|parquet|<cart>`: order exports to Arrow IPC. */
import { rmSync } from 'node:fs';
import type { Command } from 'commander';
import type { RecordBatch } from 'apache-arrow';
import { writeArrow } from '../report/arrow-writer.js';
import { readCdnow } from '../sources/cdnow.js';
import { readParquetOrders } from '../sources/parquet/import.js';
import { DEFAULT_COLUMNS } from '../batch/schema.js';
import { readCsvRecordBatches } from '../sources/csv/record-batches.js';
import type { CsvImportOptions } from '../sources/csv/csv-options.js';
import { newImportStats } from '../sources/import-stats.js';
import type { ImportStats } from '../sources/import-stats.js';
import { DATE_FORMATS } from '../sources/parse-values.js';
import { action } from './errors.js';
import { importCartCommands } from './import-cart.js';
import { oneOf } from './options.js';
import { Progress } from './progress.js';
import { RfmError } from '../domain/errors.js';
import { checkNotCutShort } from '../sources/cut-short.js';

async function importTo(
  output: string,
  input: string,
  batches: AsyncIterable<RecordBatch>,
  stats: ImportStats,
): Promise<void> {
  const progress = new Progress('import', 'rows');
  try {
    await writeArrow(output, batches, undefined, (rows) => progress.update(rows, rows));
    if (stats.rows === 0) throw new RfmError('RFM_ERR_INPUT', `${input}: no data rows found`);
  } catch (e) {
    // no output rather than a part of one that looks whole
    if (output !== '-') rmSync(output, { force: true });
    throw e;
  }
  progress.done();
  const bad = [
    stats.badIds && `${stats.badIds} without a customer id`,
    stats.badTimes && `${stats.badTimes} with an unreadable time`,
    stats.badAmounts && `${stats.badAmounts} with an unreadable amount`,
    stats.badKinds && `${stats.badKinds} with an unknown kind`,
  ].filter(Boolean);
  if (stats.badFieldCounts > 0) {
    process.stderr.write(
      `rfm: ${stats.badFieldCounts.toLocaleString('en-US')} lines with more or fewer fields than the header were ` +
        `left out ` +
        `(the first on line ${stats.firstBadFieldCountLine}: an unquoted delimiter in a value?)\n`,
    );
  }
  process.stderr.write(
    `rfm: imported ${stats.rows.toLocaleString('en-US')} rows from ${input} to ${output}` +
      (bad.length ? `; ${bad.join(', ')} (kept as nulls: replay rejects and counts them)` : '') +
      '\n',
  );
}

/** The csv command's options: the importer's, as commander hands them over, and the output. */
type CsvOptions = Omit<CsvImportOptions, 'decimalComma' | 'batchRows'> & { output: string; decimalComma?: boolean };

export function importCommand(program: Command): void {
  const imp = program.command('import').description('convert order exports to Arrow IPC for replay');
  imp
    .command('csv')
    .description('a delimited text file of orders, columns named by header or numbered from 1')
    .argument('<file>', 'CSV file (- for stdin)')
    .requiredOption('-o, --output <file>', 'Arrow IPC output (- for stdout)')
    .option('--customer <column>', 'customer id column', 'customer_id')
    .option('--ts <column>', 'order time column', 'ts')
    .option('--amount <column>', 'order value column', 'amount')
    .option(
      '--kind <column>',
      'event kind column: order, refund, visit, email_open (default: a column named kind, if any)',
    )
    .option('--delimiter <char>', 'field delimiter', ',')
    .option('--no-header', 'the first line is data; name columns by number')
    .option(
      '--date-format <format>',
      `how times are written: ${DATE_FORMATS.join(', ')}`,
      oneOf('--date-format', DATE_FORMATS),
      'iso',
    )
    .option('--decimal-comma', 'amounts use "," as the decimal mark (12,50)')
    .option(
      '--id-type <type>',
      'customer ids: auto, int or string',
      oneOf('--id-type', ['auto', 'int', 'string'] as const),
      'auto',
    )
    .option(
      '--encoding <encoding>',
      'how the file is text: utf8 (checked) or latin1',
      oneOf('--encoding', ['utf8', 'latin1'] as const),
      'utf8',
    )
    .action(
      action(async (file: string, o: CsvOptions) => {
        const delimiter = o.delimiter === '\\t' || o.delimiter === 'tab' ? '\t' : o.delimiter;
        if (delimiter.length !== 1)
          throw new RfmError('RFM_ERR_OPTION', `--delimiter must be one character (or "tab"), got ${o.delimiter}`);
        const stats = newImportStats();
        const { output: _, ...options } = o;
        checkNotCutShort(file, delimiter);
        const batches = readCsvRecordBatches(
          file,
          { ...options, delimiter, decimalComma: o.decimalComma ?? false },
          stats,
        );
        await importTo(o.output, file, batches, stats);
      }),
    );
  imp
    .command('cdnow')
    .description('the CDNOW text format: id, [sample id,] yyyymmdd, CDs, dollars (header optional)')
    .argument('<file>', 'CDNOW_master.txt or CDNOW_sample.txt (- for stdin)')
    .requiredOption('-o, --output <file>', 'Arrow IPC output (- for stdout)')
    .action(
      action(async (file: string, o: { output: string }) => {
        const stats = newImportStats();
        await importTo(o.output, file, readCdnow(file, stats), stats);
      }),
    );
  imp
    .command('parquet')
    .description('a Parquet file of orders (a data warehouse export), its columns named as for replay')
    .argument('<file>', 'Parquet file')
    .requiredOption('-o, --output <file>', 'Arrow IPC output (- for stdout)')
    .option('--customer <column>', 'customer id column (integer or string)', DEFAULT_COLUMNS.customer)
    .option('--ts <column>', 'order time column (timestamp, date or int64 ms)', DEFAULT_COLUMNS.ts)
    .option('--amount <column>', 'order value column (decimal, float or integer)', DEFAULT_COLUMNS.amount)
    .option('--kind <column>', 'event kind column, read when present', DEFAULT_COLUMNS.kind)
    .action(
      action(
        async (file: string, o: { output: string; customer: string; ts: string; amount: string; kind: string }) => {
          const progress = new Progress('import', 'rows');
          let rows = 0;
          try {
            await writeArrow(
              o.output,
              readParquetOrders(file, { customer: o.customer, ts: o.ts, amount: o.amount, kind: o.kind }, (n) => {
                rows = n;
                progress.update(n, n);
              }),
            );
            if (rows === 0) throw new RfmError('RFM_ERR_INPUT', `${file}: no rows`);
          } catch (e) {
            if (o.output !== '-') rmSync(o.output, { force: true });
            throw e;
          } finally {
            progress.done();
          }
          process.stderr.write(
            `rfm: imported ${rows.toLocaleString('en-US')} rows from ${file} to ` +
              `${o.output === '-' ? 'stdout' : o.output}\n`,
          );
        },
      ),
    );
  importCartCommands(imp);
}
