/**
 * CSV orders as converted batches, by whichever reader takes the text: the scanner on a few
 * threads for a file (parallel.ts), on this one for a stream (source.ts), the plain reader
 * for latin-1 and runs of spaces (plain-reader.ts, through Arrow batches). The one entry
 * the inputs use, so that no reader imports another's dispatcher.
 */
import type { ConvertedInput } from '../../batch/converted.js';
import { convertRecordBatches } from '../../batch/record-batches.js';
import type { ConversionTarget } from '../../batch/record-batches.js';
import { DEFAULT_COLUMNS, DEFAULT_ORDER_COLUMN } from '../../batch/schema.js';
import { isGzip } from '../gzip.js';
import type { ImportStats } from '../import-stats.js';
import { readCsvParallel } from './parallel.js';
import type { CsvImportOptions } from './csv-options.js';
import { later } from '../later.js';
import { readCsv, scannerReads } from './source.js';

export function readCsvOrConvert(
  source: string | NodeJS.ReadableStream,
  o: CsvImportOptions,
  target: ConversionTarget,
  stats: ImportStats,
): AsyncGenerator<ConvertedInput> {
  // a gzip stream is read from its start: one thread
  if (scannerReads(o))
    return typeof source === 'string' && source !== '-' && !isGzip(source)
      ? readCsvParallel(source, o, target, stats)
      : readCsv(source, o, target, stats);
  // the plain reader writes the default column names, whatever the file called them
  // (the order id column, when the file has one, as DEFAULT_ORDER_COLUMN)
  const names = {
    ...DEFAULT_COLUMNS,
    order: o.order === undefined ? undefined : { name: DEFAULT_ORDER_COLUMN, required: false },
  };
  return convertRecordBatches(
    later(async () => (await import('./plain-reader.js')).readCsvOrders(source, o, stats)),
    { ...target, names },
    typeof source === 'string' ? source : 'the request body',
  );
}
