/**
 * Question: how fast can this machine apply independent random updates to 64-byte slots of
 * a 10^7-slot array (the kernel's per-order work with the hashing and probing taken out)?
 * One and two threads, each with its own array.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../src/kernel/package-root.js';

interface ProbeExports {
  memory: WebAssembly.Memory;
  setup(slots: number, updates: number): number;
  run(updates: number): number;
}

const SLOTS = 10_000_000;
const UPDATES = 20_000_000;

/** Updates per second of one probe in this thread. */
export function probeOnce(): number {
  const bytes = readFileSync(join(packageRoot(), 'build', 'probe.wasm'));
  const probe = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { abort: () => undefined } }).exports as unknown as ProbeExports;
  const indexPtr = probe.setup(SLOTS, UPDATES);
  const index = new Uint32Array(probe.memory.buffer, indexPtr, UPDATES);
  let x = 12345;
  for (let i = 0; i < UPDATES; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    index[i] = (x >>> 0) % SLOTS;
  }
  probe.run(UPDATES); // touch every page once
  const started = performance.now();
  probe.run(UPDATES);
  return UPDATES / ((performance.now() - started) / 1000);
}

/** Total updates per second of `threads` probes running at once. */
export async function machineLimit(threads: number): Promise<number> {
  if (threads === 1) return probeOnce();
  const script = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(new URL('./machine-limit.js', import.meta.url).href)}).then((m) => parentPort.postMessage(m.probeOnce()));`;
  const rates = await Promise.all(
    Array.from({ length: threads }, () => new Promise<number>((done, fail) => {
      const w = new Worker(script, { eval: true });
      w.once('message', (r: number) => {
        done(r);
        void w.terminate();
      });
      w.once('error', fail);
    })),
  );
  return rates.reduce((a, b) => a + b, 0);
}
