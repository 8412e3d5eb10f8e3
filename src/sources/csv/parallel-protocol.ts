/** Messages between the parallel CSV reader (csv/parallel.ts) and its threads (csv/read-worker.ts). */
import type { BatchBuffer } from '../../batch/buffer-pool.js';
import type { Bounds } from '../../batch/convert.js';
import type { ConvertedInput } from '../../batch/converted.js';
import type { RfmErrorCode } from '../../domain/errors.js';
import type { CsvLayout } from './batches.js';
import type { CsvImportOptions } from './csv-options.js';
import type { ImportStats } from '../import-stats.js';

export interface CsvReadSetup {
  path: string;
  label: string;
  options: CsvImportOptions;
  /** Decided by the coordinator: the columns and the kind of id (never null here). */
  layout: CsvLayout;
  numShards: number;
  bounds: Bounds;
  /** Where the first data record starts, and the file's size. */
  dataStart: number;
  size: number;
  /** Bytes read past a chunk's end for its last record. */
  slack: number;
}

/**
 * Chunk [from, end): records that start in it. exact: `from` is a record start (else the first one
 * after a line end).
 */
export interface ChunkTask {
  index: number;
  from: number;
  end: number;
  exact: boolean;
  /** Buffers the engine is done with, to fill again. */
  buffers: BatchBuffer[];
}

export interface ChunkResult {
  type: 'chunk';
  index: number;
  /** File offset of the first record scanned (-1: no record starts in the chunk), and of the one after the last. */
  start: number;
  next: number;
  /** Line ends from start to next; data rows in the batches. */
  lines: number;
  rows: number;
  /** Rows and lines in them (rejects) counted from the chunk's start, from 1. */
  batches: ConvertedInput[];
  stats: ImportStats;
  /** The chunk's error, its line counted from the chunk's start. */
  error: { code: RfmErrorCode; message: string; line: number } | null;
}
