/** `rfm replay`: Arrow orders in, the report out. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Engine } from '../engine/engine.js';
import type { CoreName } from '../engine/shard-host.js';
import { loadDefaultModel, loadModel } from '../model/model.js';
import { writeCustomersCsv } from '../report/customers-csv.js';
import { RejectsFile } from '../report/rejects-csv.js';
import { buildReport } from '../report/report.js';
import { summaryTable } from '../report/summary.js';
import type { CsvImportOptions } from '../sources/csv-import.js';
import type { CartSummary } from '../sources/carts/cart-import.js';
import { cartSummaryText } from '../sources/carts/cart-summary.js';
import type { InputKind } from '../sources/input-format.js';
import { INPUT_KINDS, describeInput, inputKind, openInput } from '../sources/input-source.js';
import { cartOptions } from './import-cart.js';
import { DATE_FORMATS } from '../sources/parse-values.js';
import type { DateFormat } from '../sources/parse-values.js';
import { action } from './errors.js';
import { amount, asOfTime, duration, fraction, oneOf, wholeNumber } from './options.js';
import { DEFAULT_MAX_AMOUNT } from '../batch/limits.js';
import { Progress } from './progress.js';
import { availableParallelism } from 'node:os';
import { RfmError } from '../core/errors.js';

interface ReplayOptions {
  json?: string;
  customers?: string;
  rejects?: string;
  exact?: boolean;
  asOf?: number;
  workers: number;
  core: CoreName;
  model?: string;
  accuracy: number;
  customerColumn: string;
  tsColumn: string;
  amountColumn: string;
  kindColumn: string;
  stallTimeout?: number;
  quiet?: boolean;
  maxAmount: number;
  maxFuture?: number;
  format: 'auto' | InputKind;
  currency?: string;
  timezone: string;
  delimiter: string;
  header: boolean;
  dateFormat: DateFormat;
  decimalComma?: boolean;
  idType: 'auto' | 'int' | 'string';
  encoding: 'utf8' | 'latin1';
}

/** The CSV reader's options from replay's: the columns by the same names as for Arrow. */
function csvOptions(o: ReplayOptions): CsvImportOptions {
  const delimiter = o.delimiter === '\\t' || o.delimiter === 'tab' ? '\t' : o.delimiter;
  if (delimiter.length !== 1) throw new RfmError('RFM_ERR_OPTION', `--delimiter must be one character (or "tab"), got ${o.delimiter}`);
  return {
    customer: o.customerColumn, ts: o.tsColumn, amount: o.amountColumn,
    // the default kind column is read when the header has one, as rfm import csv does
    kind: o.kindColumn === 'kind' ? undefined : o.kindColumn,
    delimiter, header: o.header, dateFormat: o.dateFormat, decimalComma: o.decimalComma ?? false, idType: o.idType, encoding: o.encoding,
    columnOptionSuffix: '-column',
  };
}

export function replayCommand(program: Command): void {
  const replay = program
    .command('replay')
    .description('replay orders (Arrow IPC, Parquet, CSV or a cart\'s export, or - for stdin) through the engine and report the segments')
    .argument('<inputs...>', 'order files, told apart by their first bytes, then their header; - reads stdin (Arrow, or --format csv)')
    .option('--json <file>', 'write the report as JSON (- for stdout)')
    .option('--customers <file>', 'write one CSV row per customer (- for stdout)')
    .option('--rejects <file>', 'write rejected rows (null customer, bad time or amount) as CSV')
    .option('--exact', 'rank from all values instead of the sketches')
    .option('--as-of <date>', 'measure recency against this date instead of the latest event (events after it are ignored); "now" for the wall clock', asOfTime)
    .option('--workers <n>', 'worker threads, one shard each (0: all in this thread)', wholeNumber('--workers', 0, 64), availableParallelism())
    .option('--core <name>', 'kernel: wasm or js (the plain TypeScript core)', oneOf('--core', ['wasm', 'js'] as const), 'wasm')
    .option('--model <file>', 'segmentation model (JSON rules); default: models/default.json')
    .option('--accuracy <fraction>', 'relative accuracy of the money sketches', fraction('--accuracy'), 0.005)
    .option('--customer-column <name>', 'customer id column', 'customer_id')
    .option('--ts-column <name>', 'event time column', 'ts')
    .option('--amount-column <name>', 'amount column', 'amount')
    .option('--kind-column <name>', 'event kind column (optional in the data)', 'kind')
    .option('--max-amount <amount>', 'reject orders and refunds larger than this', amount('--max-amount'), DEFAULT_MAX_AMOUNT)
    .option('--max-future <duration>', 'reject events dated more than this ahead of the clock (90s, 12h, 1d; default: off)', duration('--max-future'))
    .option('--stall-timeout <ms>', 'give up on an input that yields nothing for this long, ms (default 5000 for files, none for stdin)', wholeNumber('--stall-timeout', 100, 3_600_000))
    .option('--format <format>', `auto (a file's first bytes, then its header, decide; stdin is Arrow), ${INPUT_KINDS.join(', ')}`, oneOf('--format', ['auto', ...INPUT_KINDS] as const), 'auto')
    .option('--delimiter <char>', 'CSV field delimiter ("tab" for tabs)', ',')
    .option('--no-header', 'CSV: the first line is data; name columns by number')
    .option('--date-format <format>', `CSV: how times are written: ${DATE_FORMATS.join(', ')}`, oneOf('--date-format', DATE_FORMATS), 'iso')
    .option('--decimal-comma', 'CSV: amounts use "," as the decimal mark (12,50)')
    .option('--id-type <type>', 'CSV: customer ids auto, int or string', oneOf('--id-type', ['auto', 'int', 'string'] as const), 'auto')
    .option('--encoding <encoding>', 'CSV: how the file is text, utf8 (checked) or latin1', oneOf('--encoding', ['utf8', 'latin1'] as const), 'utf8')
    .option('-q, --quiet', 'no summary table');
  cartOptions(replay)
    .action(action(async (inputs: string[], o: ReplayOptions) => {
      if (inputs.filter((i) => i === '-').length > 1) throw new RfmError('RFM_ERR_OPTION', 'stdin (-) can be read once');
      const toStdout = [o.json, o.customers, o.rejects].filter((f) => f === '-').length;
      if (toStdout > 1) throw new RfmError('RFM_ERR_OPTION', 'only one of --json, --customers and --rejects can be - (stdout)');
      const model = o.model ? loadModel(o.model) : loadDefaultModel();
      const engine = new Engine({
        workers: o.workers, core: o.core, model, relativeAccuracy: o.accuracy, asOf: o.asOf, keepRejects: o.rejects !== undefined,
        columns: { customer: o.customerColumn, ts: o.tsColumn, amount: o.amountColumn, kind: o.kindColumn },
        limits: { maxAmount: o.maxAmount, maxFutureMs: o.maxFuture },
      });
      const rejects = o.rejects ? new RejectsFile(o.rejects) : null;
      const progress = new Progress('replay', 'batches');
      const read: string[] = [];
      const carts: CartSummary[] = [];
      try {
        let batchesBefore = 0;
        for (const input of inputs) {
          let batches = 0;
          const format = await inputKind(input, o.format);
          read.push(`${input === '-' ? 'stdin' : input}: ${describeInput(format)}`);
          const opened = openInput(input, format, engine.sourceOptions(), {
            csv: csvOptions(o),
            cart: {
              currency: o.currency, timezone: o.timezone, decimalComma: o.decimalComma ?? false,
              dateFormat: o.dateFormat === 'dd/mm/yyyy' || o.dateFormat === 'mm/dd/yyyy' ? o.dateFormat : undefined,
            },
            arrow: {
              stallMs: o.stallTimeout,
              onStart: (n) => {
                // a Parquet file's count is of row groups, not of the batches handed over
                progress.total = n === null || format === 'parquet' ? null : batchesBefore + n;
              },
            },
          });
          if (opened.cart !== null) carts.push(opened.cart);
          const stats = opened.csvStats;
          const source = opened.batches;
          if (format !== 'arrow') progress.total = null;
          for await (const c of source) {
            await engine.ingest(c);
            rejects?.write(engine.takeRejects());
            batches += c.batches;
            progress.update(batchesBefore + batches, engine.counts.rows);
          }
          batchesBefore += batches;
          if (stats.badFieldCounts > 0) {
            process.stderr.write(`rfm: ${input}: ${stats.badFieldCounts.toLocaleString('en-US')} lines with more or fewer fields than the header were left out ` +
              `(the first on line ${stats.firstBadFieldCountLine}: an unquoted delimiter in a value?)\n`);
          }
        }
        progress.done();
        for (const c of carts) process.stderr.write(cartSummaryText(c));
        const k = engine.counts;
        if (k.rows === 0) throw new RfmError('RFM_ERR_INPUT', `${inputs.join(', ')}: no rows to replay`);
        if (k.rejected === k.rows) {
          throw new RfmError('RFM_ERR_INPUT', `every one of the ${k.rows.toLocaleString('en-US')} rows was rejected${o.rejects ? ` (listed in ${o.rejects})` : ' (--rejects FILE lists them)'}`);
        }
        const mode = o.exact ? 'exact' : 'sketch';
        const { report } = buildReport(await engine.snapshot(mode, true), model);
        const jsonToStdout = o.json === '-';
        if (!o.quiet) (toStdout > 0 ? process.stderr : process.stdout).write(`read ${read.join('; ')}\n` + summaryTable(report, model));
        if (engine.counts.afterAsOf > 0) {
          process.stderr.write(`rfm: ${engine.counts.afterAsOf.toLocaleString('en-US')} events after --as-of were left out\n`);
        }
        if (engine.counts.rejected > 0) {
          process.stderr.write(`rfm: ${engine.counts.rejected.toLocaleString('en-US')} rows rejected${o.rejects ? `, written to ${o.rejects === '-' ? 'stdout' : o.rejects}` : ' (--rejects FILE lists them)'}\n`);
        }
        if (o.json) {
          const text = JSON.stringify(report, null, 2) + '\n';
          if (jsonToStdout) process.stdout.write(text);
          else writeFileSync(o.json, text);
        }
        if (o.customers) await writeCustomersCsv(o.customers, await engine.customers(mode));
      } finally {
        await rejects?.close();
        await engine.close();
      }
    }));
}
