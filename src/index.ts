/**
 * rfmstream's programmatic API: the engine the CLI uses, its sources and outputs.
 *
 * ```ts
 * import { Engine, readArrow } from 'rfmstream';
 * const engine = new Engine({ workers: 2 });
 * for await (const batch of readArrow('orders.arrow', { ...engine.sourceOptions(), keepRejects: false })) {
 *   await engine.ingestConverted(batch);
 * }
 * const report = await engine.report('sketch');
 * await engine.close();
 * ```
 */
export { Engine } from './engine/engine.js';
export type { EngineOptions, EngineSnapshot, CustomerExport } from './engine/engine.js';
export type { RankMode, Thresholds } from './engine/snapshot.js';
export type { CoreName } from './engine/shard-host.js';
export { DEFAULT_COLUMNS } from './engine/arrow-columns.js';
export type { ColumnNames, ConvertedInput, Reject } from './engine/arrow-columns.js';
export type { Report, Tally, IngestCounts, SnapshotExtras } from './report/report.js';
export { summaryTable } from './report/summary.js';
export { writeCustomersCsv, CUSTOMER_COLUMNS } from './report/customers-csv.js';
export { loadModel, loadDefaultModel, compileModel } from './model/model.js';
export type { Model, ModelFile } from './model/model.js';
export { readArrow } from './sources/arrow-source.js';
export type { ArrowSourceOptions } from './sources/arrow-source.js';
export { writeArrow } from './sources/arrow-writer.js';
export { generateOrders } from './sources/generator.js';
export type { GeneratorOptions } from './sources/generator.js';
export { readCdnow } from './sources/cdnow.js';
export { readCsvOrders } from './sources/csv-import.js';
export type { CsvImportOptions } from './sources/csv-import.js';
export { newImportStats } from './sources/import-stats.js';
export type { ImportStats } from './sources/import-stats.js';
export { buildOrderBatch } from './sources/batch-builder.js';
export { RfmError } from './core/errors.js';
export type { RfmErrorCode } from './core/errors.js';
export { CoreKernel } from './core/core-kernel.js';
export { WasmKernel } from './kernel/wasm-kernel.js';
export type { Kernel, ColumnBatch, CustomerRows } from './core/types.js';
