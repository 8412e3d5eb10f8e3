/**
 * For tests of worker faults only: a worker thread cannot be killed from outside the
 * process, so RFM_FAULT_KILL_WORKER="SHARD:N[,SHARD:N...]" terminates shard SHARD's worker
 * thread (0-based) just after the Nth ingest task of that shard is sent, which ends the
 * thread the way a crash in it would (its task unfinished, its memory gone). Counted per
 * process, across engines: an engine restarted after the death does not die again at the
 * same count. Unset, this costs a lookup per batch.
 */
const plan = new Map<number, Set<number>>();
for (const spec of (process.env.RFM_FAULT_KILL_WORKER ?? '').split(',').filter((s) => s !== '')) {
  const m = /^(\d+):(\d+)$/.exec(spec.trim());
  if (m === null) throw new Error(`RFM_FAULT_KILL_WORKER: "${spec}" is not SHARD:N`);
  const shard = Number(m[1]);
  if (!plan.has(shard)) plan.set(shard, new Set());
  plan.get(shard)!.add(Number(m[2]));
}
const sent = new Map<number, number>();

/** Counts an ingest task sent to the shard; true when the plan says its worker dies now. */
export function killAfterIngest(shard: number): boolean {
  const deaths = plan.get(shard);
  if (deaths === undefined) return false;
  const n = (sent.get(shard) ?? 0) + 1;
  sent.set(shard, n);
  return deaths.has(n);
}
