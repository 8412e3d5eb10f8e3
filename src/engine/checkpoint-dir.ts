/**
 * A replay's checkpoints in a directory: every shard's state and the position of the input
 * it reflects, written so that a crash at any instant leaves the last complete checkpoint
 * usable. Each file is written to a temporary name, fsynced and renamed; the manifest, which
 * names a generation's files with their SHA-256, goes last the same way, then the directory
 * is fsynced; only then are the previous generation's files deleted. A manifest carries the
 * format version and its own checksum, and the identity of the run (inputs by path, size and
 * modification time; the options that shape the state), so a resume of another run is
 * refused, saying what differs.
 */
import { createRequire } from 'node:module';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RfmError } from '../domain/errors.js';
import { DISK } from './durable-files.js';
import type { DurableFiles } from './durable-files.js';
import type { EngineCheckpoint } from './engine.js';
import type { IngestCounts } from '../results.js';

/**
 * 2: kernel state format 3 (each customer's first purchase day's order cents). A format-1
 * checkpoint's states cannot be restored.
 */
export const CHECKPOINT_FORMAT = 2;
const MANIFEST = 'manifest.json';

/** What must be the same for a checkpoint to be resumed: a flat record, compared key by key. */
export type RunIdentity = Record<string, string | number | boolean | null>;

/**
 * Where the input stands at a checkpoint: how many converted batches (a replay) or logged requests
 * (rfm serve --data) the state holds.
 */
export interface InputPosition {
  batches: number;
}

interface Manifest {
  format: number;
  generation: number;
  identity: RunIdentity;
  position: InputPosition;
  counts: IngestCounts;
  watermark: number | null;
  idMode: 'int' | 'utf8' | null;
  unsignedIds: boolean;
  shards: { file: string; bytes: number; sha256: string }[];
  /** What the writer keeps beside the state (the live server: its idempotency keys). */
  extra?: unknown;
}

/** node:crypto, loaded on the first hash: only checkpoints hash, and a run without them need not load it. */
let crypto: typeof import('node:crypto') | undefined;

/** SHA-256 of b, in hex. */
export function sha256(b: Uint8Array | string): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha256').update(b).digest('hex');
}

/** The identity of input files: each by its full path, size and modification time. */
export async function inputIdentity(inputs: string[]): Promise<RunIdentity> {
  const out: RunIdentity = {};
  for (const [i, input] of inputs.entries()) {
    const s = await stat(input);
    out[`input ${i + 1}`] = `${resolve(input)} (${s.size} bytes, modified ${s.mtime.toISOString()})`;
  }
  return out;
}

export class CheckpointDir {
  private generation = 0;

  constructor(
    readonly dir: string,
    private readonly identity: RunIdentity,
    private readonly files: DurableFiles = DISK,
  ) {}

  /**
   * The checkpoint in the directory, or null when there is none; refuses one of another run or one
   * that does not check.
   */
  async load(): Promise<{ position: InputPosition; engine: EngineCheckpoint; extra: unknown } | null> {
    let text: string;
    try {
      text = await readFile(join(this.dir, MANIFEST), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new RfmError('RFM_ERR_INPUT', `cannot read the checkpoint in ${this.dir}: ${(e as Error).message}`);
    }
    const m = this.parse(text);
    const differs = Object.keys({ ...m.identity, ...this.identity })
      .filter((k) => m.identity[k] !== this.identity[k])
      .map((k) => `${k}: ${show(m.identity[k])} then, ${show(this.identity[k])} now`);
    if (differs.length > 0) {
      throw new RfmError(
        'RFM_ERR_OPTION',
        `the checkpoint in ${this.dir} is of another run (${differs.join('; ')});` +
          ` run with the same inputs and options, or give another --checkpoint directory`,
      );
    }
    const shards = await Promise.all(
      m.shards.map(async (s) => {
        const bytes = await readFile(join(this.dir, s.file)).catch((e: Error) => {
          throw new RfmError(
            'RFM_ERR_INPUT',
            `the checkpoint in ${this.dir} is missing ${s.file} (${e.message}); delete the directory to start over`,
          );
        });
        if (bytes.length !== s.bytes || sha256(bytes) !== s.sha256) {
          throw new RfmError(
            'RFM_ERR_INPUT',
            `the checkpoint in ${this.dir} is damaged: ${s.file} does not match its checksum;` +
              ` delete the directory to start over`,
          );
        }
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
      }),
    );
    this.generation = m.generation;
    await this.sweep(new Set(m.shards.map((x) => x.file)));
    return {
      position: m.position,
      engine: {
        shards,
        counts: m.counts,
        watermark: m.watermark ?? -Infinity,
        idMode: m.idMode,
        unsignedIds: m.unsignedIds,
      },
      extra: m.extra,
    };
  }

  private parse(text: string): Manifest {
    const damaged = (why: string): RfmError =>
      new RfmError(
        'RFM_ERR_INPUT',
        `the checkpoint manifest in ${this.dir} is damaged (${why}); delete the directory to start over`,
      );
    let outer: { checksum?: unknown; manifest?: unknown };
    try {
      outer = JSON.parse(text) as typeof outer;
    } catch {
      throw damaged('not JSON');
    }
    const body = JSON.stringify(outer.manifest);
    if (typeof outer.checksum !== 'string' || outer.checksum !== sha256(body))
      throw damaged('its checksum does not match');
    const m = outer.manifest as Manifest;
    if (m.format !== CHECKPOINT_FORMAT) {
      throw new RfmError(
        'RFM_ERR_OPTION',
        `the checkpoint in ${this.dir} is of format ${m.format};` +
          ` this rfmstream reads format ${CHECKPOINT_FORMAT}: delete it to start over`,
      );
    }
    return m;
  }

  /** Writes a checkpoint of the engine at the position; the previous one stays until this one is complete. */
  async write(position: InputPosition, engine: EngineCheckpoint, extra?: unknown): Promise<void> {
    try {
      await this.writeNow(position, engine, extra);
    } catch (e) {
      throw new RfmError(
        'RFM_ERR_INPUT',
        `cannot write a checkpoint in ${this.dir} (${(e as Error).message}); the last good one stays`,
        { cause: e },
      );
    }
  }

  private async writeNow(position: InputPosition, engine: EngineCheckpoint, extra?: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const generation = this.generation + 1;
    const shards: Manifest['shards'] = [];
    for (const [i, bytes] of engine.shards.entries()) {
      const file = `state-${generation}-${i}.bin`;
      await this.files.writeDurably(join(this.dir, file), bytes);
      shards.push({ file, bytes: bytes.length, sha256: sha256(bytes) });
    }
    const manifest: Manifest = {
      format: CHECKPOINT_FORMAT,
      generation,
      identity: this.identity,
      position,
      counts: engine.counts,
      watermark: Number.isFinite(engine.watermark) ? engine.watermark : null,
      idMode: engine.idMode,
      unsignedIds: engine.unsignedIds,
      shards,
      extra,
    };
    const body = JSON.stringify(manifest);
    await this.files.writeDurably(
      join(this.dir, MANIFEST),
      JSON.stringify({ checksum: sha256(body), manifest }, null, 1),
    );
    this.files.syncDirectory(this.dir);
    this.generation = generation;
    await this.sweep(new Set(shards.map((x) => x.file)));
  }

  /**
   * Deletes the state files the manifest does not name, and temporary files (a run killed while
   * writing or deleting leaves them).
   */
  private async sweep(kept: Set<string>): Promise<void> {
    for (const f of await readdir(this.dir)) {
      if ((/^state-\d+-\d+\.bin$/.test(f) && !kept.has(f)) || f.endsWith('.tmp'))
        await rm(join(this.dir, f), { force: true });
    }
  }
}

const show = (v: unknown): string => (v === undefined ? 'none' : JSON.stringify(v));
