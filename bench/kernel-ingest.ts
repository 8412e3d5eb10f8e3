/**
 * Question: how much faster is the WASM kernel than the plain-JS core per 64k-row batch,
 * with the state in cache (10^5 customers) and in DRAM (10^7)? Both kernels hold the same
 * customers first; then each task applies one batch of orders of uniformly random customers.
 */
import { Bench } from 'tinybench';
import { CoreKernel } from '../src/core/core-kernel.js';
import type { ColumnBatch, Kernel } from '../src/domain/types.js';
import { allocColumnBatch } from '../src/batch/column-batch.js';
import { WasmKernel } from '../src/kernel/wasm-kernel.js';
import { Random } from '../src/sources/generator/random.js';

const ROWS = 65_536;
const DAY = 86_400_000;

function batchOf(rng: Random, customers: number, t0: number, sequential: boolean, from = 0): ColumnBatch {
  const { batch } = allocColumnBatch({ numRows: ROWS, idMode: 'int', idBytesLen: 0 });
  for (let i = 0; i < ROWS; i++) {
    batch.idWords![2 * i] = sequential ? from + i : Math.floor(rng.next() * customers);
    batch.ts[i] = t0 + i * 1000 + Math.floor(rng.next() * 30) * DAY;
    batch.amount[i] = Math.round(rng.next() * 20_000) / 100;
  }
  return batch;
}

export interface KernelResult {
  customers: number;
  wasmRowsPerSecond: number;
  jsRowsPerSecond: number;
  wasmOverJs: number;
  /** Bytes of kernel state per customer: record and cold chunks, index, arena. */
  stateBytesPerCustomer: number;
  /** WASM linear memory per customer (grown, never returned: includes freed growth). */
  memoryBytesPerCustomer: number;
}

export async function kernelIngest(customers: number, timeMs = 3000): Promise<KernelResult> {
  const rng = new Random(customers);
  const t0 = Date.UTC(2025, 0, 1);
  const wasm = new WasmKernel();
  const js = new CoreKernel();
  // every customer gets its first order, so the timed batches only update
  for (let from = 0; from < customers; from += ROWS) {
    const b = batchOf(rng, customers, t0, true, from);
    const n = Math.min(ROWS, customers - from);
    const part = { ...b, numRows: n };
    for (const k of [wasm, js] as Kernel[]) k.ingest(part, 0, 1);
  }
  const batches = Array.from({ length: 8 }, (_, i) => batchOf(rng, customers, t0 + (i + 1) * DAY, false));
  const stateBytesPerCustomer = wasm.stateBytes / customers;
  const memoryBytesPerCustomer = wasm.memoryBytes / customers;
  let w = 0;
  let j = 0;
  const bench = new Bench({ time: timeMs, warmupTime: 300, throws: true });
  bench.add('wasm', () => wasm.ingest(batches[w++ % batches.length], 0, 1));
  bench.add('js', () => js.ingest(batches[j++ % batches.length], 0, 1));
  await bench.run();
  const perSecond = (name: string): number => {
    const r = bench.getTask(name)!.result as { period: number };
    return (ROWS * 1000) / r.period;
  };
  const wasmRowsPerSecond = perSecond('wasm');
  const jsRowsPerSecond = perSecond('js');
  return {
    customers,
    wasmRowsPerSecond,
    jsRowsPerSecond,
    wasmOverJs: wasmRowsPerSecond / jsRowsPerSecond,
    stateBytesPerCustomer,
    memoryBytesPerCustomer,
  };
}
