/**
 * An `rfm node` process, started for a test or a benchmark (no vitest here): resolves once
 * it says where it listens.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { CLI } from './cli.js';
import type { NatsServer } from './nats-server.js';

export interface RunningNode {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** What it printed so far. */
  log: () => string;
}

/** `rfm node` on the server, with its own data directory and id; args: more options. */
export function startNode(server: NatsServer, name: string, data: string, args: string[]): Promise<RunningNode> {
  const child = spawn(process.execPath, [
    CLI,
    'node',
    '--nats',
    server.url,
    '--data',
    data,
    '--port',
    '0',
    '--node-id',
    name,
    ...args,
  ]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /live at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1], log: () => out });
    });
    child.once('exit', (code) => reject(new Error(`rfm node exited with ${code}: ${out}`)));
  });
}
