/**
 * Real `rfm node` processes for the cluster tests: started, asked, waited for, stopped.
 */
import { readFileSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { expect } from 'vitest';
import { STREAM, subjectOf } from '../../src/cluster/order-stream.js';
import type { NodeStatus } from '../../src/cluster/node.js';
import type { NatsServer } from './nats-server.js';
import { startNode as startNodeProcess } from './node-process.js';
import type { RunningNode } from './node-process.js';

export const PARTITIONS = 16;

export type { RunningNode } from './node-process.js';

/** `rfm node` for a test: a short lease, a checkpoint a second. */
export function startNode(
  server: NatsServer,
  name: string,
  data: string,
  lease = '3s',
  extra: string[] = [],
): Promise<RunningNode> {
  return startNodeProcess(server, name, data, ['--lease', lease, '--checkpoint-every', '1s', ...extra]);
}

export async function statusOf(n: RunningNode): Promise<NodeStatus> {
  return (await (await fetch(`${n.url}/status`)).json()) as NodeStatus;
}

/** The stream's last sequence on each partition's subject (0: none). */
export async function lastSequences(server: NatsServer): Promise<number[]> {
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    const out: number[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const m = await jsm.streams.getMessage(STREAM, { last_by_subj: subjectOf(p) }).catch(() => null);
      out.push(m?.seq ?? 0);
    }
    return out;
  } finally {
    await nc.close();
  }
}

/**
 * Waits until the nodes between them hold every partition once, each a fair share (at most
 * ceil(P / nodes)), each partition applied to the stream's end.
 */
export async function caughtUp(server: NatsServer, nodes: RunningNode[]): Promise<NodeStatus[]> {
  const last = await lastSequences(server);
  const until = Date.now() + 45_000;
  for (;;) {
    const all = await Promise.all(nodes.map(statusOf)).catch((e: Error) => {
      throw new Error(`a node does not answer (${e.message}): ${nodes.map((n) => n.log()).join('\n')}`);
    });
    const owned = all.flatMap((s) => s.owned);
    const done =
      owned.length === PARTITIONS &&
      new Set(owned.map((o) => o.partition)).size === PARTITIONS &&
      owned.every((o) => o.state === 'live' && o.lastSeq === last[o.partition]) &&
      all.every((s) => s.owned.length <= Math.ceil(PARTITIONS / nodes.length));
    if (done) return all;
    if (Date.now() > until)
      throw new Error(`not caught up: ${JSON.stringify(all)} ${nodes.map((n) => n.log()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The union of the nodes' customer lists, sorted. */
export async function unionOf(nodes: RunningNode[]): Promise<string[]> {
  const lines: string[] = [];
  for (const n of nodes) {
    const text = await (await fetch(`${n.url}/customers.csv`)).text();
    const [header, ...rows] = text.trimEnd().split('\n');
    expect(header).toBe('customer_id,orders,purchase_days,spend,first_ts,last_ts');
    lines.push(...rows.filter((r) => r !== ''));
  }
  return lines.sort();
}

export async function stopNode(n: RunningNode): Promise<number | null> {
  // ended already (a kill's exit has no code but a signal)
  if (n.child.exitCode !== null || n.child.signalCode !== null) return n.child.exitCode;
  const exited = new Promise<number | null>((r) => n.child.once('exit', r));
  n.child.kill('SIGTERM');
  return exited;
}

/** The state columns of a single machine's customer list (rfm replay --customers FILE), sorted. */
export function singleMachineRows(file: string): string[] {
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').slice(0, 6).join(','))
    .sort();
}
