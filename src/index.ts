/**
 * rfmstream's programmatic API: the engine the CLI uses, its sources and outputs.
 *
 * ```ts
 * import { Engine, buildReport, readArrow } from 'rfmstream';
 * const engine = new Engine({ workers: 2 });
 * for await (const batch of readArrow('orders.arrow', engine.sourceOptions())) {
 *   await engine.ingest(batch);
 * }
 * const { report } = buildReport(await engine.snapshot('sketch'), engine.model);
 * await engine.close();
 * ```
 *
 * Sources other than Arrow files yield Arrow RecordBatches; convertRecordBatches turns such a
 * stream into the batches engine.ingest takes.
 */
export { Engine } from './engine/engine.js';
export type { EngineOptions } from './engine/engine.js';
export type { CoreName } from './engine/shard-host.js';
export type { CustomerExport, EngineSnapshot, IngestCounts, RankMode, SnapshotResult, Thresholds } from './results.js';
export { DEFAULT_COLUMNS } from './batch/schema.js';
export type { ColumnNames } from './batch/schema.js';
export type { ConvertedInput } from './batch/converted.js';
export type { Reject } from './batch/rejects.js';
export { convertRecordBatches, RecordBatchConverter } from './batch/record-batches.js';
export type { ConversionTarget } from './batch/record-batches.js';
export { buildReport } from './report/report.js';
export type { Report, SnapshotExtras, Tally } from './report/report.js';
export { summaryTable } from './report/summary.js';
export { countedOf } from './report/counted.js';
export type { Counted } from './report/counted.js';
export { writeCustomersCsv, CUSTOMER_COLUMNS } from './report/customers-csv.js';
export { loadModel, loadDefaultModel, compileModel } from './model/model.js';
export type { Model, ModelFile } from './model/model.js';
export { readArrow } from './sources/arrow/source.js';
export type { ArrowSourceOptions } from './sources/arrow/source.js';
export { writeArrow } from './report/arrow-writer.js';
export { generateOrders } from './sources/generator/generator.js';
export type { GeneratorOptions } from './sources/generator/generator.js';
export { readCdnow } from './sources/cdnow.js';
export { fitAll, holdoutTable, Predictor } from './predict/predict.js';
export type { CustomerPrediction, Fits, Holdout, PredictOptions, TimeUnit } from './predict/predict.js';
export { expectedPurchases, expectedFromStart, fitPurchases, pAlive } from './predict/bgnbd.js';
export type { PurchaseFit, PurchaseModel, PurchaseParams, Triples } from './predict/bgnbd.js';
export { expectedSpend, fitSpend } from './predict/gamma-gamma.js';
export type { SpendData, SpendFit, SpendParams } from './predict/gamma-gamma.js';
export { fitAliveModel } from './predict/alive-model.js';
export type { FitAlive } from './engine/alive-fit.js';
export { TripleHistogram } from './predict/triples.js';
export { fitDataOf } from './predict/kernel-histograms.js';
export { summarize, SpendBins } from './predict/summary.js';
export type { FitData } from './predict/summary.js';
export { readCsvOrders } from './sources/csv/plain-reader.js';
export type { CsvImportOptions } from './sources/csv/csv-options.js';
export { readCsv } from './sources/csv/source.js';
export { readCsvOrConvert } from './sources/csv/orders.js';
export { detectFormat } from './sources/input-format.js';
export type { InputFormat } from './sources/input-format.js';
export { newImportStats } from './sources/import-stats.js';
export type { ImportStats } from './sources/import-stats.js';
export { buildOrderBatch } from './sources/batch-builder.js';
export { RfmError } from './domain/errors.js';
export type { RfmErrorCode } from './domain/errors.js';
