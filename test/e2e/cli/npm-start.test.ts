/**
 * npm start (the README's first command) stops when it is told to: SIGTERM to npm, or
 * Ctrl+C (SIGINT to the terminal's process group). It once left the demo running, holding
 * its port, after npm itself was gone.
 */
import { spawn } from 'node:child_process';
import { afterEach, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { PROJECT } from '../../support/data.js';

const ROOT = PROJECT;

/** npm start on a free port, and the URL it prints. */
function npmStart(): Promise<{ npm: ReturnType<typeof spawn>; url: string }> {
  // its own process group, as a terminal gives it, so a Ctrl+C can be sent to the group
  const npm = spawn('npm', ['start', '--', '--port', '0', '--workers', '1'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(npm.pid!);
  return new Promise((done, fail) => {
    let out = '';
    npm.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /live at (http:\/\/\S+)/.exec(out);
      if (m) done({ npm, url: m[1] });
    });
    npm.once('exit', (code) => fail(new Error(`npm start exited with ${code}: ${out}`)));
  });
}

/**
 * A live connection to the server at url, and a promise that settles when the server ends it:
 * the process is gone (or closing) once that happens and nothing answers after.
 */
async function watch(url: string): Promise<{ closed: Promise<void> }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}live`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  // wrapped: an async function's returned promise would be awaited with it
  return { closed: new Promise<void>((resolve) => ws.once('close', () => resolve())) };
}

/** Resolves once the server has stopped: its socket closed, and nothing answers. */
async function stopped(url: string, closed: Promise<void>): Promise<void> {
  await closed;
  await expect(fetch(`${url}health`)).rejects.toThrow();
}

const started: number[] = [];

// whatever is left of each group: a failed (or timed-out) test must not leave a server behind
afterEach(() => {
  for (const group of started.splice(0)) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // the group is gone: what the test wants
    }
  }
});

test('SIGTERM to npm stops the demo, not only npm', async () => {
  const { npm, url } = await npmStart();
  expect((await fetch(`${url}health`)).ok).toBe(true);
  const { closed } = await watch(url);
  npm.kill('SIGTERM');
  await stopped(url, closed);
}, 30_000);

test('Ctrl+C (SIGINT to the process group) stops it', async () => {
  const { npm, url } = await npmStart();
  const { closed } = await watch(url);
  process.kill(-npm.pid!, 'SIGINT');
  await stopped(url, closed);
}, 30_000);
