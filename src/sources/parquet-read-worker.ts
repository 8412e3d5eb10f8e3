/**
 * Thread that decodes a Parquet file for `rfm import parquet`: each row group as an Arrow
 * IPC stream (arrow-rs's writing, read back by apache-arrow in the parent). A corrupt file
 * can make the decoder panic from a callback no await sees, which would take a process
 * down with a stack trace; here it takes only this thread, and the parent says why.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openAsBlob } from 'node:fs';

export interface ParquetWorkerSetup {
  path: string;
}

export type ParquetToParent =
  | { type: 'start'; rowGroups: number }
  | { type: 'group'; bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'error'; message: string };

const { path } = workerData as ParquetWorkerSetup;
const port = parentPort!;
let credit = 0;
let wake: (() => void) | null = null;
port.on('message', (n: number) => {
  credit += n;
  wake?.();
});

async function main(): Promise<void> {
  const { ParquetFile } = await import('parquet-wasm');
  const file = await ParquetFile.fromFile(await openAsBlob(path));
  const rowGroups = file.metadata().numRowGroups();
  port.postMessage({ type: 'start', rowGroups } satisfies ParquetToParent);
  for (let g = 0; g < rowGroups; g++) {
    while (credit <= 0) await new Promise<void>((r) => (wake = r));
    credit--;
    const bytes = (await file.read({ rowGroups: [g], batchSize: 262_144 })).intoIPCStream();
    port.postMessage({ type: 'group', bytes } satisfies ParquetToParent, [bytes.buffer as ArrayBuffer]);
  }
  port.postMessage({ type: 'end' } satisfies ParquetToParent);
}

main().catch((e: unknown) => {
  port.postMessage({ type: 'error', message: String((e as Error)?.message ?? e) } satisfies ParquetToParent);
});
