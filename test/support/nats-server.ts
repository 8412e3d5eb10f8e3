/**
 * A real nats-server (Debian's) for a test: a config file on 127.0.0.1 with free ports,
 * JetStream in a temp dir, ready when its monitoring port says so, stopped by PID.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './cli.js';

export interface NatsServer {
  url: string;
  /** The monitoring port's base URL (/varz, /jsz). */
  monitor: string;
  dir: string;
  child: ChildProcess;
  /** Stops the server (SIGTERM, or the signal given) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports and store (after a stop or a kill). */
  restart(): Promise<void>;
}

/** A port free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function ready(monitor: string, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}: ${log()}`);
    try {
      const r = await fetch(`${monitor}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not become ready: ${log()}`);
}

/** Starts a nats-server with JetStream; extra: more lines of its configuration; jetstream: of its jetstream block. */
export async function startNatsServer(extra = '', jetstream = ''): Promise<NatsServer> {
  const dir = tempDir();
  const port = await freePort();
  const http = await freePort();
  const conf = join(dir, 'nats.conf');
  writeFileSync(
    conf,
    `listen: 127.0.0.1:${port}\nhttp: 127.0.0.1:${http}\njetstream { store_dir: "${join(dir, 'js')}"\n${jetstream}\n}\n${extra}\n`,
  );
  const monitor = `http://127.0.0.1:${http}`;
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    monitor,
    dir,
    child: null as unknown as ChildProcess,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const c = server.child;
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill(signal);
      await exited;
    },
    async restart() {
      let out = '';
      const child = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      server.child = child;
      await ready(monitor, child, () => out);
    },
  };
  await server.restart();
  return server;
}
