/**
 * One partition on a node: its own engine (in this thread), the stream's last sequence the
 * engine holds, and the loop that applies the partition's messages in stream order from that
 * sequence + 1. Its checkpoint, in the node's data directory, is the state and that sequence
 * in one manifest (checkpoint-dir.ts writes it atomically): a node killed at any instant takes
 * the partition up again from a state and the sequence it reflects, never from what the
 * server would redeliver. A partition with no checkpoint here is rebuilt from the stream, the
 * record of every order.
 */
import { join } from 'node:path';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { RecordBatchReader } from 'apache-arrow';
import { columnBatchOver } from '../batch/column-batch.js';
import type { ConvertedInput } from '../batch/converted.js';
import { RecordBatchConverter } from '../batch/record-batches.js';
import { CheckpointDir } from '../engine/checkpoint-dir.js';
import type { Engine } from '../engine/engine.js';
import { otherPartition } from './batch-message.js';
import { DEAD_PREFIX, STREAM, subjectOf } from './order-stream.js';

/** A message no engine could read: where it was, and why. */
export interface DeadLetter {
  partition: number;
  seq: number;
  reason: string;
}

/** What a checkpoint keeps beside the state. */
interface PartitionPosition {
  lastSeq: number;
  epoch: number;
  applied: number;
}

export interface PartitionStatus {
  partition: number;
  epoch: number;
  lastSeq: number;
  /** Messages on the partition after lastSeq, as the server said with the last one delivered. */
  pending: number;
  /** Messages applied since the partition's first (across restarts). */
  applied: number;
  state: 'loading' | 'live' | 'lapsed' | 'stopped';
}

export class PartitionRunner {
  private lastSeq = 0;
  private applied = 0;
  private pending = 0;
  private checkpointedSeq = -1;
  private state: PartitionStatus['state'] = 'loading';
  private stopping = false;
  /** The engine is closed: nothing more is written. */
  private closed = false;
  private stopConsumer: (() => void) | null = null;
  private readonly checkpoints: CheckpointDir;
  /** Applying a message and taking a checkpoint, one at a time: a checkpoint's state is of its sequence. */
  private turn: Promise<unknown> = Promise.resolve();
  /** The loop: resolves when the partition stops. */
  readonly done: Promise<void>;

  constructor(
    readonly partition: number,
    readonly epoch: number,
    readonly engine: Engine,
    dataDir: string,
    private readonly partitions: number,
    private readonly js: JetStreamClient,
    /** Whether the node still holds the partition's lease (checked before every message). */
    private readonly holds: () => boolean,
    private readonly onDead: (d: DeadLetter) => void,
    /** Something to tell the operator that the runner goes on after (a lost consumer). */
    private readonly onTrouble: (message: string) => void,
    /** The partition's runner before this one on the node, still stopping: its checkpoint writes end first. */
    before: Promise<void> = Promise.resolve(),
  ) {
    this.checkpoints = new CheckpointDir(join(dataDir, `partition-${partition}`), {
      stream: STREAM,
      partition,
      partitions,
    });
    this.done = before
      .then(() => this.run())
      .catch((e: Error) => {
        this.state = 'stopped';
        onTrouble(`partition ${partition}: ${e.message}; not applied until the node takes it again`);
      });
  }

  status(): PartitionStatus {
    return {
      partition: this.partition,
      epoch: this.epoch,
      lastSeq: this.lastSeq,
      pending: this.pending,
      applied: this.applied,
      // live only while the lease holds: a node woken from a pause shows its lapsed ones as such
      state: this.state === 'live' && !this.holds() ? 'lapsed' : this.state,
    };
  }

  private async run(): Promise<void> {
    if (this.stopping) return;
    const saved = await this.checkpoints.load();
    if (saved !== null) {
      await this.engine.restore(saved.engine);
      const at = saved.extra as PartitionPosition;
      this.lastSeq = at.lastSeq;
      this.applied = at.applied;
      this.checkpointedSeq = at.lastSeq;
    }
    const converter = new RecordBatchConverter(this.engine.sourceOptions(), `partition ${this.partition}`);
    // a consumer lost with the server (down, restarted) is made again from the last sequence
    // applied: the position is this node's, not the server's. A lease that has not been
    // renewed in time (a slow round while the server was away) holds the messages back until
    // it is, or until the node loses it and stops this runner.
    let wait = 250;
    while (!this.stopping) {
      if (!this.holds()) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      try {
        await this.consume(converter);
        wait = 250;
      } catch (e) {
        if (this.stopping) break;
        this.onTrouble(`partition ${this.partition}: ${(e as Error).message}; reading again from ${this.lastSeq + 1}`);
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 5000);
      }
    }
    this.state = 'stopped';
  }

  /** Ends the consumer now (the connection came back: the server's consumer may be gone); the runner makes another. */
  restartConsumer(): void {
    this.stopConsumer?.();
  }

  /** The partition's messages after lastSeq, applied in order until a stop, a lapsed lease or a lost consumer. */
  private async consume(converter: RecordBatchConverter): Promise<void> {
    const consumer = await this.js.consumers.get(STREAM, {
      filter_subjects: subjectOf(this.partition),
      opt_start_seq: this.lastSeq + 1,
    });
    const messages = await consumer.consume({ max_messages: 16 });
    this.stopConsumer = () => void messages.stop();
    try {
      if (this.stopping) return;
      this.state = 'live';
      for await (const m of messages) {
        if (this.stopping || !this.holds()) return;
        // never twice: a message at or before the last applied is the state's already
        if (m.seq <= this.lastSeq) continue;
        await this.exclusive(async () => {
          await this.apply(m, converter);
          this.lastSeq = m.seq;
          this.applied++;
          this.pending = m.info.pending;
        });
      }
    } finally {
      this.stopConsumer = null;
      void messages.stop();
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.turn.then(work);
    this.turn = next.catch(() => undefined);
    return next;
  }

  /** A message applied whole, or (not a batch rfmstream reads) counted and copied to the dead letters. */
  private async apply(m: JsMsg, converter: RecordBatchConverter): Promise<void> {
    let batches: ConvertedInput[];
    try {
      batches = [...RecordBatchReader.from(m.data)].map((rb) => converter.convert(rb));
      if (batches.length === 0) throw new Error('no record batch in it');
      // rows of another partition would split a customer between two nodes
      for (const b of batches) {
        const rows = columnBatchOver(b.parts[0].buffer, b.parts[0].shape);
        const other = otherPartition(rows, this.partitions, this.partition);
        if (other >= 0) throw new Error(`it holds rows of partition ${other}`);
      }
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.onDead({ partition: this.partition, seq: m.seq, reason });
      const h = headers();
      h.set('Rfm-Partition', String(this.partition));
      h.set('Rfm-Seq', String(m.seq));
      h.set('Rfm-Reason', reason.slice(0, 500));
      // the copy is an id of its place: a node that applies the partition again copies it once
      await this.js
        .publish(`${DEAD_PREFIX}.${this.partition}`, m.data, { headers: h, msgID: `dead.${m.seq}` })
        .catch(() => undefined);
      return;
    }
    for (const b of batches) await this.engine.ingest(b);
  }

  /** A checkpoint of the state and its sequence, when anything was applied since the last. */
  checkpoint(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed || this.state === 'loading' || this.lastSeq === this.checkpointedSeq) return;
      const at: PartitionPosition = { lastSeq: this.lastSeq, epoch: this.epoch, applied: this.applied };
      await this.checkpoints.write({ batches: this.applied }, await this.engine.checkpoint(), at);
      this.checkpointedSeq = at.lastSeq;
    });
  }

  /** Stops applying (the next message is not applied), waits for the loop, checkpoints if asked, ends the engine. */
  async stop(checkpoint: boolean): Promise<void> {
    this.stopping = true;
    this.stopConsumer?.();
    await this.done.catch(() => undefined);
    try {
      if (checkpoint) await this.checkpoint();
    } finally {
      // after any checkpoint already queued: a runner that follows on this node reads what it wrote
      await this.exclusive(async () => {
        this.closed = true;
        await this.engine.close();
      });
    }
  }
}
