/** `rfm predict`: what each customer is worth next (BG/NBD, MBG/NBD, Gamma-Gamma, CLV). */
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { RfmError } from '../domain/errors.js';
import { loadDefaultModel, loadModel } from '../model/model.js';
import { csvField, customerIdOf } from '../report/customers-csv.js';
import { DAYS_PER_UNIT, Predictor, fitAll, holdoutTable } from '../predict/predict.js';
import { fitDataOf } from '../predict/kernel-histograms.js';
import { dayOf } from '../predict/summary.js';
import { tracking } from '../predict/tracking.js';
import { predictHtml } from '../report/predict-html.js';
import type { Fits, Holdout, PredictOptions, TimeUnit } from '../predict/predict.js';
import type { CustomerExport } from '../results.js';
import { EngineInputs, engineInputOptions, engineOf } from './engine-inputs.js';
import type { EngineInputOptions } from './engine-inputs.js';
import { action } from './errors.js';
import { oneOf, rate, wholeNumber } from './options.js';
import { dateArg } from './dates.js';

const DAY = 86_400_000;

interface PredictCliOptions extends EngineInputOptions {
  calibrationEnd: number;
  unit: TimeUnit;
  horizon?: number;
  holdoutEnd?: number;
  discount: number;
  purchaseModel: 'bgnbd' | 'mbgnbd';
  json?: string;
  customers?: string;
  html?: string;
  quiet?: boolean;
}

export function predictCommand(program: Command): void {
  const c = program
    .command('predict')
    .description(
      'fit BG/NBD, MBG/NBD and Gamma-Gamma to the orders up to ' +
        "--calibration-end and predict each customer's purchases, spend and CLV",
    )
    .argument('<inputs...>', 'order files, as rfm replay reads them')
    .requiredOption(
      '--calibration-end <date>',
      'the last day of the calibration period (its orders count, to the end of the day in --timezone)',
      dateArg('--calibration-end'),
    )
    .option(
      '--unit <unit>',
      'time unit of t_x, T and the horizon: day or week',
      oneOf('--unit', ['day', 'week'] as const),
      'week',
    )
    .option(
      '--horizon <n>',
      'units ahead for expected purchases and CLV (default: a year)',
      wholeNumber('--horizon', 1, 100_000),
    )
    .option(
      '--holdout-end <date>',
      'also compare expected with actual repeat purchases after the ' +
        'calibration, up to this day (its end in --timezone)',
      dateArg('--holdout-end'),
    )
    .option('--discount <rate>', 'yearly discount rate of the CLV, 0 to 1 (0: none)', rate('--discount'), 0.1)
    .option(
      '--purchase-model <model>',
      'the purchase model behind expected purchases and CLV: bgnbd or mbgnbd (both are fitted)',
      oneOf('--purchase-model', ['bgnbd', 'mbgnbd'] as const),
      'bgnbd',
    )
    .option('--json <file>', 'write the fits (and holdout) as JSON (- for stdout)')
    .option('--customers <file>', 'write one CSV row per customer with its predictions (- for stdout)')
    .option('--html <file>', 'write the fits (and the holdout, with its two charts) as one self-contained HTML page')
    .option('-q, --quiet', 'no summary');
  engineInputOptions(c).action(action(async (inputs: string[], o: PredictCliOptions) => runPredict(inputs, o)));
}

/** The end of the UTC day of t (the calibration takes that day's orders). */
const endOfDay = (t: number): number => (Math.floor(t / DAY) + 1) * DAY - 1;

async function runPredict(inputs: string[], o: PredictCliOptions): Promise<void> {
  if (o.asOf !== undefined) throw new RfmError('RFM_ERR_OPTION', '--as-of is --calibration-end here: give one');
  if (o.holdoutEnd !== undefined && !(Math.floor(o.holdoutEnd / DAY) > Math.floor(o.calibrationEnd / DAY))) {
    throw new RfmError('RFM_ERR_OPTION', '--holdout-end must be a day after --calibration-end');
  }
  if ([o.json, o.customers].filter((f) => f === '-').length > 1)
    throw new RfmError('RFM_ERR_OPTION', 'only one of --json and --customers can be - (stdout)');
  if (o.holdoutEnd !== undefined && inputs.includes('-'))
    throw new RfmError('RFM_ERR_OPTION', '--holdout-end reads the inputs twice: give files, not stdin');
  const po: PredictOptions = {
    calibrationEnd: endOfDay(o.calibrationEnd),
    unit: o.unit,
    horizon: o.horizon ?? (o.unit === 'week' ? 52 : 365),
    discount: o.discount,
    purchaseModel: o.purchaseModel,
  };
  const engine = engineOf(o, o.model ? loadModel(o.model) : loadDefaultModel(), false, inputs);
  try {
    const reader = await EngineInputs.of(inputs, engine, o, 'predict');
    engine.beginWindow(undefined, po.calibrationEnd);
    await reader.readAll(true, null);
    // the fits from the kernels' histograms; the customers exported only when a table asks for them
    const fits = fitAll(fitDataOf((await engine.fitHistograms()).shards, dayOf(po.calibrationEnd)), po);
    if (fits.customers === 0)
      throw new RfmError(
        'RFM_ERR_INPUT',
        `${inputs.join(', ')}: no customer has an order on or before ${fits.calibrationEnd}`,
      );
    let holdout: Holdout | undefined;
    const cal = o.holdoutEnd !== undefined || o.customers !== undefined ? await engine.customers('sketch') : null;
    if (o.holdoutEnd !== undefined) {
      // the same engine read again for the days after the calibration: a customer keeps its place
      engine.beginWindow(po.calibrationEnd, endOfDay(o.holdoutEnd));
      await reader.readAll(false, null);
      holdout = holdoutTable(cal!.parts, (await engine.customers('sketch')).parts, fits, po, endOfDay(o.holdoutEnd));
      const model = po.purchaseModel === 'bgnbd' ? fits.bgnbd : fits.mbgnbd;
      if (model.converged) {
        holdout.tracking = tracking(
          await engine.serialize(),
          engine.subBits,
          dayOf(po.calibrationEnd),
          dayOf(o.holdoutEnd),
          DAYS_PER_UNIT[po.unit],
          po.purchaseModel,
          model,
        );
      }
    }
    const result = { ...fits, holdout };
    const toStdout = o.json === '-' || o.customers === '-';
    if (!o.quiet)
      (toStdout ? process.stderr : process.stdout).write(`read ${reader.read.join('; ')}\n` + fitsText(fits, holdout));
    if (o.json !== undefined) {
      const text = JSON.stringify(result, null, 2) + '\n';
      if (o.json === '-') process.stdout.write(text);
      else writeFileSync(o.json, text);
    }
    if (o.customers !== undefined) await writePredictionsCsv(o.customers, cal!, new Predictor(fits, po));
    if (o.html !== undefined) {
      writeFileSync(o.html, predictHtml(result, reader.read));
      process.stderr.write(`rfm: wrote the fits to ${o.html}\n`);
    }
  } finally {
    await engine.close();
  }
}

const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '–');
const f1 = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '–');
const count = (n: number, what: string): string => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

function fitsText(f: Fits, h: Holdout | undefined): string {
  const lines = [
    `calibration to ${f.calibrationEnd}, in ${f.unit}s: ${count(f.customers, 'customer')},` +
      ` ${f.repeaters.toLocaleString('en-US')} bought again;` +
      ` ${f.distinctTriples.toLocaleString('en-US')} distinct (x, t_x, T); fitted in ${Math.round(f.fitMs)} ms`,
    `BG/NBD      r ${f3(f.bgnbd.r)}  alpha ${f3(f.bgnbd.alpha)}  a ${f3(f.bgnbd.a)}  b ${f3(f.bgnbd.b)}  ` +
      `log-likelihood ${f1(f.bgnbd.logLikelihood)}  ${f.bgnbd.message}`,
    `MBG/NBD     r ${f3(f.mbgnbd.r)}  alpha ${f3(f.mbgnbd.alpha)}  a ${f3(f.mbgnbd.a)}  b ${f3(f.mbgnbd.b)}  ` +
      `log-likelihood ${f1(f.mbgnbd.logLikelihood)}  ${f.mbgnbd.message}`,
    `Gamma-Gamma p ${f3(f.gammaGamma.p)}  q ${f3(f.gammaGamma.q)}  v ${f3(f.gammaGamma.v)}  on ` +
      `${count(f.gammaGamma.customers, 'repeat customer')}  ${f.gammaGamma.message}`,
  ];
  if (h !== undefined) {
    lines.push(
      `holdout to ${h.end} (${f3(h.length)} ${f.unit}s,` +
        ` ${h.model}): repeat purchases per customer by calibration frequency`,
    );
    lines.push('  x    customers   actual   expected');
    for (const r of h.byFrequency)
      lines.push(
        `  ${r.x.padEnd(3)} ${String(r.customers).padStart(10)}   ${r.actual.toFixed(3).padStart(6)}   ` +
          `${r.expected.toFixed(3).padStart(8)}`,
      );
    lines.push(
      `  all ${String(h.total.customers).padStart(10)}   ` +
        `${Math.round(h.total.actual).toLocaleString('en-US').padStart(6)}   ` +
        `${Math.round(h.total.expected).toLocaleString('en-US').padStart(8)}  (sums)`,
    );
    const t = h.tracking;
    if (t !== undefined && t.actual.length > 0) {
      const c = t.calibrationUnits - 1;
      const last = t.actual.length - 1;
      lines.push(
        `cumulative repeat purchases from ${t.start}: at the calibration end (${f.unit} ${c + 1}) ` +
          `${t.actual[c].toLocaleString('en-US')} actual,` +
          ` ${Math.round(t.expected[c]).toLocaleString('en-US')} expected;` +
          ` at the holdout end (${f.unit} ${last + 1}) ${t.actual[last].toLocaleString('en-US')} actual,` +
          ` ${Math.round(t.expected[last]).toLocaleString('en-US')} expected`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

export const PREDICTION_COLUMNS = [
  'customer_id',
  'x',
  't_x',
  'T',
  'monetary',
  'p_alive_bgnbd',
  'p_alive_mbgnbd',
  'expected_purchases',
  'expected_spend',
  'clv',
] as const;

const num = (v: number, digits: number): string =>
  Number.isFinite(v) ? String(Math.round(v * 10 ** digits) / 10 ** digits) : '';

async function writePredictionsCsv(path: string, exp: CustomerExport, p: Predictor): Promise<void> {
  const file = path === '-' ? null : createWriteStream(path);
  const out: NodeJS.WritableStream = file ?? process.stdout;
  let chunk = PREDICTION_COLUMNS.join(',') + '\n';
  for (const rows of exp.parts) {
    for (let i = 0; i < rows.numRows; i++) {
      const c = p.of(rows, i);
      if (c === null) continue;
      chunk +=
        [
          csvField(customerIdOf(rows, i, exp.unsignedIds)),
          String(c.x),
          num(c.tx, 4),
          num(c.T, 4),
          num(c.monetary, 2),
          num(c.pAliveBgnbd, 6),
          num(c.pAliveMbgnbd, 6),
          num(c.expectedPurchases, 6),
          num(c.expectedSpend, 2),
          num(c.clv, 2),
        ].join(',') + '\n';
      if (chunk.length > 1 << 16) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
  }
  out.write(chunk);
  if (file) {
    file.end();
    await finished(file);
  }
}
