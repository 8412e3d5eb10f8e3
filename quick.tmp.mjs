import { kernelIngest } from './build/bench-dist/bench/kernel-ingest.js';
for (const c of [100_000, 1_000_000]) {
  const r = await kernelIngest(c, 1500);
  console.log(c, 'wasm', (r.wasmRowsPerSecond / 1e6).toFixed(2), 'M/s  js', (r.jsRowsPerSecond / 1e6).toFixed(2), 'M/s  ratio', r.wasmOverJs.toFixed(2));
}
