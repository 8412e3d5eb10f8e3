/**
 * POST /ingest on a node: the body (Arrow IPC or CSV, as rfm serve takes it) received and
 * converted whole, then published to the order stream by partition; answered 200 only once
 * JetStream acknowledged every message, 503 when it did not within the timeout (nothing
 * answered as taken that the stream does not hold). The client's Idempotency-Key names the
 * messages: the same body retried with it, on this node or another, adds nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferPool } from '../batch/buffer-pool.js';
import { columnBatchOver } from '../batch/column-batch.js';
import type { ConvertedInput } from '../batch/converted.js';
import { DEFAULT_MAX_AMOUNT, DEFAULT_MAX_FUTURE_MS, DEFAULT_MIN_YEAR, startOfYear } from '../batch/limits.js';
import type { ConversionTarget } from '../batch/record-batches.js';
import { DEFAULT_COLUMNS } from '../batch/schema.js';
import { RfmError } from '../domain/errors.js';
import { receive } from '../server/body.js';
import { fitForReply, json, refuse, RequestError } from '../server/replies.js';
import { readArrow } from '../sources/arrow/source.js';
import { ReaderPool } from '../sources/arrow/reader-pool.js';
import { DEFAULT_CSV_OPTIONS } from '../sources/csv/csv-options.js';
import { readCsv } from '../sources/csv/source.js';
import { newImportStats } from '../sources/import-stats.js';
import type { Publisher } from './publisher.js';

export interface NodeIngestAnswer {
  accepted: number;
  rejected: number;
  messages: number;
  /** Messages the stream already had under this key (a retry): not added again. */
  duplicates: number;
}

export class NodeIngest {
  private readonly pool = new BufferPool();
  private readonly readers = new ReaderPool(availableParallelism());
  private readonly target: ConversionTarget = {
    names: DEFAULT_COLUMNS,
    asOf: undefined,
    numShards: 1,
    recycleFrom: this.pool,
    keepRejects: false,
    limits: {
      maxAmount: DEFAULT_MAX_AMOUNT,
      maxFutureMs: DEFAULT_MAX_FUTURE_MS,
      notBefore: startOfYear(DEFAULT_MIN_YEAR),
    },
  };

  constructor(
    private readonly publisher: Publisher,
    private readonly maxBytes: number,
    private readonly timeoutMs: number,
  ) {}

  close(): Promise<void> {
    return this.readers.close();
  }

  async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      json(res, 200, await this.take(req));
    } catch (e) {
      const status =
        e instanceof RequestError
          ? e.status
          : e instanceof RfmError && e.code === 'RFM_ERR_NATS'
            ? 503
            : e instanceof RfmError
              ? 400
              : 500;
      const message = fitForReply((e as Error).message);
      refuse(
        req,
        res,
        status,
        status === 503
          ? `${message} (not taken: retry with the same Idempotency-Key, which adds nothing twice)`
          : message,
      );
    }
  }

  private async take(req: IncomingMessage): Promise<NodeIngestAnswer> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const csv = type === 'text/csv' || type === 'application/csv';
    const key = req.headers['idempotency-key'];
    const dir = await mkdtemp(join(tmpdir(), 'rfm-node-ingest-'));
    const batches: ConvertedInput[] = [];
    try {
      const file = join(dir, csv ? 'body.csv' : 'body.arrow');
      await receive(req, file, this.maxBytes, this.timeoutMs);
      // converted whole before anything is published: a bad last line publishes nothing
      const read = csv
        ? readCsv(file, { ...DEFAULT_CSV_OPTIONS, label: 'the request body' }, this.target, newImportStats())
        : readArrow(file, { ...this.target, stallMs: 5000, label: 'the request body', readers: this.readers });
      for await (const c of read) batches.push(c);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // a key names the messages (the same body, the same ids); without one, each request is its own
    const place =
      typeof key === 'string' && key !== ''
        ? `key.${createHash('sha256').update(key).digest('hex')}`
        : `post.${randomUUID()}`;
    const answer: NodeIngestAnswer = { accepted: 0, rejected: 0, messages: 0, duplicates: 0 };
    try {
      for (const [i, c] of batches.entries()) {
        const part = c.parts[0];
        const sent = await this.publisher.publishBatch(
          columnBatchOver(part.buffer, part.shape),
          c.unsignedIds === true,
          `${place}.${i}`,
        );
        answer.messages += sent.messages;
        answer.duplicates += sent.duplicates;
        answer.accepted += c.orders + c.refunds + c.engagements;
        answer.rejected += c.rejected;
      }
    } finally {
      for (const c of batches) for (const p of c.parts) this.pool.give(p.buffer);
    }
    return answer;
  }
}
