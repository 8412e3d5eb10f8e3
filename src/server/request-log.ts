/**
 * `rfm serve --data DIR`: every /ingest request that is answered 200 is on disk first. A
 * request's body (received whole, converted whole: all or nothing) is fsynced and renamed
 * into DIR/log as `SEQ.KIND.KEY` (KEY: a digest of its Idempotency-Key, or "-"), the
 * directory fsynced, and only then applied and answered. Checkpoints (DIR/state, see
 * checkpoint-dir.ts) bound the log: a checkpoint records the last sequence number in its
 * state, and the log files up to it are deleted. On start the checkpoint is restored and the
 * log after it applied again, so after a kill -9 the engine holds exactly the requests that
 * were answered (and those logged but not yet answered, which their retry then finds).
 *
 * An Idempotency-Key makes a retried request count once: the keys of the requests applied
 * (the last KEYS_KEPT, kept in the checkpoint and in the log's names) answer a repeat with the
 * first answer, applying nothing. Requests go through one at a time, so a checkpoint falls
 * between two requests and a repeat always finds the first.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { ConvertedInput } from '../batch/converted.js';
import { CheckpointDir } from '../engine/checkpoint-dir.js';
import type { RunIdentity } from '../engine/checkpoint-dir.js';
import { DISK } from '../engine/durable-files.js';
import type { DurableFiles } from '../engine/durable-files.js';
import type { LiveEngine } from './live.js';
import type { LiveFiguresState } from './live-figures.js';
import { RfmError } from '../domain/errors.js';

/** What /ingest answers for a request's rows. */
export interface IngestAnswer {
  accepted: number;
  rejected: number;
}

export type BodyKind = 'csv' | 'arrow';

/** The log could not be written: the request was neither applied nor acknowledged (503). */
export class DiskError extends Error {}

/** A body in a file, converted whole (throws on a bad body: nothing applied). */
export type ConvertBody = (
  file: string,
  kind: BodyKind,
) => Promise<{ batches: ConvertedInput[]; answer: IngestAnswer }>;

/** What a checkpoint keeps beside the state: the keys seen, the live figures' tracker. */
interface CheckpointExtra {
  keys: [string, IngestAnswer][];
  figures: LiveFiguresState | null;
}

/** Keys remembered for retries. */
const KEYS_KEPT = 100_000;
/**
 * A replay of the log on start (or after a lost shard) of this many requests is followed by
 * a checkpoint at once, and a log of this many bytes is checkpointed whatever
 * --checkpoint-every says: in a crash loop faster than the interval the log grew without
 * bound (262 files, each restart slower than the last).
 */
const REPLAY_BOUND = 100;
const LOG_BYTES_BOUND = 256 * 2 ** 20;
/** SEQ.KIND.KEY, and (since bodies are checked) .SIZE-CRC32: a body cut or changed on disk is told on start. */
const LOG_NAME = /^(\d{12})\.(csv|arrow)\.([0-9a-f]{32}|-)(?:\.(\d+)-([0-9a-f]{8}))?$/;

/** A file's size and CRC-32, as a log name holds them. */
async function checkOf(path: string): Promise<string> {
  let crc = 0;
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    crc = crc32(chunk, crc);
    size += chunk.length;
  }
  return `${size}-${(crc >>> 0).toString(16).padStart(8, '0')}`;
}

const keyDigest = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 32);

export class RequestLog {
  private readonly logDir: string;
  private readonly checkpoints: CheckpointDir;
  /** Key digest -> the first answer. */
  private readonly keys = new Map<string, IngestAnswer>();
  private lastSeq = 0;
  private staged = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private lastCheckpoint = performance.now();
  /** Requests logged since the last checkpoint, and their bodies' bytes. */
  private sinceCheckpoint = 0;
  private bytesSinceCheckpoint = 0;

  private constructor(
    readonly dir: string,
    private readonly live: LiveEngine,
    private readonly convert: ConvertBody,
    identity: RunIdentity,
    private readonly checkpointEveryMs: number,
    private readonly files: DurableFiles,
  ) {
    this.logDir = join(dir, 'log');
    this.checkpoints = new CheckpointDir(join(dir, 'state'), identity, files);
  }

  /** Opens DIR: the last checkpoint restored, the requests logged after it applied again. */
  static async open(
    dir: string,
    live: LiveEngine,
    convert: ConvertBody,
    identity: RunIdentity,
    checkpointEveryMs = 30_000,
    files: DurableFiles = DISK,
  ): Promise<RequestLog> {
    const log = new RequestLog(dir, live, convert, identity, checkpointEveryMs, files);
    await mkdir(log.logDir, { recursive: true });
    const { restored, replayed } = await log.takeUp();
    if (restored || replayed > 0) {
      process.stderr.write(
        `rfm: ${dir}: restored ${restored ? 'the checkpoint' : 'no checkpoint'} and ` +
          `${replayed.toLocaleString('en-US')} logged requests after it;` +
          ` ${live.engine.counts.orders.toLocaleString('en-US')} orders held\n`,
      );
    }
    // a long replay is not paid again at the next start
    if (replayed >= REPLAY_BOUND) await log.checkpointNow();
    // a lost shard (its worker thread died) is put back from DIR at once, between two requests
    live.onFault((e) => {
      const turn = log.chain.then(() => log.recover(e));
      log.chain = turn.catch(() => undefined);
    });
    return log;
  }

  /** Into the (empty) engine: the last checkpoint, then every request logged after it. */
  private async takeUp(): Promise<{ restored: boolean; replayed: number }> {
    const live = this.live;
    const loaded = await this.checkpoints.load();
    this.lastSeq = 0;
    this.sinceCheckpoint = 0;
    this.bytesSinceCheckpoint = 0;
    if (loaded !== null) {
      await live.engine.restore(loaded.engine);
      this.lastSeq = loaded.position.batches;
      // extra: the keys and the live figures' state (a checkpoint before the figures kept the keys alone)
      const extra = loaded.extra as CheckpointExtra | [string, IngestAnswer][] | undefined;
      const kept = Array.isArray(extra) ? { keys: extra, figures: null } : (extra ?? { keys: [], figures: null });
      for (const [k, a] of kept.keys) this.keys.set(k, a);
      if (kept.figures !== null) live.restoreFigures(kept.figures);
    }
    let replayed = 0;
    for (const name of (await readdir(this.logDir)).sort()) {
      const m = LOG_NAME.exec(name);
      const path = join(this.logDir, name);
      if (m === null || Number(m[1]) <= this.lastSeq) {
        // in the checkpoint already, or a body staged and never logged (not one being received now)
        if (m !== null || !name.startsWith(`staged-${process.pid}-`)) await rm(path, { force: true });
        continue;
      }
      let converted: Awaited<ReturnType<ConvertBody>>;
      try {
        if (m[4] !== undefined) {
          const check = await checkOf(path);
          if (check !== `${m[4]}-${m[5]}`)
            throw new Error(
              `it holds ${check.replace('-', ' bytes, CRC-32 ')}, not the ${m[4]} bytes,` +
                ` CRC-32 ${m[5]} logged: the disk changed or cut it`,
            );
        }
        converted = await this.convert(path, m[2] as BodyKind);
      } catch (e) {
        // a logged body was whole when it was renamed into the log: damage since is the disk's,
        // and its request was answered 200, so it is not skipped in silence
        throw new RfmError(
          'RFM_ERR_INPUT',
          `${path}: a logged request cannot be read (${(e as Error).message}); it was answered 200,` +
            ` so the server does not start without it: put back a good copy,` +
            ` or move it out of ${this.logDir} to go on without its orders`,
          { cause: e },
        );
      }
      const { batches, answer } = converted;
      for (const b of batches) await live.ingest(b);
      if (m[3] !== '-') this.remember(m[3], answer);
      this.lastSeq = Number(m[1]);
      this.sinceCheckpoint++;
      this.bytesSinceCheckpoint += Number(m[4] ?? 0);
      replayed++;
    }
    await live.engine.flush();
    return { restored: loaded !== null, replayed };
  }

  /**
   * A shard was lost: a new engine, filled from the last checkpoint and the log after it, so
   * it holds every request logged (answered or about to be). Runs between two requests; a
   * loss while it runs is tried again, up to three times, then the server stops (DIR keeps
   * everything: a start on it takes it all up again).
   */
  private async recover(e: RfmError): Promise<void> {
    // given up once: the state stays unserved until the server starts again on DIR
    if (this.live.brokenBy !== null) throw this.live.brokenBy;
    if (this.live.engine.fault === null) return;
    for (let attempt = 1; ; attempt++) {
      process.stderr.write(`rfm: ${e.message}; restarting every shard from ${this.dir} (its checkpoint and log)\n`);
      const started = performance.now();
      await this.live.restart();
      try {
        const { replayed } = await this.takeUp();
        if (replayed >= REPLAY_BOUND) await this.checkpointNow();
        process.stderr.write(
          `rfm: restarted in ${((performance.now() - started) / 1000).toFixed(1)} s: the checkpoint and ` +
            `${replayed.toLocaleString('en-US')} logged requests after it;` +
            ` ${this.live.engine.counts.orders.toLocaleString('en-US')} orders held\n`,
        );
        this.live.endRestart();
        return;
      } catch (again) {
        if (!(again instanceof RfmError) || again.code !== 'RFM_ERR_WORKER' || attempt === 3) {
          const broken = new RfmError(
            'RFM_ERR_WORKER',
            `cannot restart the engine from ${this.dir} (${(again as Error).message});` +
              ` stop the server and start it on the same --data: nothing answered is lost`,
            { cause: again },
          );
          this.live.brokenBy = broken;
          this.live.endRestart();
          process.stderr.write(`rfm: ${broken.message}\n`);
          throw broken;
        }
        e = again;
      }
    }
  }

  /** Where a request's body is received before it is logged. */
  stagingPath(): string {
    return join(this.logDir, `staged-${process.pid}-${++this.staged}`);
  }

  /** A received body: answered from its key if seen, else converted, logged durably, applied. */
  take(file: string, kind: BodyKind, key: string | null): Promise<IngestAnswer & { repeated?: true }> {
    const turn = this.chain.then(() => this.takeNow(file, kind, key));
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async takeNow(file: string, kind: BodyKind, key: string | null): Promise<IngestAnswer & { repeated?: true }> {
    if (this.live.brokenBy !== null) {
      await rm(file, { force: true });
      throw this.live.brokenBy;
    }
    const digest = key === null ? null : keyDigest(key);
    const seen = digest === null ? undefined : this.keys.get(digest);
    if (seen !== undefined) {
      await rm(file, { force: true });
      return { ...seen, repeated: true };
    }
    let converted: Awaited<ReturnType<ConvertBody>>;
    try {
      converted = await this.convert(file, kind);
    } catch (e) {
      await rm(file, { force: true });
      throw e;
    }
    const seq = this.lastSeq + 1;
    let logged = join(this.logDir, `${String(seq).padStart(12, '0')}.${kind}.${digest ?? '-'}`);
    try {
      const check = await checkOf(file);
      this.bytesSinceCheckpoint += Number(check.split('-')[0]);
      logged += `.${check}`;
      await this.files.syncFile(file);
      await this.files.rename(file, logged);
      this.files.syncDirectory(this.logDir);
    } catch (e) {
      // not on disk, so not applied and not acknowledged: the client retries later
      for (const b of converted.batches) for (const part of b.parts) this.live.engine.pool.give(part.buffer);
      await rm(file, { force: true }).catch(() => undefined);
      await rm(logged, { force: true }).catch(() => undefined);
      throw new DiskError(
        `cannot write the request log in ${this.logDir} (${(e as Error).message});` +
          ` nothing of this request was applied: retry it later`,
      );
    }
    this.lastSeq = seq;
    this.sinceCheckpoint++;
    try {
      for (const b of converted.batches) await this.live.ingest(b);
      await this.live.engine.flush();
    } catch (e) {
      // a lost shard: the request is in the log, so the engine put back from DIR holds it
      if (!(e instanceof RfmError) || e.code !== 'RFM_ERR_WORKER') throw e;
      await this.recover(e);
    }
    if (digest !== null) this.remember(digest, converted.answer);
    if (
      performance.now() - this.lastCheckpoint >= this.checkpointEveryMs ||
      this.bytesSinceCheckpoint >= LOG_BYTES_BOUND
    ) {
      // the request is logged and applied whatever becomes of the checkpoint: a failed one
      // leaves the last good one and the whole log after it
      await this.checkpointNow().catch((e: unknown) => {
        process.stderr.write(`rfm: ${(e as Error).message}, and the log after it is kept\n`);
      });
    }
    return converted.answer;
  }

  private remember(digest: string, answer: IngestAnswer): void {
    this.keys.set(digest, answer);
    if (this.keys.size > KEYS_KEPT) this.keys.delete(this.keys.keys().next().value!);
  }

  /** A checkpoint of the state and the keys now, and the log it covers deleted (between two requests). */
  checkpoint(): Promise<void> {
    const turn = this.chain.then(() => this.checkpointNow());
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async checkpointNow(): Promise<void> {
    this.lastCheckpoint = performance.now();
    if (this.sinceCheckpoint === 0) return;
    const upTo = this.lastSeq;
    const extra: CheckpointExtra = { keys: [...this.keys], figures: this.live.figuresState() };
    await this.checkpoints.write({ batches: upTo }, await this.live.engine.checkpoint(), extra);
    this.sinceCheckpoint = 0;
    this.bytesSinceCheckpoint = 0;
    for (const name of await readdir(this.logDir)) {
      const m = LOG_NAME.exec(name);
      if (m !== null && Number(m[1]) <= upTo) await rm(join(this.logDir, name), { force: true });
    }
  }
}
