/** What an engine makes of an input, to compare inputs by: both reports and the customer list. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { Engine } from '../../src/engine/engine.js';
import type { CoreName } from '../../src/engine/shard-host.js';
import { writeCustomersCsv } from '../../src/report/customers-csv.js';
import { ingestBatches, reportOf } from './engine.js';

export interface Outcome {
  exact: unknown;
  sketch: unknown;
  /** The customer list's lines, sorted (slots follow arrival order). */
  customers: string[];
}

export async function outcome(input: RecordBatch[], core: CoreName, workers: number): Promise<Outcome> {
  const engine = new Engine({ core, workers, asOf: Date.UTC(2026, 0, 1) });
  const dir = mkdtempSync(join(tmpdir(), 'rfm-outcome-'));
  try {
    await ingestBatches(engine, input);
    const exact = await reportOf(engine, 'exact');
    const sketch = await reportOf(engine, 'sketch');
    const file = join(dir, 'customers.csv');
    await writeCustomersCsv(file, await engine.customers('exact'));
    return { exact, sketch, customers: readFileSync(file, 'utf8').trim().split('\n').sort() };
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
