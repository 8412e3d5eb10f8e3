/**
 * Thread that decodes a Parquet file for `rfm import parquet`: its batches (parquet/batches.ts:
 * page by page where it can, else a row group at a time) as Arrow IPC streams, read back by
 * apache-arrow in the parent. A corrupt file can make parquet-wasm's decoder panic from a
 * callback no await sees, which would take a process down with a stack trace; here it
 * takes only this thread, and the parent says why.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type * as Arrow from 'apache-arrow';
import { readParquetBatches } from './batches.js';

export interface ParquetWorkerSetup {
  path: string;
}

export type ParquetToParent =
  | { type: 'start'; rowGroups: number }
  | { type: 'group'; bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'error'; message: string };

// the single-file bundle loads in a fraction of the package entry's time (arrow/read-worker.ts)
const arrow = createRequire(import.meta.url)('apache-arrow/Arrow.esnext.min') as typeof Arrow;
const { path } = workerData as ParquetWorkerSetup;
const port = parentPort!;
let credit = 0;
let wake: (() => void) | null = null;
port.on('message', (n: number) => {
  credit += n;
  wake?.();
});

async function main(): Promise<void> {
  const p = await readParquetBatches(path, arrow);
  port.postMessage({ type: 'start', rowGroups: p.rowGroups } satisfies ParquetToParent);
  for await (const batch of p.batches) {
    while (credit <= 0) await new Promise<void>((r) => (wake = r));
    credit--;
    const bytes = arrow.tableToIPC(new arrow.Table(batch), 'stream');
    port.postMessage({ type: 'group', bytes } satisfies ParquetToParent, [bytes.buffer as ArrayBuffer]);
  }
  port.postMessage({ type: 'end' } satisfies ParquetToParent);
}

main().catch((e: unknown) => {
  port.postMessage({ type: 'error', message: String((e as Error)?.message ?? e) } satisfies ParquetToParent);
});
