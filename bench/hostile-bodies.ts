/**
 * Question: what does the live server's memory do under hostile bodies? The e2e test's
 * bodies (test/support/hostile-bodies.ts: ~420 mutated Arrow streams, the fuzzing corpus,
 * broken CSV, garbage), POSTed 200 at a time, in rounds, into an in-process `rfm serve`
 * (2 workers, 8 MiB body limit). Peak RSS over the start, sampled every 50 ms, and after the
 * rounds: the test once asserted under 300 MB; a speed or memory goal lives here.
 */
import { LiveEngine } from '../src/server/live.js';
import { startServer } from '../src/server/server.js';
import { hostileBodies } from '../test/support/hostile-bodies.js';

export interface HostileRun {
  bodies: number;
  rounds: number;
  /** Answers by status. */
  statuses: Record<string, number>;
  startRssBytes: number;
  peakOverStartBytes: number;
  afterOverStartBytes: number;
  seconds: number;
}

export async function hostileRun(rounds = 3): Promise<HostileRun> {
  const live = new LiveEngine({ workers: 2 }, 50, { figures: false });
  const server = await startServer(live, { port: 0, host: '127.0.0.1', maxIngestBytes: 8 * 2 ** 20 });
  live.start();
  const { bodies } = hostileBodies(31);
  const startRssBytes = process.memoryUsage().rss;
  let peak = startRssBytes;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const statuses: Record<string, number> = {};
  const started = performance.now();
  try {
    for (let round = 0; round < rounds; round++) {
      for (let at = 0; at < bodies.length; at += 200) {
        const answers = await Promise.all(
          bodies.slice(at, at + 200).map(async (b) => {
            const r = await fetch(server.url + 'ingest', {
              method: 'POST',
              headers: b.type ? { 'content-type': b.type } : {},
              body: b.body as Uint8Array<ArrayBuffer>,
            });
            await r.arrayBuffer();
            return r.status;
          }),
        );
        for (const s of answers) statuses[s] = (statuses[s] ?? 0) + 1;
      }
    }
  } finally {
    clearInterval(sampler);
    await server.close();
    await live.close();
  }
  const after = process.memoryUsage().rss;
  return {
    bodies: bodies.length,
    rounds,
    statuses,
    startRssBytes,
    peakOverStartBytes: Math.max(peak, after) - startRssBytes,
    afterOverStartBytes: after - startRssBytes,
    seconds: (performance.now() - started) / 1000,
  };
}
