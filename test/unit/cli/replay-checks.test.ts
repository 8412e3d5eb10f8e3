/** Options of a replay that do not go together, refused by name before anything is read. */
import { expect, test } from 'vitest';
import { checkCheckpointing, checkWindows } from '../../../src/cli/replay-checks.js';
import type { ReplayChoices } from '../../../src/cli/replay-checks.js';
import { RfmError } from '../../../src/domain/errors.js';

const FROM = Date.UTC(1997, 8, 30, 23, 59, 59, 999);
const TO = Date.UTC(1998, 5, 30, 23, 59, 59, 999);

/** The refusal's message, or null when the options go together. */
function refusal(check: (inputs: string[], o: ReplayChoices) => void, o: ReplayChoices, inputs = ['orders.csv']) {
  try {
    check(inputs, o);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(RfmError);
    expect((e as RfmError).code).toBe('RFM_ERR_OPTION');
    return (e as RfmError).message;
  }
}

test.each<[ReplayChoices, RegExp]>([
  [{ every: 'month' }, /--every writes a report a period: give --json-lines/],
  [{ jsonLines: 'x.jsonl' }, /--json-lines writes the reports of --every/],
  [{ to: TO }, /--to closes --from or --every/],
  [{ from: TO, to: FROM }, /--from must be before --to/],
  [{ from: FROM, asOf: TO, to: TO }, /--to and --as-of are the same date/],
  [{ from: FROM, jsonLines: '-', every: 'month', json: '-' }, /only one output can be - \(stdout\)/],
])('%j is refused by name', (o, message) => {
  expect(refusal(checkWindows, o)).toMatch(message);
});

test('the windows read the inputs once a date: not stdin', () => {
  for (const o of [{ from: FROM }, { every: 'month', jsonLines: 'x' } as ReplayChoices, { cohorts: true }])
    expect(refusal(checkWindows, o, ['-'])).toContain('give files, not stdin');
});

test('options that go together pass', () => {
  for (const o of [{}, { asOf: TO }, { from: FROM, to: TO }, { every: 'month', jsonLines: '-' }, { cohorts: true }])
    expect(refusal(checkWindows, o as ReplayChoices)).toBeNull();
});

test('--checkpoint resumes one read of files, without --rejects', () => {
  expect(refusal(checkCheckpointing, {}, ['-'])).toBe(
    '--checkpoint cannot be used here: stdin cannot be read again from a position',
  );
  expect(refusal(checkCheckpointing, { from: FROM })).toMatch(/resumes a single read, not the reads of --from/);
  expect(refusal(checkCheckpointing, { cohorts: true })).toMatch(/not the reads of --from, --every or --cohorts/);
  expect(refusal(checkCheckpointing, { rejects: 'r.csv' })).toMatch(/the rejects file would have to resume too/);
  expect(refusal(checkCheckpointing, { asOf: TO })).toBeNull();
});
