/**
 * Publishing converted batches to the order stream: each batch's rows split by partition,
 * each partition's in messages under the server's max_payload, each message acknowledged by
 * JetStream before the batch counts as published. A message's id is made from its content
 * and place (the input's digest, the batch, the partition, the chunk), so a publish rerun
 * within the stream's duplicate window adds nothing; the ledger in the cluster's bucket
 * says how far an input got, so a rerun after it goes on from there.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { JetStreamApiError, jetstream } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { RfmError } from '../domain/errors.js';
import type { ColumnBatch } from '../domain/types.js';
import { chunksUnder, encodeRows, rowsByPartition } from './batch-message.js';
import type { OrderStream } from './order-stream.js';
import { subjectOf } from './order-stream.js';

/** What the ledger keeps of an input published, under published.<its digest>. */
export interface LedgerEntry {
  inputs: string[];
  /** Batches of the input whose every message JetStream acknowledged. */
  batches: number;
  complete: boolean;
  messages: number;
  rows: number;
  /** When this entry was written (ISO). */
  at: string;
}

/** What a publish (or one batch of it) sent. */
export interface PublishCounts {
  messages: number;
  /** Messages the stream already had (the same id within its duplicate window). */
  duplicates: number;
  rows: number;
}

/**
 * The digest of an input: what the reading options that change its rows were, then every
 * byte of its files, in order. The same files read the same way have the same digest.
 */
export async function inputDigest(paths: string[], readOptions: unknown): Promise<string> {
  const h = createHash('sha256');
  h.update(JSON.stringify(readOptions));
  for (const p of paths) {
    h.update('\0');
    try {
      for await (const chunk of createReadStream(p, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new RfmError('RFM_ERR_INPUT', `${p}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  }
  return h.digest('hex');
}

/**
 * A JetStream answer that waiting will not change: the stream is full, or refuses the message
 * (4xx). Not 503 (JetStream starting up) nor 404 (a stream not yet recovered after a restart).
 */
function permanent(e: unknown): boolean {
  return e instanceof JetStreamApiError && e.status >= 400 && e.status < 500 && e.status !== 404;
}

export class Publisher {
  private readonly js: JetStreamClient;
  readonly counts: PublishCounts = { messages: 0, duplicates: 0, rows: 0 };

  constructor(
    nc: NatsConnection,
    private readonly stream: OrderStream,
    private readonly maxPayload: number,
    private readonly timeoutMs: number,
  ) {
    this.js = jetstream(nc, { timeout: Math.min(timeoutMs, 10_000) });
  }

  /** The ledger's entry for an input digest, or null. */
  ledger(digest: string): Promise<LedgerEntry | null> {
    return this.retrying('the ledger', async () => {
      const e = await this.stream.kv.get(`published.${digest}`);
      return e === null || e.operation !== 'PUT' ? null : (e.json() as LedgerEntry);
    });
  }

  async record(digest: string, entry: LedgerEntry): Promise<void> {
    await this.retrying('the ledger', () => this.stream.kv.put(`published.${digest}`, JSON.stringify(entry)));
  }

  /**
   * Publishes the applied rows of one converted batch; resolves once JetStream acknowledged
   * every message. place: the input's digest and the batch's number in it.
   */
  async publishBatch(b: ColumnBatch, unsigned: boolean, place: string): Promise<PublishCounts> {
    const sends: Promise<boolean>[] = [];
    let sentRows = 0;
    for (const [p, rows] of rowsByPartition(b, this.stream.partitions)) {
      const chunks = chunksUnder(b, rows, this.maxPayload);
      chunks.forEach((chunk, k) => {
        const payload = encodeRows(b, chunk, unsigned);
        const id = createHash('sha256').update(`${place}.${p}.${k}\0`).update(payload).digest('base64url');
        sentRows += chunk.length;
        sends.push(this.send(subjectOf(p), payload, id));
      });
    }
    const duplicates = (await Promise.all(sends)).filter((d) => d).length;
    this.counts.rows += sentRows;
    return { messages: sends.length, duplicates, rows: sentRows };
  }

  /** One message, sent until acknowledged; whether the stream had it already. */
  private async send(subject: string, payload: Uint8Array, msgID: string): Promise<boolean> {
    const ack = await this.retrying(`a message on ${subject}`, () => this.js.publish(subject, payload, { msgID }));
    this.counts.messages++;
    if (ack.duplicate) this.counts.duplicates++;
    return ack.duplicate;
  }

  /**
   * A request to JetStream, repeated with backoff while the server is away (down, restarting,
   * a lost connection the client is making again), for at most timeoutMs; an answer that
   * waiting will not change (the stream full, the message refused) fails at once.
   */
  private async retrying<T>(what: string, request: () => Promise<T>): Promise<T> {
    const deadline = performance.now() + this.timeoutMs;
    let wait = 200;
    for (;;) {
      try {
        return await request();
      } catch (e) {
        if (permanent(e))
          throw new RfmError(
            'RFM_ERR_NATS',
            `JetStream refused ${what}: ${(e as Error).message} (the stream full? its limits?)`,
            { cause: e },
          );
        if (performance.now() + wait > deadline)
          throw new RfmError(
            'RFM_ERR_NATS',
            `JetStream did not acknowledge ${what} within ${Math.round(this.timeoutMs / 1000)} s ` +
              `(${(e as Error).message}): is the server up, its disk full?`,
            { cause: e },
          );
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 5000);
      }
    }
  }
}
