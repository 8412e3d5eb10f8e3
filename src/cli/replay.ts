/** `rfm replay`: Arrow orders in, the report out. */
import { createWriteStream, writeFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import type { Command } from 'commander';
import { RfmError } from '../core/errors.js';
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
import { EngineInputs, engineInputOptions, engineOf } from './engine-inputs.js';
import type { EngineInputOptions } from './engine-inputs.js';
import { action } from './errors.js';
import { asOfTime, oneOf } from './options.js';
import { PERIODS, periodEnds } from './periods.js';
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
    await new Promise<void>((resolve, reject) => (this.out as WriteStream).end((e?: Error | null) => (e ? reject(new RfmError('RFM_ERR_INPUT', `cannot write ${this.path}: ${e.message}`)) : resolve())));
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
}

/** --from, --to and --every make sense together, and read the inputs more than once. */
function checkWindows(inputs: string[], o: ReplayOptions): void {
  const windows = o.from !== undefined || o.every !== undefined || o.cohorts === true;
  if (o.to !== undefined && o.asOf !== undefined) throw new RfmError('RFM_ERR_OPTION', '--to and --as-of are the same date here: give one');
  if (o.to !== undefined && !windows) throw new RfmError('RFM_ERR_OPTION', '--to closes --from or --every: give one of them, or --as-of for a report at a date');
  if (o.jsonLines !== undefined && o.every === undefined) throw new RfmError('RFM_ERR_OPTION', '--json-lines writes the reports of --every: give --every day|week|month|quarter');
  if (o.every !== undefined && o.jsonLines === undefined) throw new RfmError('RFM_ERR_OPTION', '--every writes a report a period: give --json-lines FILE (- for stdout)');
  const end = o.to ?? o.asOf;
  if (o.from !== undefined && end !== undefined && !(o.from < end)) throw new RfmError('RFM_ERR_OPTION', '--from must be before --to');
  // each window is a read of the inputs: stdin cannot be read again
  if (windows && inputs.includes('-')) throw new RfmError('RFM_ERR_OPTION', '--from, --every and --cohorts read the inputs once a date (each row applied once, in its period): give files, not stdin');
  if (windows && o.jsonLines === '-' && [o.json, o.customers, o.rejects].includes('-')) throw new RfmError('RFM_ERR_OPTION', 'only one output can be - (stdout)');
}

/** What the report is of, for replay and report alike. */
function reportOptions(c: Command): Command {
  return c
    .option('--json <file>', 'write the report as JSON (- for stdout)')
    .option('--exact', 'rank from all values instead of the sketches')
    .option('--from <date>', 'also take every customer\'s segment at this date: the report gains "atFrom", the migration from then to --to and core retention', asOfTime)
    .option('--to <date>', 'the report\'s date with --from or --every (default: --as-of, else the latest event)', asOfTime)
    .option('--cohorts', 'the cultivation table: of each month\'s new customers, the share Core within 90 / 180 / 365 days (segments measured at every month\'s end)');
}

export function replayCommand(program: Command): void {
  const replay = program
    .command('replay')
    .description('replay orders (Arrow IPC, Parquet, CSV or a cart\'s export, or - for stdin) through the engine and report the segments')
    .argument('<inputs...>', 'order files, told apart by their first bytes, then their header; - reads stdin (Arrow, or --format csv)')
    .option('--customers <file>', 'write one CSV row per customer (- for stdout)')
    .option('--rejects <file>', 'write rejected rows (null customer, bad time or amount) as CSV')
    .option('--every <period>', `a report at the end of every ${PERIODS.join(', ')} (with the migration since the one before), to --json-lines`, oneOf('--every', PERIODS))
    .option('--json-lines <file>', 'with --every: one report a line (- for stdout)')
    .option('-q, --quiet', 'no summary table');
  engineInputOptions(reportOptions(replay))
    .action(action(async (inputs: string[], o: ReplayOptions) => runReplay(inputs, o)));

  const report = program
    .command('report')
    .description('the merchant\'s report as one self-contained HTML file (print it, forward it): segments, groups, retention, concentration, the migration between --from and --to, a playbook')
    .argument('<inputs...>', 'order files, as rfm replay reads them')
    .requiredOption('-o, --output <file>', 'the HTML report');
  engineInputOptions(reportOptions(report))
    .action(action(async (inputs: string[], o: ReplayOptions & { output: string }) => runReplay(inputs, { ...o, quiet: true }, o.output)));
}

/** The replay (and the report command, which writes its HTML to `html`). */
async function runReplay(inputs: string[], o: ReplayOptions, html?: string): Promise<void> {
  const toStdout = [o.json, o.customers, o.rejects].filter((f) => f === '-').length;
  if (toStdout > 1) throw new RfmError('RFM_ERR_OPTION', 'only one of --json, --customers and --rejects can be - (stdout)');
  checkWindows(inputs, o);
  const model = o.model ? loadModel(o.model) : loadDefaultModel();
  const engine = engineOf(o, model, o.rejects !== undefined);
  const rejects = o.rejects ? new RejectsFile(o.rejects) : null;
  const mode = o.exact ? 'exact' : 'sketch';
  const to = o.to ?? o.asOf;
  try {
    const reader = await EngineInputs.of(inputs, engine, o, 'replay');
    // the dates the inputs are read up to, each read applying the rows after the one before
    let mains: (number | undefined)[] = [to];
    const range = o.every !== undefined || o.cohorts ? await reader.timeRange() : null;
    if ((o.every !== undefined || o.cohorts) && range === null) throw new RfmError('RFM_ERR_INPUT', `${inputs.join(', ')}: no rows to replay`);
    if (o.every !== undefined) {
      mains = [...periodEnds(o.from ?? range!.first, Math.min(range!.last, to ?? Infinity), o.every).filter((b) => b >= (o.from ?? -Infinity)), to];
    } else if (o.from !== undefined) {
      mains = [o.from, to];
    }
    // --cohorts: every customer's segment at each month's end too (not committed: the
    // migration stays the one between the main dates)
    const boundaries: { at: number | undefined; main: boolean }[] = mains.map((at) => ({ at, main: true }));
    if (o.cohorts) {
      for (const at of periodEnds(range!.first, Math.min(range!.last, to ?? Infinity), 'month')) {
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
    for (let w = 0; w < boundaries.length; w++) {
      const b = boundaries[w];
      engine.beginWindow(w === 0 ? undefined : boundaries[w - 1].at, b.at);
      await reader.readAll(w === 0, rejects, o.rejects);
      if (tracker !== null) tracker.observe(await engine.customers(mode), engine.asOf);
      if (!b.main) continue;
      // committed: the next report's migration starts from these segments
      last = buildReport(await engine.snapshot(mode, true), model);
      if (mainsSeen++ === 0 && mains.length > 1) atFrom = last.report;
      if (lines !== null) {
        const since: Migration = { from: previous, to: last.report.asOf, moves: movesOf(last.extras, model) };
        lines.write({ ...last.report, headlines: headlines(last.report, model, last.extras.lorenz, since), migration: since });
      }
      previous = last.report.asOf;
    }
    await lines?.close();
    for (const c of reader.carts) process.stderr.write(cartSummaryText(c));
    // --from: the moves since it (with --every the lines have theirs, and the last report is the plain one)
    const migration: Migration | null = o.every === undefined && mains.length > 1 && atFrom !== null
      ? { from: atFrom.asOf, to: last!.report.asOf, moves: movesOf(last!.extras, model) } : null;
    const report: Report & { headlines?: Headlines; atFrom?: SegmentsAt; migration?: Migration; cultivation?: Cultivation } = last!.report;
    report.headlines = headlines(report, model, last!.extras.lorenz, migration ?? undefined);
    if (migration !== null) {
      report.atFrom = segmentsAt(atFrom!);
      report.migration = migration;
    }
    if (tracker !== null) report.cultivation = tracker.table(Date.parse(report.asOf));
    const jsonToStdout = o.json === '-';
    if (!o.quiet) {
      const moves = report.migration ? migrationText(report.migration) : '';
      const figures = headlinesText(report.headlines);
      (toStdout > 0 ? process.stderr : process.stdout).write(`read ${reader.read.join('; ')}\n` + summaryTable(report, model) + figures + moves);
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
    if (html !== undefined) {
      writeFileSync(html, htmlReport({ report: { ...report, headlines: report.headlines }, model, inputs: reader.read, prospects: last!.extras.prospects }));
      process.stderr.write(`rfm: wrote the report to ${html}\n`);
    }
  } finally {
    await rejects?.close();
    await engine.close();
  }
}
