import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Float64, Int64, Table, TimestampMillisecond, Uint64, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, test } from 'vitest';
import { PROJECT, dataDir } from '../../support/data.js';
import { runCli, tempDir } from '../../support/cli.js';
import type { CliResult } from '../../support/cli.js';

const dir = tempDir();
const T0 = Date.UTC(2025, 0, 1);

function expectRefused(r: CliResult, ...mentions: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  for (const m of mentions) expect(r.stderr).toContain(m);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.stderr).not.toContain('internal error');
}

function arrowFile(
  name: string,
  columns: Record<string, ReturnType<typeof vectorFromArray>>,
  format: 'file' | 'stream' = 'file',
): string {
  const path = join(dir, name);
  writeFileSync(path, tableToIPC(new Table(columns), format));
  return path;
}

describe('files that cannot be read are refused with exit code 2', () => {
  test('a missing file', async () => {
    expectRefused(await runCli(['replay', join(dir, 'nope.arrow')]), 'nope.arrow', 'no such file');
  });

  test('a text file that is no order CSV (a CSV of orders is read: replay.test.ts)', async () => {
    const path = join(dir, 'notes.arrow');
    writeFileSync(path, 'meeting notes\nbuy milk\n');
    expectRefused(
      await runCli(['replay', path]),
      'notes.arrow',
      'no column "customer_id" for --customer-column',
      'columns: meeting notes',
    );
  });

  test('an empty file', async () => {
    const path = join(dir, 'empty.arrow');
    writeFileSync(path, '');
    expectRefused(await runCli(['replay', path]), 'empty.arrow', 'empty');
  });

  test('a missing column names the column and what was expected', async () => {
    const path = arrowFile('no-amount.arrow', {
      customer_id: vectorFromArray([1n, 2n], new Int64()),
      ts: vectorFromArray([T0, T0], new TimestampMillisecond()),
    });
    expectRefused(await runCli(['replay', path]), 'no-amount.arrow', '"amount" is missing', 'expected Float64');
  });

  test('a column of the wrong type names the column, its type and what was expected', async () => {
    const path = arrowFile('float-ids.arrow', {
      customer_id: vectorFromArray([1.5, 2.5], new Float64()),
      ts: vectorFromArray([T0, T0], new TimestampMillisecond()),
      amount: vectorFromArray([1, 2], new Float64()),
    });
    expectRefused(
      await runCli(['replay', path]),
      'float-ids.arrow',
      'column "customer_id" is Float64',
      'expected Int64/Uint64',
    );
  });

  test('a time column of strings', async () => {
    const path = arrowFile('string-ts.arrow', {
      customer_id: vectorFromArray(['a', 'b'], new Utf8()),
      ts: vectorFromArray(['2025-01-01', 'x'], new Utf8()),
      amount: vectorFromArray([1, 2], new Float64()),
    });
    expectRefused(await runCli(['replay', path]), 'column "ts" is Utf8', 'expected Timestamp');
  });

  test('an input that stops yielding data hits the stall timeout', async () => {
    // stdin held open with no data: the reader waits forever, as it does on some corrupt files
    const r = await runCli(['replay', '-', '--stall-timeout', '1000'], { timeoutMs: 20_000, holdStdin: true });
    expectRefused(r, 'stdin', 'reading stalled for 1000 ms');
  });

  test('a named pipe nobody writes to', async () => {
    const fifo = join(dir, 'pipe.arrow');
    execFileSync('mkfifo', [fifo]);
    expectRefused(await runCli(['replay', fifo], { timeoutMs: 20_000 }), 'pipe.arrow');
  });

  test('bad options name the option and the value', async () => {
    const r = await runCli(['replay', 'x.arrow', '--workers', '1.5']);
    expectRefused(r, '--workers must be a whole number', '1.5');
  });

  test('a bad model file', async () => {
    const model = join(dir, 'model.json');
    writeFileSync(
      model,
      JSON.stringify({
        ...JSON.parse(readFileSync(join(PROJECT, 'models', 'default.json'), 'utf8')),
        segments: [{ name: 'All', group: 'Core', when: ['vibes >= 3'] }],
      }),
    );
    const path = arrowFile('ok.arrow', {
      customer_id: vectorFromArray([1n], new Int64()),
      ts: vectorFromArray([T0], new TimestampMillisecond()),
      amount: vectorFromArray([1], new Float64()),
    });
    expectRefused(await runCli(['replay', path, '--model', model]), 'model.json', 'unknown field "vibes"');
  });
});

describe('bad rows are counted, reported and listed, never applied', () => {
  test('null customer, NaN or infinite amount, null time and unknown kind', async () => {
    const path = arrowFile(
      'bad-rows.arrow',
      {
        customer_id: vectorFromArray(
          ['a@x.com', null, 'b@x.com', 'c@x.com', 'd@x.com', 'e@x.com', 'f@x.com'],
          new Utf8(),
        ),
        ts: vectorFromArray([T0, T0, T0, T0, null, T0, T0], new TimestampMillisecond()),
        amount: vectorFromArray([10, 10, NaN, Infinity, 10, 10, 12], new Float64()),
        kind: vectorFromArray(['order', 'order', 'order', 'order', 'order', 'teleport', 'order'], new Utf8()),
      },
      'stream',
    );
    const rejects = join(dir, 'rejects.csv');
    const r = await runCli(['replay', path, '--json', '-', '--rejects', rejects, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.rejected).toBe(5);
    expect(report.customers).toBe(2);
    expect(report.orders).toBe(2);
    expect(report.revenue).toBe(22);
    expect(r.stderr).toContain('5 rows rejected');
    const lines = readFileSync(rejects, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('row,reason,customer_id,ts,amount,line');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      '2,null customer',
      '3,null or NaN amount',
      '4,infinite amount',
      '5,null or unreadable time',
      '6,unknown kind',
    ]);
  });
});

describe('the CLI says what went wrong, and ends with exit code 2', () => {
  test('usage errors exit 2; help exits 0', async () => {
    expectRefused(await runCli(['replay']), "missing required argument 'inputs'");
    expectRefused(await runCli(['teleport']), "unknown command 'teleport'");
    expectRefused(await runCli(['replay', 'x.arrow', '--exactly']), "unknown option '--exactly'");
    expect((await runCli(['replay', '--help'])).code).toBe(0);
  });

  test('--rejects - writes the rejected rows to stdout, not to a file named "-"', async () => {
    const path = arrowFile('one-bad.arrow', {
      customer_id: vectorFromArray(['a@x', null], new Utf8()),
      ts: vectorFromArray([T0, T0], new TimestampMillisecond()),
      amount: vectorFromArray([10, 10], new Float64()),
    });
    const r = await runCli(['replay', path, '--rejects', '-', '-q'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('row,reason,customer_id,ts,amount,line');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['2,null customer']);
    // the time as a time, not as the milliseconds apache-arrow hands over
    expect(lines[1]).toBe('2,null customer,,2025-01-01T00:00:00.000Z,10,');
    expect(r.stderr).toContain('1 rows rejected, written to stdout');
    expect(readdirSync(dir)).not.toContain('-');
    expectRefused(
      await runCli(['replay', path, '--rejects', '-', '--json', '-']),
      'only one of --json, --customers and --rejects',
    );
  });

  test('an input whose every row is rejected, or that has no rows, is an error', async () => {
    const bad = arrowFile('all-bad.arrow', {
      customer_id: vectorFromArray([null, null], new Utf8()),
      ts: vectorFromArray([T0, T0], new TimestampMillisecond()),
      amount: vectorFromArray([10, 10], new Float64()),
    });
    expectRefused(await runCli(['replay', bad]), 'every one of the 2 rows was rejected');
    const none = arrowFile(
      'no-rows.arrow',
      {
        customer_id: vectorFromArray([], new Utf8()),
        ts: vectorFromArray([], new TimestampMillisecond()),
        amount: vectorFromArray([], new Float64()),
      },
      'stream',
    );
    expectRefused(await runCli(['replay', none]), 'no-rows.arrow: no rows to replay');
  });

  test(
    'amounts past the plausible bound are rejected, not summed into a ' +
      'negative revenue; large ones are counted and shown',
    async () => {
      const path = arrowFile('huge-amounts.arrow', {
        customer_id: vectorFromArray(['a@x', 'b@x', 'c@x', 'd@x', 'e@x', 'f@x'], new Utf8()),
        ts: vectorFromArray([T0, T0, T0, T0, T0, T0], new TimestampMillisecond()),
        // biome-ignore lint/correctness/noPrecisionLoss: an amount past every bound, as a file may hold one
        amount: vectorFromArray([99999999999999999999, 1e308, 120, 90_001, 100, 110], new Float64()),
      });
      const rejects = join(dir, 'huge-rejects.csv');
      const r = await runCli(['replay', path, '--json', '-', '-q', '--rejects', rejects, '--exact']);
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report).toMatchObject({ customers: 4, revenue: 90_331, rejected: 2 });
      expect(Number.isFinite(report.concentration.gini)).toBe(true);
      expect(readFileSync(rejects, 'utf8')).toContain('amount beyond 1000000000000 (--max-amount)');
      // the order far above the others (the median customer spends 115) is counted and shown
      expect(report.counted.largeOrders).toEqual({ over: 11_500, count: 1, atLeast: false, largest: [90_001] });
      expect(r.stderr).toContain(
        "1 order over 100 times the median customer's spend (over 11,500.00): 90,001.00; counted: check them",
      );
      const lowered = JSON.parse((await runCli(['replay', path, '--json', '-', '-q', '--max-amount', '90000'])).stdout);
      expect(lowered).toMatchObject({ customers: 3, revenue: 330, rejected: 3 });
    },
  );

  test('--max-future rejects events dated too far ahead of the clock', async () => {
    const path = arrowFile('future.arrow', {
      customer_id: vectorFromArray(['a@x', 'b@x'], new Utf8()),
      ts: vectorFromArray([T0, Date.UTC(2099, 0, 1)], new TimestampMillisecond()),
      amount: vectorFromArray([10, 10], new Float64()),
    });
    // by default a day ahead of the clock is the bound: the 2099 row is rejected and named
    const byDefault = await runCli(['replay', path, '--json', '-', '-q']);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    const on = JSON.parse(byDefault.stdout);
    expect(on).toMatchObject({ customers: 1, rejected: 1, asOf: '2025-01-01T00:00:00.000Z' });
    expect(on.counted.rejectedBy).toEqual({
      'time too far ahead of the clock (--max-future)': {
        count: 1,
        first: expect.stringContaining('2099-01-01T00:00:00.000Z'),
      },
    });
    expect(byDefault.stderr).toContain('1 time too far ahead of the clock (--max-future) (the first: row 2');
    expect(byDefault.stderr).toContain('--max-future off keeps such events');
    const off = JSON.parse((await runCli(['replay', path, '--json', '-', '-q', '--max-future', 'off'])).stdout);
    expect(off).toMatchObject({ customers: 2, rejected: 0, asOf: '2099-01-01T00:00:00.000Z' });
    expectRefused(await runCli(['replay', path, '--max-future', 'soon']), '--max-future must be a duration');
  });

  test('a truncated Arrow file is called truncated', async () => {
    const whole = join(dir, 'whole.arrow');
    expect((await runCli(['generate', '--customers', '500', '--orders', '5000', '-o', whole])).code).toBe(0);
    const bytes = readFileSync(whole);
    const cut = join(dir, 'cut.arrow');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectRefused(await runCli(['replay', cut]), 'cut.arrow: the Arrow IPC file is truncated');
  });

  test('Uint64 ids above 2^63 print as the input wrote them, not as negative numbers', async () => {
    const ids = [1n, 2n ** 63n + 5n, 2n ** 64n - 1n];
    const path = arrowFile('uint64.arrow', {
      customer_id: vectorFromArray(BigUint64Array.from(ids), new Uint64()),
      ts: vectorFromArray([T0, T0, T0], new TimestampMillisecond()),
      amount: vectorFromArray([10, 20, 30], new Float64()),
    });
    const r = await runCli(['replay', path, '--customers', '-', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual(ids.map(String).sort());
  });

  test('a failed import leaves no output behind', async () => {
    const src = join(dir, 'header-only.csv');
    writeFileSync(src, 'customer_id,ts,amount\n');
    const out = join(dir, 'header-only.arrow');
    expectRefused(await runCli(['import', 'csv', src, '-o', out]), 'no data rows found');
    expect(readdirSync(dir)).not.toContain('header-only.arrow');
  });
});

describe('the Arrow fuzzing corpus', () => {
  const corpus = join(dataDir(), 'arrow-fuzz');
  // every file is read in process by test/unit/sources/arrow/source.test.ts; through the CLI,
  // four spread over the corpus
  const files = readdirSync(corpus)
    .sort()
    .filter((_, i) => i % 20 === 0);

  test('files of it end with exit code 2 and a message naming the file', async () => {
    expect(files).toHaveLength(4);
    const results = await Promise.all(
      files.map(
        async (f) => [f, await runCli(['replay', join(corpus, f)], { timeoutMs: 30_000 })] as [string, CliResult],
      ),
    );
    for (const [f, r] of results) expectRefused(r, f);
  });
});
