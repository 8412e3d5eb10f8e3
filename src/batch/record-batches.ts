/**
 * The adapter from plain Arrow RecordBatches (the generator, the CSV and CDNOW readers, a
 * caller's own) to the converted batches every source yields to the engine: readArrow
 * converts in its reading thread, everything else goes through here, on this thread.
 */
import type { RecordBatch } from 'apache-arrow';
import type { BufferPool } from './buffer-pool.js';
import { convertBatch } from './convert.js';
import { toInput } from './converted.js';
import type { ConvertedInput } from './converted.js';
import { notAfter } from './limits.js';
import type { RowLimits } from './limits.js';
import type { ColumnNames } from './schema.js';

/** What converting for an engine needs to know of it (Engine.sourceOptions() gives it). */
export interface ConversionTarget {
  names: ColumnNames;
  /** Rows after this time (ms) are counted, not applied. */
  asOf: number | undefined;
  numShards: number;
  /** Where spent batch buffers come back to. */
  recycleFrom: BufferPool;
  /** Keep rejected rows' values for a rejects file (counted either way). */
  keepRejects: boolean;
  /** The bounds a row must be within (limits.ts). */
  limits?: RowLimits;
  /** A window's read (replay --from/--every): rows at or before this time were applied by an earlier read. */
  after?: number;
  /** Rejected rows were counted by an earlier read of the input. */
  quietRejects?: boolean;
}

/** Converts one input's RecordBatches in order; rows are numbered from the input's first (for rejects). */
export class RecordBatchConverter {
  private rows = 0;

  constructor(
    private readonly target: ConversionTarget,
    private readonly source = 'input',
  ) {}

  convert(batch: RecordBatch): ConvertedInput {
    const t = this.target;
    const c = convertBatch(batch, {
      names: t.names,
      asOf: t.asOf,
      keepRejects: t.keepRejects,
      firstRow: this.rows,
      source: this.source,
      pool: t.recycleFrom,
      maxAmount: t.limits?.maxAmount,
      notAfter: t.limits ? notAfter(t.limits) : undefined,
      notBefore: t.limits?.notBefore,
      after: t.after,
      quietRejects: t.quietRejects,
    });
    this.rows += batch.numRows;
    return toInput(c, t.numShards, t.recycleFrom);
  }
}

/** A RecordBatch stream as converted batches for the target. */
export async function* convertRecordBatches(
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
  target: ConversionTarget,
  source = 'input',
): AsyncGenerator<ConvertedInput> {
  const converter = new RecordBatchConverter(target, source);
  for await (const b of batches) yield converter.convert(b);
}
