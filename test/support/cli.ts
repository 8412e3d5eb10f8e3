import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root.js';

// from the package's root, not this file's place: the benchmarks run this module compiled to build/bench-dist
export const CLI = join(packageRoot(), 'dist', 'bin', 'cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built rfm CLI (npm test builds it first) in cwd, killing it after timeoutMs. */
export function runCli(
  args: string[],
  o: {
    cwd?: string;
    input?: Buffer | string;
    timeoutMs?: number;
    holdStdin?: boolean;
    env?: Record<string, string>;
  } = {},
): Promise<CliResult> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: o.cwd, env: { ...process.env, TZ: 'UTC', ...o.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      done({ code, stdout, stderr, ms: performance.now() - started });
    });
    if (o.input !== undefined) child.stdin.end(o.input);
    else if (!o.holdStdin) child.stdin.end();
  });
}

/** The folders tempDir made and not yet removed (test/support/temp-dirs.ts removes them after each file). */
const made: string[] = [];

/** Removes the folders tempDir made so far. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rfm-test-'));
  made.push(dir);
  return dir;
}

/** Starts a long-running rfm command (serve, demo) and resolves with the URL it prints. */
export function startCli(
  args: string[],
  env?: Record<string, string>,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(
    process.execPath,
    [CLI, ...args],
    env === undefined ? undefined : { env: { ...process.env, ...env } },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /live at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`rfm ${args[0]} exited with ${code}`)));
  });
}
