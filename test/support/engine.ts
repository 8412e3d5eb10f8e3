/** The engine as the CLI drives it: RecordBatches through the conversion adapter, reports through the report module. */
import type { RecordBatch } from 'apache-arrow';
import { RecordBatchConverter } from '../../src/batch/record-batches.js';
import type { Engine } from '../../src/engine/engine.js';
import { buildReport } from '../../src/report/report.js';
import type { Report } from '../../src/report/report.js';
import type { RankMode } from '../../src/results.js';

/** Converts and gives each batch, in order (one input: rows numbered from its first). */
export async function ingestBatches(
  engine: Engine,
  batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>,
  source = 'input',
): Promise<void> {
  const converter = new RecordBatchConverter(engine.sourceOptions(), source);
  for await (const b of batches) await engine.ingest(converter.convert(b));
}

/** Converts and gives one batch; resolves once it is queued. */
export function ingestBatch(engine: Engine, batch: RecordBatch): Promise<void> {
  return engine.ingest(new RecordBatchConverter(engine.sourceOptions()).convert(batch));
}

export async function reportOf(engine: Engine, mode: RankMode = 'sketch'): Promise<Report> {
  return buildReport(await engine.snapshot(mode), engine.model).report;
}
