/**
 * Faults in a cluster of real processes: a node killed with SIGKILL at five random moments
 * while the orders are published and applied, nats-server itself killed once mid-publish;
 * a node stopped with SIGSTOP past its lease, then continued. After each, the union of the
 * nodes' customers is a single machine's replay of the same files: nothing lost, nothing
 * counted twice, no partition held by two nodes.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, inject, test } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { CLI, runCli, tempDir } from '../../support/cli.js';
import type { RunningNode } from '../../support/cluster-nodes.js';
import {
  caughtUp,
  PARTITIONS,
  singleMachineRows,
  startNode,
  statusOf,
  stopNode,
  unionOf,
} from '../../support/cluster-nodes.js';
import { startNatsServer } from '../../support/nats-server.js';
import { ledgerEntry } from '../../support/order-stream.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once the node has applied `target` messages since it started (restored counts
 * aside), or holds partitions all live with nothing pending.
 */
async function appliedInThisLife(n: RunningNode, target: number): Promise<void> {
  const restored = new Map<number, number>();
  const until = Date.now() + 30_000;
  for (;;) {
    const s = await statusOf(n);
    let applied = 0;
    for (const o of s.owned) {
      if (!restored.has(o.partition)) restored.set(o.partition, o.applied);
      applied += o.applied - restored.get(o.partition)!;
    }
    const idle = s.owned.length > 0 && s.owned.every((o) => o.state === 'live' && o.pending === 0);
    if (applied >= target || idle) return;
    if (Date.now() > until) throw new Error(`node applied nothing: ${JSON.stringify(s)} ${n.log()}`);
    await pause(20);
  }
}

/** The single machine's customers of these inputs. */
async function singleOf(inputs: string[], dir: string): Promise<string[]> {
  const out = join(dir, 'single.csv');
  expect((await runCli(['replay', ...inputs, '--customers', out])).code).toBe(0);
  return singleMachineRows(out);
}

test('SIGKILL of a node at 5 random moments and of nats-server mid-publish: the union still the single machine’s', async () => {
  const server = await startNatsServer();
  const dir = tempDir();
  const generated = join(dir, 'generated.arrow');
  expect((await runCli(['generate', '--orders', '400000', '--customers', '40000', '-o', generated])).code).toBe(0);
  const inputs = [inject('cdnowArrow'), generated];
  const single = await singleOf(inputs, dir);
  const moments: number[] = [];
  let a = await startNode(server, 'a', join(dir, 'a'), '2s');
  const b = await startNode(server, 'b', join(dir, 'b'), '2s');
  try {
    const publish = spawn(process.execPath, [CLI, 'publish', ...inputs, '--nats', server.url, '--partitions', '16']);
    let published = '';
    publish.stdout.on('data', (d: Buffer) => (published += d.toString()));
    publish.stderr.on('data', (d: Buffer) => (published += d.toString()));
    const publishExit = new Promise<number | null>((r) => publish.once('exit', r));
    // the server killed mid-publish (a batch of the generated file acknowledged, not all),
    // back after a moment: publish waits and goes on
    const nc = await connect({ servers: server.url });
    try {
      for (;;) {
        const entry = await ledgerEntry(nc).catch(() => undefined);
        if (entry !== undefined && entry.batches >= 1 && !entry.complete) break;
        if (publish.exitCode !== null) throw new Error(`publish ended before the server was killed: ${published}`);
        await pause(5);
      }
    } finally {
      await nc.close();
    }
    await server.stop('SIGKILL');
    await server.restart();
    // each kill once the node has applied a random 1 to 4 messages in this life (or holds
    // partitions with nothing left to apply): a moment of its own work, not of the clock
    for (let k = 0; k < 5; k++) {
      const target = 1 + Math.floor(Math.random() * 4);
      moments.push(target);
      await appliedInThisLife(a, target);
      a.child.kill('SIGKILL');
      await new Promise((r) => a.child.once('exit', r));
      a = await startNode(server, 'a', join(dir, 'a'), '2s');
    }
    expect(await publishExit, published).toBe(0);
    await caughtUp(server, [a, b]);
    expect(await unionOf([a, b]), `kills after ${moments.join(', ')} messages applied`).toEqual(single);
  } finally {
    await stopNode(a);
    await stopNode(b);
    await server.stop();
  }
});

test('a node stopped past its lease steps down when continued: no partition held by two', async () => {
  const server = await startNatsServer();
  const dir = tempDir();
  const inputs = [inject('cdnowArrow')];
  const a = await startNode(server, 'a', join(dir, 'a'), '2s');
  const b = await startNode(server, 'b', join(dir, 'b'), '2s');
  try {
    expect((await runCli(['publish', ...inputs, '--nats', server.url])).code).toBe(0);
    const [before] = await caughtUp(server, [a, b]);
    expect(before.owned).toHaveLength(PARTITIONS / 2);
    a.child.kill('SIGSTOP');
    // b takes a's partitions once their leases run out, and applies what comes meanwhile
    const sample = inject('cdnowSampleArrow');
    expect((await runCli(['publish', sample, '--nats', server.url])).code).toBe(0);
    await caughtUp(server, [b]);
    a.child.kill('SIGCONT');
    // woken, a holds nothing b holds: it found its lease gone before applying anything
    const until = Date.now() + 20_000;
    for (;;) {
      const [sa, sb] = await Promise.all([statusOf(a), statusOf(b)]);
      const held = new Set(sb.owned.map((o) => o.partition));
      expect(sa.owned.filter((o) => held.has(o.partition) && o.state === 'live')).toEqual([]);
      if (sa.owned.length + sb.owned.length === PARTITIONS && sa.owned.length === PARTITIONS / 2) break;
      if (Date.now() > until) throw new Error(`not rebalanced: ${JSON.stringify([sa, sb])}`);
      await pause(100);
    }
    await caughtUp(server, [a, b]);
    expect(await unionOf([a, b])).toEqual(await singleOf([...inputs, sample], dir));
  } finally {
    await stopNode(a);
    await stopNode(b);
    await server.stop();
  }
});
