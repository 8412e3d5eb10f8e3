/**
 * The options of a replay or report that do not go together, refused by name before any
 * input is read (replay.ts runs them first).
 */
import { RfmError } from '../domain/errors.js';
import type { Period } from './periods.js';

/** What the checks read of a replay's options (dates resolved to instants). */
export interface ReplayChoices {
  asOf?: number;
  from?: number;
  to?: number;
  every?: Period;
  cohorts?: boolean;
  jsonLines?: string;
  json?: string;
  customers?: string;
  rejects?: string;
}

/** --from, --to and --every make sense together, and read the inputs more than once. */
export function checkWindows(inputs: string[], o: ReplayChoices): void {
  const windows = o.from !== undefined || o.every !== undefined || o.cohorts === true;
  if (o.to !== undefined && o.asOf !== undefined)
    throw new RfmError('RFM_ERR_OPTION', '--to and --as-of are the same date here: give one');
  if (o.to !== undefined && !windows)
    throw new RfmError(
      'RFM_ERR_OPTION',
      '--to closes --from or --every: give one of them, or --as-of for a report at a date',
    );
  if (o.jsonLines !== undefined && o.every === undefined)
    throw new RfmError(
      'RFM_ERR_OPTION',
      '--json-lines writes the reports of --every: give --every day|week|month|quarter',
    );
  if (o.every !== undefined && o.jsonLines === undefined)
    throw new RfmError('RFM_ERR_OPTION', '--every writes a report a period: give --json-lines FILE (- for stdout)');
  const end = o.to ?? o.asOf;
  if (o.from !== undefined && end !== undefined && !(o.from < end))
    throw new RfmError('RFM_ERR_OPTION', '--from must be before --to');
  // each window is a read of the inputs: stdin cannot be read again
  if (windows && inputs.includes('-'))
    throw new RfmError(
      'RFM_ERR_OPTION',
      '--from, --every and --cohorts read the inputs once a date (each row ' +
        'applied once, in its period): give files, not stdin',
    );
  if (windows && o.jsonLines === '-' && [o.json, o.customers, o.rejects].includes('-'))
    throw new RfmError('RFM_ERR_OPTION', 'only one output can be - (stdout)');
}

/** --checkpoint resumes one read of files: refused where it cannot, saying why. */
export function checkCheckpointing(inputs: string[], o: ReplayChoices): void {
  const why = inputs.includes('-')
    ? 'stdin cannot be read again from a position'
    : o.from !== undefined || o.every !== undefined || o.cohorts
      ? 'it resumes a single read, not the reads of --from, --every or --cohorts (not yet)'
      : o.rejects !== undefined
        ? 'the rejects file would have to resume too (not yet): leave out --rejects'
        : null;
  if (why !== null) throw new RfmError('RFM_ERR_OPTION', `--checkpoint cannot be used here: ${why}`);
}
