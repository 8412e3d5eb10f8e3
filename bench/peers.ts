/**
 * Question: how does rfm, run as a user runs it, compare with the peers a data engineer would
 * pick today, each reading the same file itself? Every row is a process timed from its spawn
 * to its exit (wall time, peak RSS by /usr/bin/time): rfm's whole report against ClickHouse's
 * (chdb), DuckDB's and Polars' GROUP BY of what the engine keeps per customer, and the default
 * model as one SQL query (model-sql.ts) against rfm's exact replay, checked to give the same
 * segments before it is timed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import type { Peer, PeerAnswer, PeerFormat, PeerJob } from './peer-child.js';

export interface ProcessRun {
  seconds: number;
  /** Peak resident memory of the process (null where /usr/bin/time is missing). */
  maxRssBytes: number | null;
  stdout: string;
}

const TIME = '/usr/bin/time';
const scratch = mkdtempSync(join(tmpdir(), 'rfm-peers-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/** One process, timed from spawn to exit; throws with its stderr when it fails. */
export function timedProcess(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): ProcessRun {
  const rssFile = join(scratch, 'rss');
  const measured = existsSync(TIME);
  const [cmd, argv] = measured ? [TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  const started = performance.now();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, env });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const rssKiB = measured ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
  return { seconds, maxRssBytes: Number.isFinite(rssKiB) ? rssKiB * 1024 : null, stdout: r.stdout };
}

/** The fastest of `runs` runs (its RSS with it). */
export function bestOf(runs: number, run: () => ProcessRun): ProcessRun {
  let best: ProcessRun | undefined;
  for (let i = 0; i < runs; i++) {
    const r = run();
    if (!best || r.seconds < best.seconds) best = r;
  }
  return best!;
}

const CLI = join(packageRoot(), 'dist', 'bin', 'cli.js');
const CHILD = join(packageRoot(), 'build', 'bench-dist', 'bench', 'peer-child.js');

/** `rfm report FILE -o report.html [--workers N]`: the merchant's report, from nothing (no N: rfm's default). */
export function rfmReport(file: string, workers?: number): ProcessRun {
  const threads = workers === undefined ? [] : ['--workers', `${workers}`];
  return timedProcess(process.execPath, [CLI, 'report', file, '-o', join(scratch, 'report.html'), ...threads]);
}

/** `rfm replay FILE --exact --json`: the segments the SQL model must give; its per-segment counts. */
export function rfmExact(file: string, workers: number): ProcessRun & { segments: Record<string, number> } {
  const json = join(scratch, 'exact.json');
  const run = timedProcess(process.execPath, [
    CLI,
    'replay',
    file,
    '--exact',
    '-q',
    '--json',
    json,
    '--workers',
    `${workers}`,
  ]);
  const report = JSON.parse(readFileSync(json, 'utf8')) as { segments: Record<string, { customers: number }> };
  const segments = Object.fromEntries(
    Object.entries(report.segments)
      .filter(([, s]) => s.customers > 0)
      .map(([name, s]) => [name, s.customers]),
  );
  return { ...run, segments };
}

export function peerRun(
  peer: Peer,
  job: PeerJob,
  format: PeerFormat,
  file: string,
  threads: number,
): ProcessRun & { answer: PeerAnswer } {
  const run = timedProcess(process.execPath, [CHILD, peer, job, format, file, `${threads}`]);
  return { ...run, answer: JSON.parse(run.stdout) as PeerAnswer };
}

/** Installs bench/peers (ClickHouse's and Polars' binaries, ~650 MB) the first time. */
export function ensurePeers(say: (s: string) => void): void {
  const dir = join(packageRoot(), 'bench', 'peers');
  if (existsSync(join(dir, 'node_modules', 'chdb')) && existsSync(join(dir, 'node_modules', 'nodejs-polars'))) return;
  say('installing the peers (bench/peers: chdb, nodejs-polars; ~650 MB, once) ...');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm ci in bench/peers failed: the peers cannot be timed without it');
}
