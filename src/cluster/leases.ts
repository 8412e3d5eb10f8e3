/**
 * Which node owns which partition: a lease a partition in a KV bucket, taken by create or by
 * update at the revision seen (two nodes cannot both succeed), renewed by update at the
 * revision it holds, and expired when its revision has not moved for a lease's length as
 * the one who would take it measures, on its own monotonic clock (no wall clocks compared
 * across machines). Each take raises the lease's epoch.
 *
 * The owner holds a partition only until its last renewal's start plus the lease less a
 * margin, on its own clock: another node can take it only a whole lease after it saw the
 * last renewal land, which is later. So a node paused past its lease (SIGSTOP, a long GC)
 * finds on waking that it no longer holds the partition before it applies another message,
 * and its next renewal fails on the revision: it steps down. Never two owners at once.
 *
 * Nodes announce themselves the same way (node.<id>, renewed), so each knows how many are
 * live and takes its fair share: at most ceil(P / nodes), handing the rest back.
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import type { KV, KvEntry } from '@nats-io/kv';

export const LEASE_BUCKET = 'rfm_leases';
/** JetStream's answer to an update at a revision that is no longer the key's. */
const WRONG_LAST_SEQUENCE = 10071;

export interface LeaseValue {
  /** The owning node, or null: handed back, free to take at once. */
  node: string | null;
  epoch: number;
}

/** A partition this node holds. */
export interface Held {
  partition: number;
  epoch: number;
  revision: number;
  /** performance.now() when the renewal that holds it now was sent. */
  renewedAt: number;
}

interface Seen {
  revision: number;
  /** performance.now() when this node first saw that revision. */
  at: number;
  value: LeaseValue | null;
}

/**
 * What the node does as partitions come and go: called within a round, so each starts its
 * work and returns (a round that waited on a partition's rebuild would let the others' leases
 * run out).
 */
export interface LeaseEvents {
  /** A partition taken, at this epoch. */
  gained(partition: number, epoch: number): void;
  /** A partition lost (taken by another, or handed back): the node stops applying it at once. */
  lost(partition: number): void;
}

const key = (p: number): string => `p.${p}`;

export class Leases {
  private readonly held = new Map<number, Held>();
  private readonly seen = new Map<string, Seen>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly kv: KV,
    readonly node: string,
    private readonly partitions: number,
    private readonly leaseMs: number,
    private readonly events: LeaseEvents,
  ) {}

  /** Whether this node may apply a message of the partition now (held, and its lease not run out). */
  holds(partition: number): boolean {
    const h = this.held.get(partition);
    return h !== undefined && performance.now() < h.renewedAt + this.leaseMs * 0.8;
  }

  /** The partitions held, in order. */
  owned(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** Starts the rounds: every third of a lease, renew, look, take or hand back. */
  start(): void {
    const round = (): void => {
      this.running = this.running.then(() => this.round()).catch(() => undefined);
      this.running.then(() => {
        if (!this.stopped) this.timer = setTimeout(round, this.leaseMs / 3);
      });
    };
    round();
  }

  /** Stops the rounds; with handBack, each partition is let go for another to take at once. */
  async stop(handBack: boolean): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.running;
    for (const h of [...this.held.values()]) {
      this.held.delete(h.partition);
      this.events.lost(h.partition);
      if (handBack)
        await this.kv
          .update(key(h.partition), JSON.stringify({ node: null, epoch: h.epoch }), h.revision)
          .catch(() => undefined);
    }
    if (handBack) await this.kv.delete(`node.${this.node}`).catch(() => undefined);
  }

  /** What this node sees of a key now: its revision, since when, its value. */
  private look(k: string, e: KvEntry | null): Seen {
    const revision = e === null ? 0 : e.revision;
    const before = this.seen.get(k);
    if (before !== undefined && before.revision === revision) return before;
    const value = e === null || e.operation !== 'PUT' ? null : (e.json() as LeaseValue);
    const s = { revision, at: performance.now(), value };
    this.seen.set(k, s);
    return s;
  }

  private expired(s: Seen): boolean {
    return performance.now() - s.at > this.leaseMs;
  }

  /** One round: renew what is held, count the live nodes, take or hand back to a fair share. */
  async round(): Promise<void> {
    // a round that starts after a pause past the lease holds nothing it did not renew in time
    for (const h of [...this.held.values()]) {
      const sent = performance.now();
      try {
        const revision = await this.kv.update(
          key(h.partition),
          JSON.stringify({ node: this.node, epoch: h.epoch }),
          h.revision,
        );
        this.held.set(h.partition, { ...h, revision, renewedAt: sent });
      } catch (e) {
        // another revision: someone took it. Anything else (the server away) is tried again
        // next round; meanwhile holds() runs out on its own
        if (!(e instanceof JetStreamApiError && e.code === WRONG_LAST_SEQUENCE)) continue;
        this.held.delete(h.partition);
        this.events.lost(h.partition);
      }
    }
    await this.kv.put(`node.${this.node}`, String(Date.now()));
    let nodes = 0;
    for await (const k of await this.kv.keys('node.*')) {
      const s = this.look(k, await this.kv.get(k));
      if (k === `node.${this.node}` || (s.value !== null && !this.expired(s))) nodes++;
    }
    const fair = Math.ceil(this.partitions / Math.max(1, nodes));
    // hand back beyond the fair share, the highest partitions first
    for (const p of this.owned().reverse()) {
      if (this.held.size <= fair) break;
      const h = this.held.get(p)!;
      this.held.delete(p);
      this.events.lost(p);
      await this.kv.update(key(p), JSON.stringify({ node: null, epoch: h.epoch }), h.revision).catch(() => undefined);
    }
    // take free, handed-back and expired partitions up to the fair share, starting at a place
    // of this node's own so that nodes starting together do not all reach for partition 0
    const start = hashOf(this.node) % this.partitions;
    for (let i = 0; i < this.partitions && this.held.size < fair; i++) {
      const p = (start + i) % this.partitions;
      if (this.held.has(p)) continue;
      const e = await this.kv.get(key(p));
      const s = this.look(key(p), e);
      const free = s.value === null || s.value.node === null || this.expired(s);
      if (!free) continue;
      const epoch = (s.value?.epoch ?? 0) + 1;
      const value = JSON.stringify({ node: this.node, epoch });
      const sent = performance.now();
      try {
        const revision =
          s.revision === 0 ? await this.kv.create(key(p), value) : await this.kv.update(key(p), value, s.revision);
        this.held.set(p, { partition: p, epoch, revision, renewedAt: sent });
        this.events.gained(p, epoch);
      } catch {
        // another node took it first
      }
    }
  }
}

function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
