/**
 * Thread that reads an untrusted Arrow IPC file or stream and converts each batch to kernel
 * columns. apache-arrow throws raw internal errors on corrupt input and can spin forever on
 * some (apache/arrow-js#315), so it runs here, where the parent can watch its progress and
 * terminate it; see arrow-source.ts.
 */
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { RecordBatchReader } from 'apache-arrow';
import type { RecordBatch } from 'apache-arrow';
import { convertBatch } from '../engine/arrow-columns.js';
import type { ColumnNames } from '../engine/arrow-columns.js';
import { RfmError } from '../core/errors.js';
import type { ReaderToParent, ParentToReader } from './arrow-read-protocol.js';

export interface ReadWorkerSetup {
  /** File path, or '-' for the stdin the parent pipes in. */
  path: string;
  names: ColumnNames;
  asOf?: number;
  shared: boolean;
  keepRejects: boolean;
}

const setup = workerData as ReadWorkerSetup;
const port = parentPort!;
let credit = 0;
let wake: (() => void) | null = null;

port.on('message', (m: ParentToReader) => {
  if (m.type === 'credit') {
    credit += m.n;
    wake?.();
  }
});

async function waitForCredit(): Promise<void> {
  while (credit <= 0) await new Promise<void>((r) => (wake = r));
  credit--;
}

function post(m: ReaderToParent, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

async function main(): Promise<void> {
  const source = setup.path === '-' ? process.stdin : await open(setup.path, 'r');
  const name = setup.path === '-' ? 'stdin' : setup.path;
  let row = 0;
  let batches = 0;
  try {
    const reader = (await RecordBatchReader.from(source as never)) as unknown as RecordBatchReader;
    await reader.open();
    post({ type: 'start', numBatches: reader.isFile() ? reader.numRecordBatches : null });
    for await (const batch of reader as AsyncIterable<RecordBatch>) {
      await waitForCredit();
      const c = convertBatch(batch, {
        names: setup.names, asOf: setup.asOf, shared: setup.shared, keepRejects: setup.keepRejects, firstRow: row, source: name,
      });
      row += batch.numRows;
      batches++;
      post(
        {
          type: 'batch', shape: { numRows: c.columns.numRows, idMode: c.columns.idMode, idBytesLen: c.columns.idBytes?.length ?? 0 },
          buffer: c.buffer, orders: c.orders, refunds: c.refunds, engagements: c.engagements, rejected: c.rejected,
          afterAsOf: c.afterAsOf, maxTs: c.maxTs, rejects: c.rejects,
        },
        c.buffer instanceof ArrayBuffer ? [c.buffer] : [],
      );
    }
    if (batches === 0 && reader.schema === undefined) throw new Error('no schema');
    post({ type: 'end', batches, rows: row });
  } finally {
    if (setup.path !== '-') await (source as Awaited<ReturnType<typeof open>>).close();
  }
}

main().catch((e: unknown) => {
  const err = e as Error;
  post({
    type: 'error',
    code: e instanceof RfmError ? e.code : 'RFM_ERR_INPUT',
    message: e instanceof RfmError ? err.message : String(err?.message ?? e),
    translated: e instanceof RfmError,
  });
});
