/** Question: how many orders per second does a replay of an Arrow file take, from open to report? */
import { execFileSync } from 'node:child_process';

export interface ReplayRun {
  workers: number;
  ms: number;
  /** Median of three snapshots after a one-row change, the as-of time standing (kept classes updated). */
  snapshotMs: number;
  /** The same with the as-of time an hour on each time (the classes that came due too). */
  snapshotMovingMs: number;
  /** The second snapshot, after a one-row change: every customer classified, classes kept. */
  snapshotKeepMs: number;
  /** The first snapshot, right after the replay (its time is part of `ms`). */
  snapshotFirstMs: number;
  maxRssBytes: number;
  orders: number;
  customers: number;
  ordersPerSecond: number;
}

export function replay(file: string, workers: number): ReplayRun {
  const child = new URL('./replay-child.js', import.meta.url).pathname;
  const out = execFileSync(process.execPath, [child, file, String(workers)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const r = JSON.parse(out) as Omit<ReplayRun, 'workers' | 'ordersPerSecond'>;
  return { ...r, workers, ordersPerSecond: r.orders / (r.ms / 1000) };
}
