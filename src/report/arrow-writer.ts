/** Writes RecordBatches as an Arrow IPC file or stream to a path or stdout ('-'). */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { RecordBatchFileWriter, RecordBatchStreamWriter } from 'apache-arrow';
import type { RecordBatch } from 'apache-arrow';
import { RfmError } from '../domain/errors.js';

export type IpcFormat = 'file' | 'stream';

export interface WriteResult {
  batches: number;
  rows: number;
}

/**
 * Writes every batch; `onBatch` sees each after it is queued (for progress). The IPC file
 * format (random access, with a footer) is the default for paths; stdout gets the stream format.
 */
export async function writeArrow(
  path: string,
  batches: Iterable<RecordBatch> | AsyncIterable<RecordBatch>,
  format: IpcFormat = path === '-' ? 'stream' : 'file',
  onBatch?: (rows: number) => void,
): Promise<WriteResult> {
  const writer = format === 'file' ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
  const toStdout = path === '-';
  const out = toStdout ? process.stdout : createWriteStream(path);
  const failed = new Promise<never>((_, reject) => {
    out.on('error', (e: Error) =>
      reject(new RfmError('RFM_ERR_INPUT', `cannot write ${toStdout ? 'stdout' : path}: ${e.message}`)),
    );
  });
  failed.catch(() => undefined);
  const readable = writer.toNodeStream();
  readable.pipe(out, { end: !toStdout });
  let n = 0;
  let rows = 0;
  for await (const b of batches) {
    writer.write(b);
    n++;
    rows += b.numRows;
    onBatch?.(rows);
    // let the bytes reach the file before making more of them
    if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), failed]);
    else await new Promise((r) => setImmediate(r));
  }
  writer.finish();
  await Promise.race([finished(readable), failed]);
  if (!toStdout) await Promise.race([finished(out), failed]);
  return { batches: n, rows };
}
