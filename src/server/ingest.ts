/**
 * POST /ingest's work once the gate let it by: the body received whole (body.ts), converted
 * whole before a row of it is applied (all or nothing: a bad quote on the last line, a
 * truncated Arrow stream, leaves the state as it was), then applied, or with --data logged
 * first (request-log.ts). The answer counts this request's rows, from its own batches, not
 * the engine's counters others move meanwhile.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConvertedInput } from '../batch/converted.js';
import type { RunIdentity } from '../engine/checkpoint-dir.js';
import type { DurableFiles } from '../engine/durable-files.js';
import { readArrow } from '../sources/arrow/source.js';
import { ReaderPool } from '../sources/arrow/reader-pool.js';
import { DEFAULT_CSV_OPTIONS } from '../sources/csv/csv-options.js';
import { readCsv } from '../sources/csv/source.js';
import { newImportStats } from '../sources/import-stats.js';
import { receive } from './body.js';
import type { LiveEngine } from './live.js';
import { RequestLog } from './request-log.js';
import type { BodyKind, ConvertBody, IngestAnswer } from './request-log.js';

export interface IngestOptions {
  /** Largest body, bytes (413 beyond it). */
  maxBytes: number;
  /** The longest a body may take to arrive (408 after it). */
  timeoutMs: number;
  /** rfm serve --data: log every request before it is answered. */
  data?: { dir: string; identity: RunIdentity; checkpointEveryMs?: number; files?: DurableFiles };
}

export class Ingest {
  private constructor(
    private readonly live: LiveEngine,
    private readonly o: IngestOptions,
    /** The request log of --data, or null. */
    readonly log: RequestLog | null,
    /** The threads that read Arrow bodies, a core's worth at once (reader-pool.ts). */
    private readonly readers: ReaderPool,
  ) {}

  /** Opens the request log of --data (restoring its state) when there is one. */
  static async open(live: LiveEngine, o: IngestOptions): Promise<Ingest> {
    const readers = new ReaderPool(availableParallelism());
    const convert: ConvertBody = (file, kind) => convertBody(live, file, kind, readers);
    const d = o.data;
    const log =
      d === undefined ? null : await RequestLog.open(d.dir, live, convert, d.identity, d.checkpointEveryMs, d.files);
    return new Ingest(live, o, log, readers);
  }

  /** Ends the reading threads (the server has stopped taking requests). */
  close(): Promise<void> {
    return this.readers.close();
  }

  /** A request: the body received whole (within the limits), then converted and applied, or logged first. */
  async take(req: IncomingMessage): Promise<IngestAnswer> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const kind: BodyKind = type === 'text/csv' || type === 'application/csv' ? 'csv' : 'arrow';
    if (this.log !== null) {
      const file = this.log.stagingPath();
      try {
        await receive(req, file, this.o.maxBytes, this.o.timeoutMs);
      } catch (e) {
        await rm(file, { force: true });
        throw e;
      }
      const key = req.headers['idempotency-key'];
      return this.log.take(file, kind, typeof key === 'string' && key !== '' ? key : null);
    }
    const dir = await mkdtemp(join(tmpdir(), 'rfm-ingest-'));
    let converted: Awaited<ReturnType<ConvertBody>>;
    try {
      const file = join(dir, `body.${kind}`);
      await receive(req, file, this.o.maxBytes, this.o.timeoutMs);
      converted = await convertBody(this.live, file, kind, this.readers);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const b of converted.batches) await this.live.ingest(b);
    await this.live.engine.flush();
    return converted.answer;
  }
}

/** A body file as converted batches, and the answer of its rows; nothing applied yet. */
async function convertBody(
  live: LiveEngine,
  file: string,
  kind: BodyKind,
  readers: ReaderPool,
): Promise<{ batches: ConvertedInput[]; answer: IngestAnswer }> {
  const engine = live.engine;
  const batches: ConvertedInput[] = [];
  let leftOut = 0;
  try {
    if (kind === 'csv') {
      const stats = newImportStats();
      const csv = { ...DEFAULT_CSV_OPTIONS, label: 'the request body' };
      for await (const c of readCsv(file, csv, engine.sourceOptions(), stats)) batches.push(c);
      leftOut = stats.badFieldCounts;
    } else {
      // untrusted Arrow goes through the watched reading thread
      for await (const b of readArrow(file, {
        ...engine.sourceOptions(),
        keepRejects: false,
        stallMs: 5000,
        label: 'the request body',
        readers,
      }))
        batches.push(b);
    }
  } catch (e) {
    for (const b of batches) for (const part of b.parts) engine.pool.give(part.buffer);
    throw e;
  }
  const answer = { accepted: 0, rejected: leftOut };
  for (const b of batches) {
    answer.accepted += b.orders + b.refunds + b.engagements;
    answer.rejected += b.rejected;
  }
  return { batches, answer };
}
