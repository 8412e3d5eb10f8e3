import { readArrow } from './dist/sources/arrow-source.js';
import { DEFAULT_COLUMNS } from './dist/engine/arrow-columns.js';
for (const numShards of [1, 2]) {
  const t = performance.now();
  let n = 0;
  for await (const b of readArrow('/work/main/build/bench-data/orders-10000000-1000000.arrow', { names: DEFAULT_COLUMNS, numShards, keepRejects: false })) n += b.orders;
  console.log('numShards', numShards, Math.round(performance.now() - t), 'ms', n);
}
