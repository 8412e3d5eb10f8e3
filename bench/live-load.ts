/**
 * Question: do 1,000 dashboard clients, pushed snapshots at 4 Hz, slow the engine down?
 * A server (rfm serve, 2 workers, no source) takes the same Arrow file by POST /ingest twice:
 * once with no client, once with N clients connected (in another process); we time the
 * ingest and read the clients' lag (receipt time - the snapshot's takenAt).
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';

export interface LiveLoadResult {
  clients: number;
  ordersPerSecondAlone: number;
  ordersPerSecondWithClients: number;
  /** (alone - with clients) / alone. */
  slowdown: number;
  lagMs: { p50: number; p99: number; max: number };
  slowestClientMeanLagMs: number;
  snapshotsDelivered: number;
}

export function lineFrom(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

async function serve(): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const cli = join(packageRoot(), 'dist', 'cli', 'cli.js');
  // --no-figures: the question is what clients cost; the month-end measurements (a constant
  // for both runs, 0.3-0.45 s a month of history at 10^6 customers) are NOTES 47's
  const child = spawn(process.execPath, [
    cli,
    'serve',
    '--port',
    '0',
    '--interval',
    '250',
    '--workers',
    '2',
    '--no-figures',
  ]);
  const m = await lineFrom(child, /live at (http:\/\/\S+)/);
  return { child, url: m[1] };
}

async function timedIngest(url: string, body: Buffer): Promise<{ ms: number; accepted: number }> {
  const started = performance.now();
  const res = await fetch(url + 'ingest', {
    method: 'POST',
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) as Uint8Array<ArrayBuffer>,
  });
  const r = (await res.json()) as { accepted: number; error?: string };
  if (!res.ok) throw new Error(`ingest failed: ${r.error}`);
  return { ms: performance.now() - started, accepted: r.accepted };
}

export async function liveLoad(file: string, clients: number): Promise<LiveLoadResult> {
  const body = readFileSync(file);
  const alone = await serve();
  const a = await timedIngest(alone.url, body);
  alone.child.kill('SIGINT');

  const loaded = await serve();
  const crowd = spawn(process.execPath, [
    new URL('./live-clients.js', import.meta.url).pathname,
    loaded.url.replace('http', 'ws') + 'live',
    String(clients),
  ]);
  await lineFrom(crowd, /ready/);
  const b = await timedIngest(loaded.url, body);
  await new Promise((r) => setTimeout(r, 1000));
  const reported = lineFrom(crowd, /(\{.*\})\n/);
  crowd.stdin.write('report\n');
  const stats = JSON.parse((await reported)[1]) as {
    lagMs: LiveLoadResult['lagMs'];
    slowestClientMeanLagMs: number;
    snapshots: number;
  };
  loaded.child.kill('SIGINT');
  const aloneRate = a.accepted / (a.ms / 1000);
  const withRate = b.accepted / (b.ms / 1000);
  return {
    clients,
    ordersPerSecondAlone: aloneRate,
    ordersPerSecondWithClients: withRate,
    slowdown: (aloneRate - withRate) / aloneRate,
    lagMs: stats.lagMs,
    slowestClientMeanLagMs: stats.slowestClientMeanLagMs,
    snapshotsDelivered: stats.snapshots,
  };
}
