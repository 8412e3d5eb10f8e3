/**
 * Question: how fast can this machine apply independent random updates to 64-byte slots of
 * a 10^7-slot array (the kernel's per-order work with the hashing and probing taken out)?
 * And how fast when each update first reads the slot's number from a random entry of a
 * hash index, as any kernel with a separate index must ("indexed": two dependent misses)?
 * And with the records themselves in a hash table, hashed and probed ("table": one miss)?
 * One and two threads, each with its own array; two threads time the same interval.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { askHugePagesForWasm } from '../src/native/huge-pages.js';
import { packageRoot } from '../src/package-root.js';

export type ProbePattern = 'slot' | 'indexed' | 'table';

interface ProbeExports {
  memory: WebAssembly.Memory;
  setup(slots: number, updates: number): number;
  run(updates: number): number;
  setupIndexed(slots: number, tableBits: number, updates: number): void;
  runIndexed(updates: number): number;
  setupTable(keys: number, tableBits: number, updates: number): void;
  runTable(updates: number): number;
}

const SLOTS = 10_000_000;
const UPDATES = 20_000_000;
/** The kernel's index at 10^7 customers: 2^25 entries, a third full; the table pattern's buckets, as many. */
const TABLE_BITS = 25;

function prepare(pattern: ProbePattern): () => void {
  const bytes = readFileSync(join(packageRoot(), 'build', 'probe.wasm'));
  const probe = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { abort: () => undefined } })
    .exports as unknown as ProbeExports;
  // the same pages the kernel's memory asks for (src/native/huge-pages.ts), so that the
  // limit is the machine's as the kernel meets it
  askHugePagesForWasm(probe.memory);
  if (pattern === 'table') {
    probe.setupTable(SLOTS, TABLE_BITS, UPDATES);
    return () => void probe.runTable(UPDATES);
  }
  if (pattern === 'indexed') {
    probe.setupIndexed(SLOTS, TABLE_BITS, UPDATES);
    return () => void probe.runIndexed(UPDATES);
  }
  const indexPtr = probe.setup(SLOTS, UPDATES);
  const index = new Uint32Array(probe.memory.buffer, indexPtr, UPDATES);
  let x = 12345;
  for (let i = 0; i < UPDATES; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    index[i] = (x >>> 0) % SLOTS;
  }
  return () => void probe.run(UPDATES);
}

/** Timed runs of a probe; the limit is the fastest (this shared machine's slow moments are not its limit). */
const ROUNDS = 3;

/**
 * Updates per second of one probe in this thread. With `barrier` (a counter shared by the
 * threads of one measurement), every timed run starts once every thread is ready for it.
 */
export function probeOnce(pattern: ProbePattern, barrier?: { counter: Int32Array; threads: number }): number {
  const run = prepare(pattern);
  run(); // touch every page once
  let best = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    if (barrier) {
      const ready = barrier.threads * round;
      Atomics.add(barrier.counter, 0, 1);
      for (let seen = Atomics.load(barrier.counter, 0); seen < ready; seen = Atomics.load(barrier.counter, 0))
        Atomics.wait(barrier.counter, 0, seen, 1);
    }
    const started = performance.now();
    run();
    best = Math.max(best, UPDATES / ((performance.now() - started) / 1000));
  }
  return best;
}

/** Total updates per second of `threads` probes running at once. */
export async function machineLimit(threads: number, pattern: ProbePattern = 'slot'): Promise<number> {
  if (threads === 1) return probeOnce(pattern);
  const shared = new SharedArrayBuffer(4);
  const script =
    `
    const { parentPort, workerData } = require('node:worker_threads');
    import(${JSON.stringify(new URL('./machine-limit.js', import.meta.url).href)}).then((m) =>
      parentPort.postMessage(m.probeOnce(workerData.pattern, { counter: new Int32Array(workerData.shared),` +
    ` threads: workerData.threads })));`;
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((done, fail) => {
          const w = new Worker(script, { eval: true, workerData: { pattern, shared, threads } });
          w.once('message', (r: number) => {
            done(r);
            void w.terminate();
          });
          w.once('error', fail);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}
