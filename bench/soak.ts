/**
 * npm run bench:soak [-- --minutes 10] [--json FILE]: the never-lose-an-order promises under
 * load for a long time, not in npm test and not in npm run bench (it takes 15 minutes and more).
 *
 * 1. Checkpoint cost: `rfm replay` of 10^8 orders of 10^7 customers (the full bench file),
 *    without and with `--checkpoint DIR --checkpoint-every 10000000`; the difference over the
 *    checkpoints written is one checkpoint's cost; peak RSS of each (VmHWM of the process).
 * 2. A durable server under load: `rfm serve --data DIR` (2 workers, checkpoints every 30 s)
 *    takes POST /ingest from 4 clients without pause, each body 10,000 orders of a
 *    10^6-customer space with a fresh Idempotency-Key, while 100 WebSocket clients take the
 *    snapshots, for --minutes. Throughput, ack latency (p50, p99, max), RSS after the first
 *    10 s and at the end, and the clients' snapshot lag.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { Random } from '../src/sources/generator/random.js';
import { ordersFile } from './data.js';
import { machine } from './environment.js';
import { lineFrom } from './live-load.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const minutes = Number(flag('--minutes') ?? 10);
const out = flag('--json') ?? join(packageRoot(), 'bench', 'soak.json');
const cli = join(packageRoot(), 'dist', 'cli', 'cli.js');
const say = (s: string): void => void process.stderr.write(s + '\n');

/** A /proc/PID/status field in bytes (VmRSS now, VmHWM the peak so far), or 0 once the process is gone. */
function procBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs the CLI to its end; its time, its peak RSS (sampled every 100 ms) and its stderr. */
function timedCli(cliArgs: string[]): Promise<{ ms: number; peakRssBytes: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, ...cliArgs]);
    let stderr = '';
    let peak = 0;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const sample = setInterval(() => {
      peak = Math.max(peak, procBytes(child.pid!, 'VmHWM'));
    }, 100);
    child.once('exit', (code) => {
      clearInterval(sample);
      if (code !== 0) reject(new Error(`rfm ${cliArgs.join(' ')} exited with ${code}: ${stderr}`));
      else resolve({ ms: performance.now() - started, peakRssBytes: peak, stderr });
    });
  });
}

async function checkpointCost(): Promise<object> {
  const file = await ordersFile(100_000_000, 10_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'rfm-soak-'));
  try {
    say('soak 1: replay of 10^8 orders without checkpoints ...');
    const plain = await timedCli(['replay', file, '--workers', '2', '-q']);
    say(`  ${(plain.ms / 1000).toFixed(1)} s; with --checkpoint-every 10000000 ...`);
    const ck = join(dir, 'ck');
    const checked = await timedCli([
      'replay',
      file,
      '--workers',
      '2',
      '-q',
      '--checkpoint',
      ck,
      '--checkpoint-every',
      '10000000',
    ]);
    const stateBytes = readdirSync(ck)
      .filter((f) => f.endsWith('.bin'))
      .reduce((a, f) => a + readFileSync(join(ck, f)).byteLength, 0);
    // every 10^7 orders and one at the end of the read
    const checkpoints = Math.floor(100_000_000 / 10_000_000) + 1;
    const r = {
      orders: 100_000_000,
      customers: 10_000_000,
      checkpoints,
      stateBytes,
      plainMs: plain.ms,
      checkpointedMs: checked.ms,
      perCheckpointMs: (checked.ms - plain.ms) / checkpoints,
      plainPeakRssBytes: plain.peakRssBytes,
      checkpointedPeakRssBytes: checked.peakRssBytes,
    };
    say(
      `  ${(checked.ms / 1000).toFixed(1)} s,` +
        ` ${(r.perCheckpointMs / 1000).toFixed(2)} s a checkpoint of ${(stateBytes / 2 ** 20).toFixed(0)} MiB`,
    );
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BODY_ORDERS = 10_000;

/** Bodies of BODY_ORDERS orders each, over a year of 2024 (inside the server's --max-future). */
function bodies(n: number): string[] {
  const rng = new Random(9);
  return Array.from({ length: n }, () => {
    const lines = ['customer_id,ts,amount'];
    for (let i = 0; i < BODY_ORDERS; i++) {
      lines.push(
        `${Math.floor(rng.next() * 1_000_000)},` +
          `${new Date(Date.UTC(2024, 0, 1) + Math.floor(rng.next() * 366 * 86_400_000)).toISOString()},` +
          `${(1 + rng.next() * 300).toFixed(2)}`,
      );
    }
    return lines.join('\n') + '\n';
  });
}

async function durableServer(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'rfm-soak-serve-'));
  const server = spawn(process.execPath, [
    cli,
    'serve',
    '--port',
    '0',
    '--workers',
    '2',
    '--data',
    join(dir, 'data'),
    '--checkpoint-every',
    '30s',
  ]);
  let serverErr = '';
  server.stderr.on('data', (d: Buffer) => (serverErr += d.toString()));
  try {
    const url = (await lineFrom(server, /live at (http:\/\/\S+)/))[1];
    const crowd = spawn(process.execPath, [
      new URL('./live-clients.js', import.meta.url).pathname,
      url.replace('http', 'ws') + 'live',
      '100',
    ]);
    await lineFrom(crowd, /ready/);
    const pool = bodies(64);
    const latencies: number[] = [];
    let orders = 0;
    let failures = 0;
    let rssStart = 0;
    const started = performance.now();
    const endAt = started + minutes * 60_000;
    say(
      `soak 2: rfm serve --data, 4 posters of ${BODY_ORDERS.toLocaleString('en-US')}-order bodies, 100 clients,` +
        ` ${minutes} min ...`,
    );
    const rssTimer = setTimeout(() => {
      rssStart = procBytes(server.pid!, 'VmRSS');
    }, 10_000);
    let key = 0;
    await Promise.all(
      Array.from({ length: 4 }, async (_, poster) => {
        for (let i = poster; performance.now() < endAt; i += 4) {
          const t = performance.now();
          const r = await fetch(`${url}ingest`, {
            method: 'POST',
            headers: { 'content-type': 'text/csv', 'idempotency-key': `soak-${key++}` },
            body: pool[i % pool.length],
          });
          const answer = (await r.json()) as { accepted?: number };
          latencies.push(performance.now() - t);
          if (r.status === 200) orders += answer.accepted ?? 0;
          else failures++;
        }
      }),
    );
    clearTimeout(rssTimer);
    const seconds = (performance.now() - started) / 1000;
    const rssEnd = procBytes(server.pid!, 'VmRSS');
    const peak = procBytes(server.pid!, 'VmHWM');
    const reported = lineFrom(crowd, /(\{.*\})\n/);
    crowd.stdin.write('report\n');
    const clients = JSON.parse((await reported)[1]) as {
      snapshots: number;
      lagMs: { p50: number; p99: number; max: number };
    };
    latencies.sort((a, b) => a - b);
    const q = (f: number): number => latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))];
    const r = {
      minutes,
      requests: latencies.length,
      failures,
      orders,
      ordersPerSecond: orders / seconds,
      ackMs: { p50: q(0.5), p99: q(0.99), max: latencies[latencies.length - 1] },
      rssStartBytes: rssStart,
      rssEndBytes: rssEnd,
      peakRssBytes: peak,
      checkpointsFailed: (serverErr.match(/cannot write a checkpoint/g) ?? []).length,
      clients: { count: 100, snapshots: clients.snapshots, lagMs: clients.lagMs },
    };
    say(
      `  ${Math.round(r.ordersPerSecond).toLocaleString('en-US')} orders/s acknowledged,` +
        ` ack p99 ${r.ackMs.p99.toFixed(0)} ms,` +
        ` RSS ${(rssStart / 2 ** 20).toFixed(0)} -> ${(rssEnd / 2 ** 20).toFixed(0)} MiB, ${failures} not 200`,
    );
    return r;
  } finally {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const env = machine();
say(`rfmstream soak: ${env.cores} cores (${env.cpu}), ${env.memoryGiB} GiB, Node ${env.node}`);
const results = {
  machine: env,
  replay: args.includes('--serve-only') ? null : await checkpointCost(),
  serve: await durableServer(),
};
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
say(`wrote ${out}`);
