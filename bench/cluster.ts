/**
 * npm run bench:cluster [-- --scale small|full]: the order stream's costs on this machine,
 * each a real process against a real nats-server (Debian's), in one run:
 *   - rfm replay of the file, the baseline (wall time, peak RSS);
 *   - rfm publish of it in 16 partitions: rows/s, bytes per order on the wire;
 *   - 1 node, then 2 nodes, from empty data directories: start to every partition applied
 *     to the stream's end, orders/s against the replay's (goal >= 0.5x); a node's peak RSS;
 *   - a takeover: with 2 nodes caught up, one killed (SIGKILL), until the other holds every
 *     partition applied to the end (goal < 10 s at 10^6 customers): a lease's expiry plus
 *     rebuilding the lost partitions from the stream.
 * small: 10^7 orders of 10^6 customers; full: 10^8 of 10^7.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import type { NodeStatus } from '../src/cluster/node.js';
import { startNatsServer } from '../test/support/nats-server.js';
import type { NatsServer } from '../test/support/nats-server.js';
import { tempDir } from '../test/support/cli.js';
import { startNode as startNodeProcess } from '../test/support/node-process.js';
import type { RunningNode } from '../test/support/node-process.js';
import { ordersFile } from './data.js';
import { timedProcess } from './peers.js';

const args = process.argv.slice(2);
const scale = args.includes('full') ? 'full' : 'small';
const orders = scale === 'full' ? 100_000_000 : 10_000_000;
const customers = scale === 'full' ? 10_000_000 : 1_000_000;
const PARTITIONS = 16;
const LEASE = '5s';
const CLI = join(packageRoot(), 'dist', 'bin', 'cli.js');
const say = (s: string): void => void process.stderr.write(s + '\n');

type Node = RunningNode;

/** A node as the benchmark runs it: a lease of 5 s, checkpoints seldom. */
function startNode(server: NatsServer, name: string, data: string): Promise<Node> {
  return startNodeProcess(server, name, data, ['--lease', LEASE, '--checkpoint-every', '10s']);
}

/** Peak resident memory of a live process (VmHWM), bytes. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** The stream's per-partition last sequence, from the monitoring port. */
async function streamState(server: NatsServer): Promise<{ bytes: number; messages: number }> {
  const j = (await (await fetch(`${server.monitor}/jsz?streams=true`)).json()) as {
    account_details?: { stream_detail?: { name: string; state: { bytes: number; messages: number } }[] }[];
  };
  const s = j.account_details?.[0]?.stream_detail?.find((d) => d.name === 'RFM_ORDERS');
  return s ? s.state : { bytes: NaN, messages: NaN };
}

/** Waits until the nodes hold every partition, each applied up to `messages` applied in all. */
async function caughtUp(nodes: Node[], messages: number): Promise<void> {
  for (;;) {
    const all = await Promise.all(
      nodes.map(async (n) => (await (await fetch(`${n.url}/status`)).json()) as NodeStatus),
    );
    const owned = all.flatMap((s) => s.owned);
    const applied = owned.reduce((t, o) => t + o.applied, 0);
    if (owned.length === PARTITIONS && owned.every((o) => o.state === 'live') && applied === messages) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(n: Node, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (n.child.exitCode !== null || n.child.signalCode !== null) return;
  const exited = new Promise((r) => n.child.once('exit', r));
  n.child.kill(signal);
  await exited;
}

const file = await ordersFile(orders, customers);
const rows: { row: string; value: string; note: string }[] = [];
const add = (row: string, value: string, note: string): void => {
  rows.push({ row, value, note });
  say(`${row}: ${value}  (${note})`);
};

say(`rfm replay ${file} ...`);
const direct = timedProcess(process.execPath, [CLI, 'replay', file]);
const directRate = orders / direct.seconds;
add(
  'direct replay',
  `${direct.seconds.toFixed(2)} s`,
  `${(directRate / 1e6).toFixed(2)} M orders/s, peak RSS ${gib(direct.maxRssBytes)}`,
);

const server = await startNatsServer();
try {
  say('rfm publish ...');
  const published = timedProcess(process.execPath, [
    CLI,
    'publish',
    file,
    '--nats',
    server.url,
    '--partitions',
    String(PARTITIONS),
  ]);
  const stream = await streamState(server);
  add(
    'publish',
    `${(orders / published.seconds / 1e6).toFixed(2)} M orders/s`,
    `${published.seconds.toFixed(2)} s, ${stream.messages} messages, peak RSS ${gib(published.maxRssBytes)}`,
  );
  add(
    'bytes per order on the wire',
    `${(stream.bytes / orders).toFixed(1)} B`,
    `${(stream.bytes / 2 ** 20).toFixed(0)} MiB stored`,
  );

  const dir = tempDir();
  for (const count of [1, 2]) {
    const dirs = Array.from({ length: count }, (_, i) => join(dir, `run${count}-node${i}`));
    const started = performance.now();
    const nodes = await Promise.all(dirs.map((d, i) => startNode(server, `n${count}-${i}`, d)));
    await caughtUp(nodes, stream.messages);
    const seconds = (performance.now() - started) / 1000;
    const rss = nodes.map((n) => peakRss(n.child.pid!));
    add(
      `${count} node${count > 1 ? 's' : ''} / direct replay`,
      `${(orders / seconds / directRate).toFixed(2)}x`,
      `${seconds.toFixed(2)} s to apply the stream, ${(orders / seconds / 1e6).toFixed(2)} M orders/s; ` +
        `node peak RSS ${rss.map(gib).join(', ')}`,
    );
    if (count === 2) {
      // one node killed: the other takes its partitions (it has no checkpoint of them)
      const killed = performance.now();
      await stop(nodes[0], 'SIGKILL');
      await caughtUp([nodes[1]], stream.messages);
      const takeover = (performance.now() - killed) / 1000;
      add(
        'takeover after a kill',
        `${takeover.toFixed(2)} s`,
        `${customers.toExponential(0)} customers: the lease (${LEASE}) runs out, then 8 partitions rebuilt from the stream`,
      );
    }
    for (const n of nodes) await stop(n);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
} finally {
  await server.stop();
}
const out = join(packageRoot(), 'bench', 'cluster-results.json');
writeFileSync(out, JSON.stringify({ scale, orders, customers, partitions: PARTITIONS, rows }, null, 2) + '\n');
say(`wrote ${out}`);

function gib(bytes: number | null): string {
  return bytes === null || Number.isNaN(bytes) ? 'n/a' : `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}
