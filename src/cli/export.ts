/**
 * `rfm export INPUT... --audience NAME [--segment NAME] ... -o list.csv`: the customers to
 * contact, as a list an email tool imports (src/report/audience-csv.ts).
 */
import type { Command } from 'commander';
import { RfmError } from '../domain/errors.js';
import { loadDefaultModel, loadModel } from '../model/model.js';
import { modelName, writeLists } from '../report/audience-csv.js';
import { CustomerValues, predictionColumns, unfittedText } from '../predict/customer-value.js';
import type { ListChoice, ListKind } from '../report/audience-csv.js';
import { EngineInputs, engineInputOptions, engineOf } from './engine-inputs.js';
import type { EngineInputOptions } from './engine-inputs.js';
import { action } from './errors.js';
import { dateArg } from './dates.js';

interface ExportOptions extends EngineInputOptions {
  output: string;
  audience: string[];
  segment: string[];
  group: string[];
  retention: string[];
  sinceSegment?: number;
  exact?: boolean;
  predict?: boolean;
}

const collect = (v: string, all: string[]): string[] => [...all, v];

export function exportCommand(program: Command): void {
  const cmd = program
    .command('export')
    .description(
      'the customers of audiences, segments, groups or retention states, as ' +
        'a list an email tool imports (Mailchimp, Klaviyo)',
    )
    .argument('<inputs...>', 'order files, as rfm replay reads them')
    .requiredOption('-o, --output <file>', 'the list (CSV, UTF-8; - for stdout)')
    .option('--audience <name>', 'an audience of the model ("Churn Risks"); repeat for more', collect, [])
    .option('--segment <name>', 'a segment ("Champions"); repeat for more', collect, [])
    .option('--group <name>', 'a group ("Core"); repeat for more', collect, [])
    .option('--retention <name>', 'a retention state ("Drifting"); repeat for more', collect, [])
    .option(
      '--since-segment <date>',
      'with --segment: only the customers who were not in it at this date (its end in --timezone; entered it since)',
      dateArg('--since-segment'),
    )
    .option('--exact', 'rank from all values instead of the sketches')
    .option(
      '--predict',
      "add each customer's P(alive) (MBG/NBD and BG/NBD), expected purchases " +
        'and CLV over the next year (the models fitted to all customers at the ' +
        "list's date)",
    );
  engineInputOptions(cmd).action(
    action(async (inputs: string[], o: ExportOptions) => {
      const model = o.model ? loadModel(o.model) : loadDefaultModel();
      const lists: ListChoice[] = [];
      for (const kind of ['audience', 'segment', 'group', 'retention'] as ListKind[]) {
        for (const name of o[kind])
          lists.push({
            kind,
            name: modelName(model, kind, name),
            since: kind === 'segment' ? o.sinceSegment : undefined,
          });
      }
      if (lists.length === 0)
        throw new RfmError('RFM_ERR_OPTION', 'name at least one list: --audience, --segment, --group or --retention');
      if (o.sinceSegment !== undefined) {
        if (o.segment.length === 0)
          throw new RfmError(
            'RFM_ERR_OPTION',
            '--since-segment picks customers who entered a segment: give --segment NAME',
          );
        if (inputs.includes('-'))
          throw new RfmError('RFM_ERR_OPTION', '--since-segment reads the inputs once a date: give files, not stdin');
        if (o.asOf !== undefined && !(o.sinceSegment < o.asOf))
          throw new RfmError('RFM_ERR_OPTION', '--since-segment must be before --as-of');
      }
      const engine = engineOf(o, model, false, inputs);
      try {
        const reader = await EngineInputs.of(inputs, engine, o, 'export');
        const mode = o.exact ? 'exact' : 'sketch';
        if (o.sinceSegment !== undefined) {
          // every customer's segment at the date, committed; then the rest of the orders
          engine.beginWindow(undefined, o.sinceSegment);
          await reader.readAll(true, null);
          await engine.snapshot(mode, true);
          engine.beginWindow(o.sinceSegment, o.asOf);
          await reader.readAll(false, null);
        } else {
          await reader.readAll(true, null);
        }
        const histograms = o.predict ? (await engine.fitHistograms()).shards : null;
        const exp = await engine.customers(mode);
        const values = histograms !== null ? new CustomerValues(exp, histograms) : null;
        if (values !== null) process.stderr.write(unfittedText(values.fits));
        const extra =
          values !== null
            ? predictionColumns(values, ['P Alive', 'P Alive BG/NBD', 'Expected Purchases', 'CLV'])
            : undefined;
        const { counts, emails } = await writeLists(o.output, exp, lists, extra, o.timezone);
        const said = lists.map((l, k) => `${l.name} ${counts[k].toLocaleString('en-US')}`).join(', ');
        process.stderr.write(
          `rfm: wrote ${counts.reduce((a, b) => a + b, 0).toLocaleString('en-US')} rows to ` +
            `${o.output === '-' ? 'stdout' : o.output}: ${said}\n`,
        );
        if (emails === 0 && counts.some((c) => c > 0)) {
          process.stderr.write(
            'rfm: no customer id is an email, so the "Email Address" column is ' +
              "empty: an email tool needs addresses (a cart export's guests are " +
              'their emails; or join the list to your customer table by "Customer ' +
              'ID")\n',
          );
        }
      } finally {
        await engine.close();
      }
    }),
  );
}
