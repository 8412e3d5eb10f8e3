/**
 * What `rfm replay` and `rfm export` share: the options that make an engine and name its
 * inputs, and the reading of every input through it (the front door, input-source.ts),
 * once or once a window, with progress.
 */
import { fitAliveModel } from '../predict/alive-model.js';
import { availableParallelism } from 'node:os';
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { BufferPool } from '../batch/buffer-pool.js';
import { columnBatchOver } from '../batch/column-batch.js';
import { DEFAULT_MAX_AMOUNT, DEFAULT_MAX_FUTURE_MS, DEFAULT_MIN_YEAR, notAfter, startOfYear } from '../batch/limits.js';
import { RfmError } from '../domain/errors.js';
import { Kind } from '../domain/types.js';
import { RepeatOrders } from '../batch/repeat-orders.js';
import { DEFAULT_ORDER_COLUMN } from '../batch/schema.js';
import type { OrderColumn } from '../batch/schema.js';
import { Engine } from '../engine/engine.js';
import type { CoreName } from '../engine/shard-host.js';
import type { Model } from '../model/model.js';
import type { RejectsFile } from '../report/rejects-csv.js';
import { countedOf, fixFor, reasonsByCount } from '../report/counted.js';
import type { Counted } from '../report/counted.js';
import type { CartSummary } from '../sources/carts/cart-summary.js';
import type { CsvImportOptions } from '../sources/csv/csv-options.js';
import type { InputKind } from '../sources/input-format.js';
import type { ConversionTarget } from '../batch/record-batches.js';
import { INPUT_KINDS, cartOf, describeInput, inputKind, openInput } from '../sources/input-source.js';
import type { InputReadOptions } from '../sources/input-source.js';
import { DATE_FORMATS } from '../sources/parse-values.js';
import type { DateFormat } from '../sources/parse-values.js';
import { cartOptions } from './import-cart.js';
import { amount, fraction, futureBound, oneOf, wholeNumber } from './options.js';
import { dateArg } from './dates.js';
import { Progress } from './progress.js';

export interface EngineInputOptions extends InputOptions {
  asOf?: number;
  /** Given by --workers; else workersFor decides. */
  workers?: number;
  core: CoreName;
  model?: string;
  accuracy: number;
}

/** How a command's inputs are read, and which rows are kept. */
export interface InputOptions {
  customerColumn: string;
  tsColumn: string;
  amountColumn: string;
  kindColumn: string;
  orderColumn: string;
  stallTimeout?: number;
  maxAmount: number;
  maxFuture?: number;
  minYear: number;
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

/** The options of an engine and its inputs, on a command. */
export function engineInputOptions(c: Command): Command {
  c.option(
    '--as-of <date>',
    'measure recency against this date (the end of that day in --timezone) ' +
      'instead of the latest event (events after it are ignored); "now" for ' +
      'the wall clock',
    dateArg('--as-of'),
  )
    .option(
      '--workers <n>',
      'worker threads, one shard each (0: all in this thread) (default: one a core; 0 for inputs under 16 MiB)',
      wholeNumber('--workers', 0, 64),
    )
    .option(
      '--core <name>',
      'kernel: wasm or js (the plain TypeScript core)',
      oneOf('--core', ['wasm', 'js'] as const),
      'wasm',
    )
    .option('--model <file>', 'segmentation model (JSON rules); default: models/default.json')
    .option('--accuracy <fraction>', 'relative accuracy of the money sketches', fraction('--accuracy'), 0.005);
  return inputOptions(c);
}

/** The options of how inputs are read and which rows are kept (replay's, publish's), on a command. */
export function inputOptions(c: Command): Command {
  c.option(
    '--max-amount <amount>',
    'reject orders and refunds larger than this',
    amount('--max-amount'),
    DEFAULT_MAX_AMOUNT,
  )
    .option(
      '--max-future <duration>',
      'reject events dated more than this ahead of the clock (90s, 12h, 1d; "off": keep them, for a simulated future)',
      futureBound('--max-future'),
      DEFAULT_MAX_FUTURE_MS,
    )
    .option(
      '--min-year <year>',
      'reject events dated before this year (placeholder dates such as 0001-01-01)',
      wholeNumber('--min-year', 1, 9999),
      DEFAULT_MIN_YEAR,
    )
    .option(
      '--stall-timeout <ms>',
      'give up on an input that yields nothing for this long, ms (default 5000 for files, none for stdin)',
      wholeNumber('--stall-timeout', 100, 3_600_000),
    )
    .option(
      '--format <format>',
      `auto (a file's first bytes, then its header, decide; stdin is Arrow), ${INPUT_KINDS.join(', ')}`,
      oneOf('--format', ['auto', ...INPUT_KINDS] as const),
      'auto',
    );
  return cartOptions(csvReadOptions(c));
}

/** How a CSV is read: the options of rfm replay, rfm serve FILE and the rest. */
export type CsvReadOptions = Pick<
  EngineInputOptions,
  | 'customerColumn'
  | 'tsColumn'
  | 'amountColumn'
  | 'kindColumn'
  | 'orderColumn'
  | 'delimiter'
  | 'header'
  | 'dateFormat'
  | 'decimalComma'
  | 'idType'
  | 'encoding'
>;

/** The input's column names and the CSV options, on a command. */
export function csvReadOptions(c: Command): Command {
  return c
    .option('--customer-column <name>', 'customer id column', 'customer_id')
    .option('--ts-column <name>', 'event time column', 'ts')
    .option('--amount-column <name>', 'amount column', 'amount')
    .option('--kind-column <name>', 'event kind column (optional in the data)', 'kind')
    .option(
      '--order-column <name>',
      `order id column: a repeated id counts once (read when the input has it; "none": every row is its own order)`,
      DEFAULT_ORDER_COLUMN,
    )
    .option('--delimiter <char>', 'CSV field delimiter ("tab" for tabs)', ',')
    .option('--no-header', 'CSV: the first line is data; name columns by number')
    .option(
      '--date-format <format>',
      `CSV: how times are written: ${DATE_FORMATS.join(', ')}`,
      oneOf('--date-format', DATE_FORMATS),
      'iso',
    )
    .option('--decimal-comma', 'CSV: amounts use "," as the decimal mark (12,50)')
    .option(
      '--id-type <type>',
      'CSV: customer ids auto, int or string',
      oneOf('--id-type', ['auto', 'int', 'string'] as const),
      'auto',
    )
    .option(
      '--encoding <encoding>',
      'CSV: how the file is text, utf8 (checked) or latin1',
      oneOf('--encoding', ['utf8', 'latin1'] as const),
      'utf8',
    );
}

/** The CSV reader's options from the command's: the columns by the same names as for Arrow. */
export function csvOptions(o: CsvReadOptions): CsvImportOptions {
  const delimiter = o.delimiter === '\\t' || o.delimiter === 'tab' ? '\t' : o.delimiter;
  if (delimiter.length !== 1)
    throw new RfmError('RFM_ERR_OPTION', `--delimiter must be one character (or "tab"), got ${o.delimiter}`);
  return {
    customer: o.customerColumn,
    ts: o.tsColumn,
    amount: o.amountColumn,
    // the default kind column is read when the header has one, as rfm import csv does
    kind: o.kindColumn === 'kind' ? undefined : o.kindColumn,
    order: orderColumnOf(o),
    delimiter,
    header: o.header,
    dateFormat: o.dateFormat,
    decimalComma: o.decimalComma ?? false,
    idType: o.idType,
    encoding: o.encoding,
    columnOptionSuffix: '-column',
  };
}

/** The order id column of the options: the default read when there, one named required, "none" none. */
export function orderColumnOf(o: Pick<CsvReadOptions, 'orderColumn'>): OrderColumn | undefined {
  if (o.orderColumn === 'none' || o.orderColumn === '') return undefined;
  return { name: o.orderColumn, required: o.orderColumn !== DEFAULT_ORDER_COLUMN };
}

/**
 * Inputs smaller than this in all are replayed in this thread unless --workers says otherwise:
 * starting workers costs ~0.15 s of a run, and below ~10^6 rows one thread ends first
 * (bench/NOTES.md 58: a 300,000-row CSV 0.63-0.67 s in this thread, 0.78-0.91 s on two workers).
 */
export const SMALL_INPUT_BYTES = 16 * 2 ** 20;

/** The workers a command's engine gets: --workers, else none for small files, else one a core. */
export function workersFor(inputs: string[], asked: number | undefined): number {
  if (asked !== undefined) return asked;
  let bytes = 0;
  for (const input of inputs) {
    if (input === '-') return availableParallelism();
    try {
      // Parquet is compressed: its rows are some four times those of its bytes as CSV
      bytes += statSync(input).size * (/\.parquet$/i.test(input) ? 4 : 1);
    } catch {
      // a missing input is the reader's to name
    }
  }
  return bytes < SMALL_INPUT_BYTES ? 0 : availableParallelism();
}

/**
 * Batches of a file in flight to the workers before the reader waits. A file's batches are
 * joined to 262,144 rows, so four keep two workers busy; each one more is a fresh buffer of
 * 6.3 MB early in a run, whose first touch costs the reading thread ~30 ms in page faults
 * here (16, the engine's default for live batches, cost it 450 ms of a 1.4 s replay of 10^7
 * orders; bench/NOTES.md 62).
 */
const FILE_BATCHES_IN_FLIGHT = 4;

export function engineOf(o: EngineInputOptions, model: Model, keepRejects: boolean, inputs: string[]): Engine {
  return new Engine({
    workers: workersFor(inputs, o.workers),
    core: o.core,
    model,
    relativeAccuracy: o.accuracy,
    asOf: o.asOf,
    keepRejects,
    columns: { customer: o.customerColumn, ts: o.tsColumn, amount: o.amountColumn, kind: o.kindColumn },
    limits: { maxAmount: o.maxAmount, maxFutureMs: o.maxFuture, notBefore: startOfYear(o.minYear) },
    fitAlive: fitAliveModel,
    maxInFlight: FILE_BATCHES_IN_FLIGHT,
  });
}

/** Every input of a command through its engine: once, or once a window. */
export class EngineInputs {
  /** How each input was read ("FILE: Shopify orders export (preset shopify)"), after the first read. */
  readonly read: string[] = [];
  /** The cart exports' summaries, after the first read. */
  readonly carts: CartSummary[] = [];
  private readonly progress: Progress;

  private constructor(
    private readonly inputs: string[],
    private readonly kinds: Map<string, InputKind>,
    private readonly engine: Engine,
    private readonly o: EngineInputOptions,
    private readonly label: string,
  ) {
    this.progress = new Progress(label, 'batches');
  }

  /** The inputs told apart (a file's content, or --format). */
  static async of(inputs: string[], engine: Engine, o: EngineInputOptions, label: string): Promise<EngineInputs> {
    if (inputs.filter((i) => i === '-').length > 1) throw new RfmError('RFM_ERR_OPTION', 'stdin (-) can be read once');
    const kinds = new Map<string, InputKind>();
    for (const input of inputs) kinds.set(input, await inputKind(input, o.format));
    return new EngineInputs(inputs, kinds, engine, o, label);
  }

  /**
   * Every input through the engine once (the first read also says how each was read). With
   * `resume`, the first `skip` converted batches are read and not applied (a checkpoint's
   * state has them), and `applied` is called after each batch applied with the count so far
   * (a checkpoint's position: the inputs give the same batches on every read).
   */
  async readAll(
    first: boolean,
    rejects: RejectsFile | null,
    resume?: { skip: number; applied: (batches: number) => Promise<void> },
  ): Promise<void> {
    const engine = this.engine;
    let batchesBefore = 0;
    let converted = 0;
    // one order id set for every input of a read: overlapping files count an order once
    const repeats = new RepeatOrders();
    // a checkpoint holds no count of repeats: counted again from every batch read, skipped or not
    if (resume !== undefined) engine.duplicates = 0;
    for (const unit of inputUnits(this.inputs, this.kinds)) {
      let batches = 0;
      const format = unit.kind;
      if (first)
        for (const input of unit.paths) this.read.push(`${input === '-' ? 'stdin' : input}: ${describeInput(format)}`);
      const opened = openInput(
        unit.paths,
        format,
        this.target(),
        inputReadOptions(this.o, format, this.progress, () => batchesBefore),
      );
      if (opened.cart !== null && first) this.carts.push(opened.cart);
      if (format !== 'arrow') this.progress.total = null;
      for await (const c of opened.batches) {
        batches += c.batches;
        // before the checkpoint's skip: the ids of the batches it has are seen all the same
        repeats.drop(c);
        if (resume !== undefined && converted < resume.skip) {
          converted++;
          engine.duplicates += c.duplicates ?? 0;
          for (const b of new Set(c.parts.map((p) => p.buffer))) engine.pool.give(b);
          continue;
        }
        await engine.ingest(c);
        rejects?.write(engine.takeRejects());
        this.progress.update(batchesBefore + batches, engine.counts.rows);
        if (resume !== undefined) await resume.applied(++converted);
      }
      batchesBefore += batches;
      const stats = opened.csvStats;
      if (first && stats.badFieldCounts > 0) {
        process.stderr.write(
          `rfm: ${unit.paths[0]}: ${stats.badFieldCounts.toLocaleString('en-US')} lines with more or fewer fields ` +
            `than the header were left out ` +
            `(the first on line ${stats.firstBadFieldCountLine}: an unquoted delimiter in a value?)\n`,
        );
      }
    }
    this.progress.done();
    if (first && repeats.dropped > 0) process.stderr.write(repeatsText(repeats, this.o.orderColumn));
    if (first) this.checkSomethingCounted();
  }

  /** An input none of whose rows counted ends the run: with the commonest reason and its likely fix. */
  private checkSomethingCounted(): void {
    const k = this.engine.counts;
    const cartRows = this.carts.reduce((t, c) => t + c.rows, 0);
    if (k.rows === 0 && cartRows === 0)
      throw new RfmError('RFM_ERR_INPUT', `${this.inputs.join(', ')}: no rows to ${this.label}`);
    if (k.orders + k.refunds + k.engagements + k.afterAsOf > 0) return;
    const counted = countedOf(this.engine, this.carts, 0);
    const [top] = reasonsByCount(counted);
    const rows = counted.rowsRead.toLocaleString('en-US');
    if (top === undefined) {
      throw new RfmError(
        'RFM_ERR_INPUT',
        `${this.inputs.join(', ')}: none of the ${rows} rows is an order to count (${cartLeftOut(counted)})`,
      );
    }
    const fix = fixFor(top[0], this.engine.rejectedBy[top[0]]?.first);
    const leftOut = this.carts.length > 0 ? ` (${cartLeftOut(counted)})` : '';
    throw new RfmError(
      'RFM_ERR_INPUT',
      `every one of the ${rows} rows was rejected${leftOut ? ' or left out' : ''}${leftOut}; the commonest reason: ` +
        `${top[1].count.toLocaleString('en-US')} ${top[0]} (the first: ${top[1].first})${fix}`,
    );
  }

  /** What the readers convert for: the engine's, with the order id column. */
  private target(): ConversionTarget {
    const t = this.engine.sourceOptions();
    return { ...t, names: { ...t.names, order: orderColumnOf(this.o) } };
  }

  /** The first and last event times of the inputs (a read that applies nothing), or null when there is none. */
  async timeRange(): Promise<{ first: number; last: number } | null> {
    const pool = new BufferPool(false);
    const target = {
      ...this.engine.sourceOptions(),
      asOf: undefined,
      numShards: 1,
      recycleFrom: pool,
      keepRejects: false,
      after: undefined,
      quietRejects: true,
    };
    let first = Infinity;
    let last = -Infinity;
    for (const unit of inputUnits(this.inputs, this.kinds)) {
      const format = unit.kind;
      for await (const c of openInput(
        unit.paths,
        format,
        target,
        inputReadOptions(this.o, format, this.progress, () => 0),
      ).batches) {
        const part = c.parts[0];
        const b = columnBatchOver(part.buffer, part.shape);
        for (let i = 0; i < b.numRows; i++) if (b.kind[i] !== Kind.skip && b.ts[i] < first) first = b.ts[i];
        if (c.maxTs > last) last = c.maxTs;
        pool.give(part.buffer);
      }
    }
    return first <= last ? { first, last } : null;
  }
}

/** A command's inputs as the readers take them, one unit a read. */
export interface InputUnit {
  paths: string[];
  kind: InputKind;
}

/**
 * The inputs as the readers take them: a cart's exports together, at the place of the first
 * (one store's files: an order id in two of them is one order, as rfm import reads them);
 * every other input alone.
 */
export function inputUnits(inputs: string[], kinds: Map<string, InputKind>): InputUnit[] {
  const units: InputUnit[] = [];
  const carts = new Map<InputKind, InputUnit>();
  for (const input of inputs) {
    const kind = kinds.get(input)!;
    const unit = cartOf(kind) === null ? undefined : carts.get(kind);
    if (unit !== undefined) unit.paths.push(input);
    else {
      units.push({ paths: [input], kind });
      if (cartOf(kind) !== null) carts.set(kind, units[units.length - 1]);
    }
  }
  return units;
}

/** How the readers read a unit of this format, its count of batches shown by progress. */
export function inputReadOptions(
  o: InputOptions,
  format: InputKind,
  progress: Progress,
  batchesBefore: () => number,
): InputReadOptions {
  return {
    csv: csvOptions(o),
    cart: {
      currency: o.currency,
      timezone: o.timezone,
      decimalComma: o.decimalComma ?? false,
      dateFormat: o.dateFormat === 'dd/mm/yyyy' || o.dateFormat === 'mm/dd/yyyy' ? o.dateFormat : undefined,
      notAfter: notAfter({ maxFutureMs: o.maxFuture }),
      notBefore: startOfYear(o.minYear),
      maxAmount: o.maxAmount,
      encoding: o.encoding,
    },
    arrow: {
      stallMs: o.stallTimeout,
      onStart: (n) => {
        // a Parquet file's count is of row groups, not of the batches handed over
        progress.total = n === null || format === 'parquet' ? null : batchesBefore() + n;
      },
    },
  };
}

/** The repeated orders left out, in words: with a warning when they look like an order's line items. */
export function repeatsText(r: RepeatOrders, column: string): string {
  const items =
    r.otherAmounts > 0
      ? `; ${r.otherAmounts.toLocaleString('en-US')} of them with another amount than the row before: if the rows ` +
        `are an order's line items, not repeats, give --order-column none`
      : '';
  return (
    `rfm: ${r.dropped.toLocaleString('en-US')} rows repeat an order id (column "${column}") an earlier row ` +
    `had: counted once${items}\n`
  );
}

/** What a cart's rules left out, in words: the statuses, currencies and repeats. */
function cartLeftOut(c: Counted): string {
  const parts = [
    ...Object.entries(c.excluded).map(([why, k]) => `${k} ${why}`),
    ...Object.entries(c.otherCurrencies).map(([cur, k]) => `${k} in ${cur}`),
  ];
  if (c.duplicates > 0) parts.push(`${c.duplicates} repeated`);
  return parts.length > 0 ? `left out: ${parts.join(', ')}` : 'none left out by status or currency';
}
