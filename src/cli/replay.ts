/** `rfm replay`: Arrow orders in, the report out. */
import { writeFileSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { BufferPool } from '../batch/buffer-pool.js';
import { columnBatchOver } from '../batch/column-batch.js';
import { Kind } from '../core/types.js';
import { headlines, headlinesText } from '../report/headlines.js';
import type { Headlines } from '../report/headlines.js';
import { migrationText, movesOf, segmentsAt } from '../report/migration.js';
import type { Migration, SegmentsAt } from '../report/migration.js';
import type { Report, SnapshotExtras } from '../report/report.js';
import type { InputReadOptions } from '../sources/input-source.js';
import { PERIODS, periodEnds } from './periods.js';
import type { Period } from './periods.js';
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

/** JSON values, one a line, to a file or stdout (-). */
class JsonLines {
  private readonly out: NodeJS.WritableStream;
  constructor(private readonly path: string) {
    this.out = path === '-' ? process.stdout : createWriteStream(path);
  }
  write(v: object): void {
    this.out.write(JSON.stringify(v) + '\n');
  }
  async close(): Promise<void> {
    if (this.path === '-') return;
    await new Promise<void>((resolve, reject) => (this.out as WriteStream).end((e?: Error | null) => (e ? reject(new RfmError('RFM_ERR_INPUT', `cannot write ${this.path}: ${e.message}`)) : resolve())));
  }
}

/** The first and last event times of the inputs (a read that applies nothing), or null when there is none. */
async function timeRange(
  inputs: string[], kinds: Map<string, InputKind>, engine: Engine, readOptions: (format: InputKind, before: () => number) => InputReadOptions,
): Promise<{ first: number; last: number } | null> {
  const pool = new BufferPool(false);
  const target = { ...engine.sourceOptions(), asOf: undefined, numShards: 1, recycleFrom: pool, keepRejects: false, after: undefined, quietRejects: true };
  let first = Infinity;
  let last = -Infinity;
  for (const input of inputs) {
    const format = kinds.get(input)!;
    for await (const c of openInput(input, format, target, readOptions(format, () => 0)).batches) {
      const part = c.parts[0];
      const b = columnBatchOver(part.buffer, part.shape);
      for (let i = 0; i < b.numRows; i++) if (b.kind[i] !== Kind.skip && b.ts[i] < first) first = b.ts[i];
      if (c.maxTs > last) last = c.maxTs;
      pool.give(part.buffer);
    }
  }
  return first <= last ? { first, last } : null;
}

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
  from?: number;
  to?: number;
  every?: Period;
  jsonLines?: string;
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

/** --from, --to and --every make sense together, and read the inputs more than once. */
function checkWindows(inputs: string[], o: ReplayOptions): void {
  const windows = o.from !== undefined || o.every !== undefined;
  if (o.to !== undefined && o.asOf !== undefined) throw new RfmError('RFM_ERR_OPTION', '--to and --as-of are the same date here: give one');
  if (o.to !== undefined && !windows) throw new RfmError('RFM_ERR_OPTION', '--to closes --from or --every: give one of them, or --as-of for a report at a date');
  if (o.jsonLines !== undefined && o.every === undefined) throw new RfmError('RFM_ERR_OPTION', '--json-lines writes the reports of --every: give --every day|week|month|quarter');
  if (o.every !== undefined && o.jsonLines === undefined) throw new RfmError('RFM_ERR_OPTION', '--every writes a report a period: give --json-lines FILE (- for stdout)');
  const end = o.to ?? o.asOf;
  if (o.from !== undefined && end !== undefined && !(o.from < end)) throw new RfmError('RFM_ERR_OPTION', '--from must be before --to');
  // each window is a read of the inputs: stdin cannot be read again
  if (windows && inputs.includes('-')) throw new RfmError('RFM_ERR_OPTION', '--from and --every read the inputs once a date (each row applied once, in its period): give files, not stdin');
  if (windows && o.jsonLines === '-' && [o.json, o.customers, o.rejects].includes('-')) throw new RfmError('RFM_ERR_OPTION', 'only one output can be - (stdout)');
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
    .option('--from <date>', 'also take every customer\'s segment at this date: the report gains "atFrom" and the migration from then to --to', asOfTime)
    .option('--to <date>', 'the report\'s date with --from or --every (default: --as-of, else the latest event)', asOfTime)
    .option('--every <period>', `a report at the end of every ${PERIODS.join(', ')} (with the migration since the one before), to --json-lines`, oneOf('--every', PERIODS))
    .option('--json-lines <file>', 'with --every: one report a line (- for stdout)')
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
      checkWindows(inputs, o);
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
      const readOptions = (format: InputKind, batchesBefore: () => number): InputReadOptions => ({
        csv: csvOptions(o),
        cart: {
          currency: o.currency, timezone: o.timezone, decimalComma: o.decimalComma ?? false,
          dateFormat: o.dateFormat === 'dd/mm/yyyy' || o.dateFormat === 'mm/dd/yyyy' ? o.dateFormat : undefined,
        },
        arrow: {
          stallMs: o.stallTimeout,
          onStart: (n) => {
            // a Parquet file's count is of row groups, not of the batches handed over
            progress.total = n === null || format === 'parquet' ? null : batchesBefore() + n;
          },
        },
      });
      const kinds = new Map<string, InputKind>();
      for (const input of inputs) kinds.set(input, await inputKind(input, o.format));

      /** Every input through the engine once (the first read also says how each was read). */
      const readInputs = async (first: boolean): Promise<void> => {
        let batchesBefore = 0;
        for (const input of inputs) {
          let batches = 0;
          const format = kinds.get(input)!;
          if (first) read.push(`${input === '-' ? 'stdin' : input}: ${describeInput(format)}`);
          const opened = openInput(input, format, engine.sourceOptions(), readOptions(format, () => batchesBefore));
          if (opened.cart !== null && first) carts.push(opened.cart);
          if (format !== 'arrow') progress.total = null;
          for await (const c of opened.batches) {
            await engine.ingest(c);
            rejects?.write(engine.takeRejects());
            batches += c.batches;
            progress.update(batchesBefore + batches, engine.counts.rows);
          }
          batchesBefore += batches;
          const stats = opened.csvStats;
          if (first && stats.badFieldCounts > 0) {
            process.stderr.write(`rfm: ${input}: ${stats.badFieldCounts.toLocaleString('en-US')} lines with more or fewer fields than the header were left out ` +
              `(the first on line ${stats.firstBadFieldCountLine}: an unquoted delimiter in a value?)\n`);
          }
        }
        progress.done();
      };

      const mode = o.exact ? 'exact' : 'sketch';
      const to = o.to ?? o.asOf;
      try {
        // the dates the inputs are read up to, each read applying the rows after the one before
        let boundaries: (number | undefined)[] = [to];
        if (o.every !== undefined) {
          const range = await timeRange(inputs, kinds, engine, readOptions);
          if (range === null) throw new RfmError('RFM_ERR_INPUT', `${inputs.join(', ')}: no rows to replay`);
          boundaries = [...periodEnds(o.from ?? range.first, Math.min(range.last, to ?? Infinity), o.every).filter((b) => b >= (o.from ?? -Infinity)), to];
        } else if (o.from !== undefined) {
          boundaries = [o.from, to];
        }
        const lines = o.jsonLines ? new JsonLines(o.jsonLines) : null;
        let atFrom: Report | null = null;
        let previous: string | null = null;
        let last: { report: Report; extras: SnapshotExtras } | null = null;
        for (let w = 0; w < boundaries.length; w++) {
          engine.beginWindow(w === 0 ? undefined : boundaries[w - 1], boundaries[w]);
          await readInputs(w === 0);
          if (w === 0) {
            const k = engine.counts;
            if (k.rows === 0) throw new RfmError('RFM_ERR_INPUT', `${inputs.join(', ')}: no rows to replay`);
            if (k.rejected === k.rows) {
              throw new RfmError('RFM_ERR_INPUT', `every one of the ${k.rows.toLocaleString('en-US')} rows was rejected${o.rejects ? ` (listed in ${o.rejects})` : ' (--rejects FILE lists them)'}`);
            }
          }
          // committed: the next report's migration starts from these segments
          last = buildReport(await engine.snapshot(mode, true), model);
          if (w === 0 && boundaries.length > 1) atFrom = last.report;
          if (lines !== null) {
            const since: Migration = { from: previous, to: last.report.asOf, moves: movesOf(last.extras, model) };
            lines.write({ ...last.report, headlines: headlines(last.report, model, last.extras.lorenz, previous === null ? undefined : since), migration: since });
          }
          previous = last.report.asOf;
        }
        await lines?.close();
        for (const c of carts) process.stderr.write(cartSummaryText(c));
        // --from: the moves since it (with --every the lines have theirs, and the last report is the plain one)
        const migration: Migration | null = o.every === undefined && boundaries.length > 1 && atFrom !== null
          ? { from: atFrom.asOf, to: last!.report.asOf, moves: movesOf(last!.extras, model) } : null;
        const report: Report & { headlines?: Headlines; atFrom?: SegmentsAt; migration?: Migration } = last!.report;
        report.headlines = headlines(report, model, last!.extras.lorenz, migration ?? undefined);
        if (migration !== null) {
          report.atFrom = segmentsAt(atFrom!);
          report.migration = migration;
        }
        const jsonToStdout = o.json === '-';
        if (!o.quiet) {
          const moves = report.migration ? migrationText(report.migration) : '';
          const figures = headlinesText(report.headlines, report.atFrom?.asOf, report.asOf);
          (toStdout > 0 ? process.stderr : process.stdout).write(`read ${read.join('; ')}\n` + summaryTable(report, model) + figures + moves);
        }
        if (engine.counts.afterAsOf > 0) {
          process.stderr.write(`rfm: ${engine.counts.afterAsOf.toLocaleString('en-US')} events after ${o.to !== undefined ? '--to' : '--as-of'} were left out\n`);
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
