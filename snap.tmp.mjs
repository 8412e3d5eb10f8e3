import { allocColumnBatch } from './dist/engine/column-batch.js';
import { LocalShard } from './dist/engine/shard-host.js';
import { takeSnapshot } from './dist/engine/snapshot.js';
import { loadDefaultModel } from './dist/model/model.js';
const C = 2_000_000, ROWS = 65536;
const shard = new LocalShard(process.argv[2] ?? 'wasm', 7);
const k = shard.kernel;
let x = 1;
for (let r = 0; r < 60; r++) {
  const { batch } = allocColumnBatch({ numRows: ROWS, idMode: 'int', idBytesLen: 0 });
  for (let i = 0; i < ROWS; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; batch.idWords[2 * i] = x % C; batch.ts[i] = 1.7e12 + r * 864e5 * 5 + i; batch.amount[i] = (x % 10000) / 100; }
  k.ingest(batch, 0, 1);
}
const model = loadDefaultModel();
k.sketches();
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now(); await takeSnapshot([shard], model, { mode: 'sketch', asOf: 1.75e12, subBits: 7, commit: false });
  if (rep) console.log(k.numCustomers, 'customers, snapshot', Math.round(performance.now() - t), 'ms');
}
