/** `rfm replay`: Arrow orders in, the report out. */
import { createWriteStream, writeFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { RfmError } from '../domain/errors.js';
import { loadDefaultModel, loadModel } from '../model/model.js';
import { writeCustomersCsv } from '../report/customers-csv.js';
import { headlines, headlinesText } from '../report/headlines.js';
import type { Headlines } from '../report/headlines.js';
import { migrationText, movesOf, segmentsAt } from '../report/migration.js';
import type { Migration, SegmentsAt } from '../report/migration.js';
import { RejectsFile } from '../report/rejects-csv.js';
import { buildReport } from '../report/report.js';
import type { Report, SnapshotExtras } from '../report/report.js';
import { summaryTable } from '../report/summary.js';
import { htmlReport } from '../report/html-report.js';
import { CultivationTracker } from '../report/cultivation.js';
import type { Cultivation } from '../report/cultivation.js';
import { cartSummaryText } from '../sources/carts/cart-summary.js';
import { countedOf, largeOrdersText, rejectedText, storeCurrencies } from '../report/counted.js';
import { EngineInputs, engineInputOptions, engineOf } from './engine-inputs.js';
import type { EngineInputOptions } from './engine-inputs.js';
import { action } from './errors.js';
import { duration, oneOf } from './options.js';
import { dateArg, isoIn } from './dates.js';
import { CheckpointDir, inputIdentity, sha256 } from '../engine/checkpoint-dir.js';
import type { RunIdentity } from '../engine/checkpoint-dir.js';
import type { Engine } from '../engine/engine.js';
import type { Model } from '../model/model.js';
import { PERIODS, periodEnds } from './periods.js';
import { checkCheckpointing, checkWindows } from './replay-checks.js';
import { CustomerValues, predictionColumns, unfittedText } from '../predict/customer-value.js';
import type { ValueSummary } from '../predict/customer-value.js';
import type { Period } from './periods.js';

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
    await new Promise<void>((resolve, reject) =>
      (this.out as WriteStream).end((e?: Error | null) =>
        e ? reject(new RfmError('RFM_ERR_INPUT', `cannot write ${this.path}: ${e.message}`)) : resolve(),
      ),
    );
  }
}

interface ReplayOptions extends EngineInputOptions {
  json?: string;
  customers?: string;
  rejects?: string;
  exact?: boolean;
  quiet?: boolean;
  from?: number;
  to?: number;
  every?: Period;
  jsonLines?: string;
  cohorts?: boolean;
  checkpoint?: string;
  checkpointEvery: CheckpointEvery;
  predict?: boolean;
}

/** What the report is of, for replay and report alike. */
function reportOptions(c: Command): Command {
  return c
    .option('--json <file>', 'write the report as JSON (- for stdout)')
    .option('--exact', 'rank from all values instead of the sketches')
    .option(
      '--from <date>',
      "also take every customer's segment at this date (its end in " +
        '--timezone): the report gains "atFrom", the migration from then to ' +
        '--to and core retention',
      dateArg('--from'),
    )
    .option(
      '--to <date>',
      "the report's date with --from or --every (the end of that day in " +
        '--timezone; default: --as-of, else the latest event)',
      dateArg('--to'),
    )
    .option(
      '--cohorts',
      "the cultivation table: of each month's new customers, the share Core " +
        "within 90 / 180 / 365 days (segments measured at every month's end)",
    )
    .option(
      '--predict',
      'what customers are worth next: BG/NBD, MBG/NBD and Gamma-Gamma fitted ' +
        "at the report's date; P(alive), the year's expected purchases and CLV " +
        'by segment (and per customer in --customers)',
    );
}

export function replayCommand(program: Command): void {
  const replay = program
    .command('replay')
    .description(
      "replay orders (Arrow IPC, Parquet, CSV or a cart's export, or - for " +
        'stdin) through the engine and report the segments',
    )
    .argument(
      '<inputs...>',
      'order files, told apart by their first bytes, then their header; - reads stdin (Arrow, or --format csv)',
    )
    .option('--customers <file>', 'write one CSV row per customer (- for stdout)')
    .option('--rejects <file>', 'write rejected rows (null customer, bad time or amount) as CSV')
    .option(
      '--every <period>',
      `a report at the end of every ${PERIODS.join(', ')} (with the migration since the one before), to --json-lines`,
      oneOf('--every', PERIODS),
    )
    .option('--json-lines <file>', 'with --every: one report a line (- for stdout)')
    .option(
      '--checkpoint <dir>',
      'write the state to DIR as the replay goes (crash-safe), and resume ' +
        'from it when DIR holds one; Ctrl+C writes one and stops',
    )
    .option(
      '--checkpoint-every <n|duration>',
      'with --checkpoint: every N orders (1000000) or every duration (10s, 5m)',
      checkpointEvery,
      { orders: 1_000_000 },
    )
    .option('-q, --quiet', 'no summary table');
  engineInputOptions(reportOptions(replay)).action(
    action(async (inputs: string[], o: ReplayOptions) => runReplay(inputs, o)),
  );

  const report = program
    .command('report')
    .description(
      "the merchant's report as one self-contained HTML file (print it, " +
        'forward it): segments, groups, retention, concentration, the ' +
        'migration between --from and --to, a playbook',
    )
    .argument('<inputs...>', 'order files, as rfm replay reads them')
    .option('-o, --output <file>', 'the HTML report (needed unless --json is all you want)')
    .option('-q, --quiet', 'no summary table (the report prints none: taken for symmetry with replay)');
  engineInputOptions(reportOptions(report)).action(
    action(async (inputs: string[], o: ReplayOptions & { output?: string }) => {
      if (o.output === undefined && o.json === undefined)
        throw new RfmError(
          'RFM_ERR_OPTION',
          'rfm report writes -o FILE (the HTML report) or --json FILE, or both: say where',
        );
      return runReplay(inputs, { ...o, quiet: true }, o.output);
    }),
  );
}

/** Restarts from the same checkpoint before a lost shard ends the replay. */
const RESTARTS_AT_ONE_CHECKPOINT = 3;

/**
 * The replay, restarted when a shard's worker dies and --checkpoint is given: every shard
 * is restored from the last checkpoint (the work since it is done again) and the inputs
 * read on from its position, so the result is the uninterrupted run's. Without
 * --checkpoint, or dying again and again at one checkpoint, the lost shard ends the run.
 */
async function runReplay(inputs: string[], o: ReplayOptions, html?: string): Promise<void> {
  let position = -1;
  let atPosition = 0;
  for (;;) {
    try {
      return await replayOnce(inputs, o, html, (batches) => {
        atPosition = batches === position ? atPosition + 1 : 0;
        position = batches;
      });
    } catch (e) {
      if (!(e instanceof RfmError) || e.code !== 'RFM_ERR_WORKER') throw e;
      if (o.checkpoint === undefined) {
        throw new RfmError(
          'RFM_ERR_WORKER',
          `${e.message};` +
            ` the replay cannot go on without its state (with --checkpoint DIR it restarts from the last checkpoint)`,
          { cause: e },
        );
      }
      if (atPosition + 1 >= RESTARTS_AT_ONE_CHECKPOINT) {
        throw new RfmError(
          'RFM_ERR_WORKER',
          `${e.message}; ${RESTARTS_AT_ONE_CHECKPOINT} restarts from the same checkpoint failed,` +
            ` so the replay stops (the checkpoint in ${o.checkpoint} stays)`,
          { cause: e },
        );
      }
      process.stderr.write(`rfm: ${e.message}; restarting every shard from the last checkpoint in ${o.checkpoint}\n`);
    }
  }
}

/** One run of the replay; `resumed` is told the checkpoint position it starts from (0: the start). */
async function replayOnce(
  inputs: string[],
  o: ReplayOptions,
  html: string | undefined,
  resumed: (batches: number) => void,
): Promise<void> {
  const toStdout = [o.json, o.customers, o.rejects].filter((f) => f === '-').length;
  if (toStdout > 1)
    throw new RfmError('RFM_ERR_OPTION', 'only one of --json, --customers and --rejects can be - (stdout)');
  checkWindows(inputs, o);
  if (o.checkpoint !== undefined) checkCheckpointing(inputs, o);
  // from the start: a Ctrl+C while the engine starts stops at the first batch, with a checkpoint
  const signals = o.checkpoint !== undefined ? new StopSignals() : null;
  const model = o.model ? loadModel(o.model) : loadDefaultModel();
  const engine = engineOf(o, model, o.rejects !== undefined, inputs);
  const rejects = o.rejects ? new RejectsFile(o.rejects) : null;
  const mode = o.exact ? 'exact' : 'sketch';
  const to = o.to ?? o.asOf;
  try {
    const reader = await EngineInputs.of(inputs, engine, o, 'replay');
    // the dates the inputs are read up to, each read applying the rows after the one before
    let mains: (number | undefined)[] = [to];
    const range = o.every !== undefined || o.cohorts ? await reader.timeRange() : null;
    if ((o.every !== undefined || o.cohorts) && range === null)
      throw new RfmError('RFM_ERR_INPUT', `${inputs.join(', ')}: no rows to replay`);
    if (o.every !== undefined) {
      mains = [
        ...periodEnds(o.from ?? range!.first, Math.min(range!.last, to ?? Infinity), o.every, o.timezone).filter(
          (b) => b >= (o.from ?? -Infinity),
        ),
        to,
      ];
    } else if (o.from !== undefined) {
      mains = [o.from, to];
    }
    // --cohorts: every customer's segment at each month's end too (not committed: the
    // migration stays the one between the main dates)
    const boundaries: { at: number | undefined; main: boolean }[] = mains.map((at) => ({ at, main: true }));
    if (o.cohorts) {
      for (const at of periodEnds(range!.first, Math.min(range!.last, to ?? Infinity), 'month', o.timezone)) {
        if (!mains.includes(at)) boundaries.push({ at, main: false });
      }
      boundaries.sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity));
    }
    const tracker = o.cohorts ? new CultivationTracker() : null;
    const lines = o.jsonLines ? new JsonLines(o.jsonLines) : null;
    let atFrom: Report | null = null;
    let previous: string | null = null;
    let last: { report: Report; extras: SnapshotExtras } | null = null;
    let mainsSeen = 0;
    const checkpoints =
      o.checkpoint === undefined ? null : await Checkpoints.open(o.checkpoint, inputs, o, model, engine, signals!);
    if (checkpoints !== null) resumed(checkpoints.resume.skip);
    for (let w = 0; w < boundaries.length; w++) {
      const b = boundaries[w];
      engine.beginWindow(w === 0 ? undefined : boundaries[w - 1].at, b.at);
      try {
        await reader.readAll(w === 0, rejects, checkpoints?.resume);
      } catch (e) {
        if (e instanceof StopReading) return;
        throw e;
      }
      await checkpoints?.finish();
      if (tracker !== null) tracker.observe(await engine.customers(mode), engine.asOf);
      if (!b.main) continue;
      // committed: the next report's migration starts from these segments
      last = buildReport(await engine.snapshot(mode, true), model);
      // times shown in the store's zone (ISO 8601 with its offset; UTC keeps its Z)
      last.report.asOf = isoIn(Date.parse(last.report.asOf), o.timezone);
      if (mainsSeen++ === 0 && mains.length > 1) atFrom = last.report;
      if (lines !== null) {
        const since: Migration = { from: previous, to: last.report.asOf, moves: movesOf(last.extras, model) };
        lines.write({
          ...last.report,
          headlines: headlines(last.report, model, last.extras.lorenz, since),
          migration: since,
        });
      }
      previous = last.report.asOf;
    }
    await lines?.close();
    for (const c of reader.carts) process.stderr.write(cartSummaryText(c));
    const currencies = storeCurrencies(reader.carts);
    if (currencies.length > 1)
      process.stderr.write(
        `rfm: these exports are in ${currencies.join(' and ')}: their money is added up as one (give one store's ` +
          `exports, or --currency)\n`,
      );
    // --from: the moves since it (with --every the lines have theirs, and the last report is the plain one)
    const migration: Migration | null =
      o.every === undefined && mains.length > 1 && atFrom !== null
        ? { from: atFrom.asOf, to: last!.report.asOf, moves: movesOf(last!.extras, model) }
        : null;
    const report: Report & {
      headlines?: Headlines;
      atFrom?: SegmentsAt;
      migration?: Migration;
      cultivation?: Cultivation;
      predictions?: ValueSummary;
    } = last!.report;
    report.counted = countedOf(
      engine,
      reader.carts,
      report.thresholds.medianSpend,
      inputs.length === 1 ? inputs[0] : undefined,
    );
    report.rejected = report.counted.rejected;
    report.currency = report.counted.currency;
    report.headlines = headlines(report, model, last!.extras.lorenz, migration ?? undefined);
    const alive = report.thresholds.aliveFit;
    if (alive !== undefined && !alive.converged)
      process.stderr.write(`rfm: the model's p_alive conditions hold for no customer: ${alive.message}\n`);
    if (migration !== null) {
      report.atFrom = segmentsAt(atFrom!);
      report.migration = migration;
    }
    if (tracker !== null) report.cultivation = tracker.table(Date.parse(report.asOf));
    // --predict: the models fitted on the report's customers, as of its date
    const histograms = o.predict ? (await engine.fitHistograms()).shards : null;
    const exported = o.predict || o.customers ? await engine.customers(mode) : null;
    const values = histograms !== null ? new CustomerValues(exported!, histograms) : null;
    if (values !== null) {
      report.predictions = values.summary();
      process.stderr.write(unfittedText(values.fits));
    }
    const jsonToStdout = o.json === '-';
    if (!o.quiet) {
      const moves = report.migration ? migrationText(report.migration) : '';
      const figures = headlinesText(report.headlines);
      (toStdout > 0 ? process.stderr : process.stdout).write(
        `read ${reader.read.join('; ')}\n` +
          summaryTable(report, model) +
          figures +
          moves +
          (report.predictions ? predictionsText(report.predictions) : ''),
      );
    }
    if (engine.counts.afterAsOf > 0) {
      process.stderr.write(
        `rfm: ${engine.counts.afterAsOf.toLocaleString('en-US')} events after ` +
          `${o.to !== undefined ? '--to' : '--as-of'} were left out\n`,
      );
    }
    process.stderr.write(largeOrdersText(report.counted));
    if (engine.counts.rejected > 0) {
      process.stderr.write(
        `rfm: ${engine.counts.rejected.toLocaleString('en-US')} rows rejected${
          o.rejects ? `,` + ` written to ${o.rejects === '-' ? 'stdout' : o.rejects}` : ' (--rejects FILE lists them)'
        }:\n` + rejectedText(engine.rejectedBy, inputs.length === 1 ? inputs[0] : undefined),
      );
    }
    if (o.json) {
      const text = JSON.stringify(report, null, 2) + '\n';
      if (jsonToStdout) process.stdout.write(text);
      else writeFileSync(o.json, text);
    }
    if (o.customers)
      await writeCustomersCsv(
        o.customers,
        exported!,
        values === null
          ? undefined
          : predictionColumns(values, ['p_alive_mbgnbd', 'p_alive_bgnbd', 'expected_purchases_52w', 'clv_52w']),
        o.timezone,
      );
    if (html !== undefined) {
      writeFileSync(
        html,
        htmlReport({
          report: { ...report, headlines: report.headlines },
          model,
          inputs: reader.read,
          prospects: last!.extras.prospects,
          predictions: report.predictions,
        }),
      );
      process.stderr.write(`rfm: wrote the report to ${html}\n`);
    }
  } finally {
    signals?.close();
    await rejects?.close();
    await engine.close();
  }
}

/** SIGINT and SIGTERM, taken as a request to stop at the next batch (with --checkpoint). */
class StopSignals {
  asked = false;
  private readonly onSignal = (): void => {
    this.asked = true;
  };
  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }
  /** Signals are Ctrl+C again. */
  close(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

/** --checkpoint-every: a count of orders, or a duration. */
type CheckpointEvery = { orders: number } | { ms: number };
function checkpointEvery(v: string): CheckpointEvery {
  if (/^\d[\d_]*$/.test(v)) {
    const orders = Number(v.replace(/_/g, ''));
    if (orders >= 1) return { orders };
  }
  const ms = duration('--checkpoint-every')(v);
  if (ms === undefined || !(ms > 0))
    throw new RfmError(
      'RFM_ERR_OPTION',
      `--checkpoint-every must be a number of orders (1000000) or a duration (10s), got ${v}`,
    );
  return { ms };
}

/**
 * A replay's checkpoints: the state restored from DIR when it holds one, then one written
 * every --checkpoint-every and once at the end; SIGINT or SIGTERM finish the batch in hand,
 * write one and stop the replay (exit 0: nothing is lost; run it again to go on).
 */
class Checkpoints {
  /** Batches applied so far (restored ones included), and at the last checkpoint written. */
  private batches: number;
  private written: number;
  private lastOrders = 0;
  private lastAt = performance.now();
  private constructor(
    private readonly dir: CheckpointDir,
    private readonly engine: Engine,
    private readonly every: CheckpointEvery,
    private readonly skip: number,
    private readonly signals: StopSignals,
  ) {
    this.lastOrders = engine.counts.orders;
    this.batches = skip;
    this.written = skip;
  }

  static async open(
    path: string,
    inputs: string[],
    o: ReplayOptions,
    model: Model,
    engine: Engine,
    signals: StopSignals,
  ): Promise<Checkpoints> {
    const identity: RunIdentity = {
      ...(await inputIdentity(inputs)),
      model: sha256(JSON.stringify(model.file)).slice(0, 16),
      workers: engine.numShards,
      asOf: o.asOf ?? null,
      accuracy: o.accuracy,
      columns: [o.customerColumn, o.tsColumn, o.amountColumn, o.kindColumn].join(','),
      maxAmount: o.maxAmount,
      maxFuture: o.maxFuture ?? null,
      format: o.format,
      delimiter: o.delimiter,
      header: o.header,
      dateFormat: o.dateFormat,
      decimalComma: o.decimalComma ?? false,
      idType: o.idType,
      encoding: o.encoding,
      currency: o.currency ?? null,
      timezone: o.timezone,
    };
    const dir = new CheckpointDir(path, identity);
    const loaded = await dir.load();
    if (loaded !== null) {
      await engine.restore(loaded.engine);
      process.stderr.write(
        `rfm: resuming from the checkpoint in ${path}: ${loaded.position.batches.toLocaleString('en-US')} batches,` +
          ` ${engine.counts.orders.toLocaleString('en-US')} orders applied\n`,
      );
    }
    return new Checkpoints(dir, engine, o.checkpointEvery, loaded?.position.batches ?? 0, signals);
  }

  /** For EngineInputs.readAll: the batches to skip, and a checkpoint when one is due (or asked for). */
  get resume(): { skip: number; applied: (batches: number) => Promise<void> } {
    return { skip: this.skip, applied: (batches) => this.applied(batches) };
  }

  private async applied(batches: number): Promise<void> {
    this.batches = batches;
    const e = this.every;
    const due =
      'orders' in e ? this.engine.counts.orders - this.lastOrders >= e.orders : performance.now() - this.lastAt >= e.ms;
    if (!due && !this.signals.asked) return;
    await this.write();
    if (this.signals.asked) {
      process.stderr.write(
        `rfm: stopped;` +
          ` the checkpoint in ${this.dir.dir} holds ${this.written.toLocaleString('en-US')} batches: run the same ` +
          `command to go on\n`,
      );
      throw new StopReading();
    }
  }

  private async write(): Promise<void> {
    try {
      await this.dir.write({ batches: this.batches }, await this.engine.checkpoint());
    } catch (e) {
      // the replay goes on; the next checkpoint due tries again
      if (!(e instanceof RfmError) || e.code !== 'RFM_ERR_INPUT') throw e;
      process.stderr.write(`rfm: ${e.message}\n`);
      this.lastAt = performance.now();
      this.lastOrders = this.engine.counts.orders;
      return;
    }
    this.written = this.batches;
    this.lastOrders = this.engine.counts.orders;
    this.lastAt = performance.now();
  }

  /**
   * The read is complete: a last checkpoint of all of it (a run again reports at once), and signals
   * are Ctrl+C again.
   */
  async finish(): Promise<void> {
    if (this.batches > this.written) await this.write();
    this.signals.close();
  }
}

/** Thrown from a read to end it at a checkpoint (a signal asked for it). */
class StopReading extends Error {}

/** The --predict lines of the summary. */
function predictionsText(p: ValueSummary): string {
  const f = p.fits;
  const n = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : '–');
  if (!f.bgnbd.converged) return `\npredictions: ${f.bgnbd.message}\n`;
  const money = (v: number): string => Math.round(v).toLocaleString('en-US');
  const lines = [
    '',
    `the next ${f.horizon} weeks (BG/NBD r ${n(f.bgnbd.r, 3)} alpha ${n(f.bgnbd.alpha, 3)} a ${n(f.bgnbd.a, 3)} b ` +
      `${n(f.bgnbd.b, 3)};` +
      ` Gamma-Gamma p ${n(f.gammaGamma.p, 2)} q ${n(f.gammaGamma.q, 2)} v ${n(f.gammaGamma.v, 2)}): ` +
      `${money(p.expectedPurchases)} purchases, CLV ${money(p.clv)}`,
    `${'segment'.padEnd(22)} ${'customers'.padStart(10)} ${'P(alive)'.padStart(9)} ${'purchases'.padStart(10)} ` +
      `${'CLV'.padStart(14)}`,
    ...p.bySegment.map(
      (s) =>
        `${s.segment.padEnd(22)} ${s.customers.toLocaleString('en-US').padStart(10)} ${n(s.pAlive, 3).padStart(9)} ` +
        `${money(s.expectedPurchases).padStart(10)} ${money(s.clv).padStart(14)}`,
    ),
  ];
  return lines.join('\n') + '\n';
}
