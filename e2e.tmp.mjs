import { Engine } from './dist/engine/engine.js';
import { readArrow } from './dist/sources/arrow-source.js';
const workers = Number(process.argv[2]);
const t0 = performance.now();
const engine = new Engine({ workers });
let waitRead = 0, waitIngest = 0, n = 0;
let t = performance.now();
for await (const batch of readArrow('/work/main/build/bench-data/orders-10000000-1000000.arrow', { names: engine.names, numShards: engine.numShards, recycleFrom: engine.pool, keepRejects: false })) {
  waitRead += performance.now() - t;
  t = performance.now();
  await engine.ingestConverted(batch);
  waitIngest += performance.now() - t;
  t = performance.now();
  n++;
}
t = performance.now();
await engine.flush();
const flush = performance.now() - t;
t = performance.now();
const rep = await engine.report('sketch'); console.log(rep.customers, rep.orders, rep.revenue, engine.counts);
console.log({ workers, total: Math.round(performance.now() - t0), waitRead: Math.round(waitRead), waitIngest: Math.round(waitIngest), flush: Math.round(flush), report: Math.round(performance.now() - t), batches: n });
await engine.close();
