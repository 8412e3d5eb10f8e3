/**
 * POST /ingest on a node of a real cluster: answered only after JetStream's ack; the same
 * body retried with its Idempotency-Key on another node, after the first was killed, counts
 * once; with the server down the answer is 503 and nothing is taken. And what another
 * producer may put on the stream: counted, copied to the dead letters, passed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { expect, test } from 'vitest';
import { allocColumnBatch } from '../../../src/batch/column-batch.js';
import { encodeRows, rowsByPartition } from '../../../src/cluster/batch-message.js';
import { DEAD_STREAM, subjectOf } from '../../../src/cluster/order-stream.js';
import { runCli, tempDir } from '../../support/cli.js';
import { caughtUp, singleMachineRows, startNode, stopNode, unionOf } from '../../support/cluster-nodes.js';
import { startNatsServer } from '../../support/nats-server.js';

/** A CSV of orders: 3,000 rows of 400 customers over 2025. */
function ordersCsv(): string {
  let seed = 42;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const lines = ['customer_id,ts,amount'];
  for (let i = 0; i < 3000; i++) {
    const t = Date.UTC(2025, 0, 1) + Math.floor(next() * 360) * 86_400_000 + Math.floor(next() * 86_400_000);
    lines.push(`${1 + Math.floor(next() * 400)},${new Date(t).toISOString()},${(5 + next() * 200).toFixed(2)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The body replayed on one machine: its customer list's state columns. */
async function singleMachine(dir: string, body: string): Promise<string[]> {
  const file = join(dir, 'orders.csv');
  writeFileSync(file, body);
  const out = join(dir, 'single.csv');
  expect((await runCli(['replay', file, '--customers', out])).code).toBe(0);
  return singleMachineRows(out);
}

async function post(
  url: string,
  body: string,
  key?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${url}/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body,
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

test('a POST retried with its key on another node, after the first was killed, counts once; a server down is a 503', async () => {
  const server = await startNatsServer();
  const dir = tempDir();
  const body = ordersCsv();
  const single = await singleMachine(dir, body);
  expect(single).toHaveLength(400);

  const a = await startNode(server, 'a', join(dir, 'a'), '2s', ['--nats-timeout', '2']);
  const b = await startNode(server, 'b', join(dir, 'b'), '2s', ['--nats-timeout', '2']);
  try {
    const first = await post(a.url, body, 'order-batch-7');
    expect(first.status).toBe(200);
    expect(first.body.accepted).toBe(3000);
    expect(first.body.duplicates).toBe(0);
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
    // the client, not knowing whether the first was taken, sends it again elsewhere
    const again = await post(b.url, body, 'order-batch-7');
    expect(again.status).toBe(200);
    expect(again.body.messages).toBeGreaterThan(0);
    expect(again.body.duplicates).toBe(again.body.messages);
    await caughtUp(server, [b]);
    expect(await unionOf([b])).toEqual(single);

    // no server: not taken, and said so; nothing of it applied once the server is back
    await server.stop();
    const down = await post(b.url, body, 'order-batch-8');
    expect(down.status).toBe(503);
    expect(String(down.body.error)).toContain('retry with the same Idempotency-Key');
    await server.restart();
    await caughtUp(server, [b]);
    expect(await unionOf([b])).toEqual(single);
  } finally {
    await stopNode(a);
    await stopNode(b);
    await server.stop();
  }
});

test('messages no engine reads are counted with their place, copied to the dead letters, and passed', async () => {
  const server = await startNatsServer();
  const dir = tempDir();
  const body = ordersCsv();
  const single = await singleMachine(dir, body);
  const node = await startNode(server, 'a', join(dir, 'a'), '2s');
  const nc = await connect({ servers: server.url });
  try {
    // another producer's bytes, another schema, and rows of customers of another partition
    const js = jetstream(nc);
    const wrong = tableToIPC(tableFromArrays({ sku: Int32Array.from([1, 2]) }), 'stream');
    const { batch } = allocColumnBatch({ numRows: 40, idMode: 'int', idBytesLen: 0 });
    for (let i = 0; i < 40; i++) {
      batch.idWords![2 * i] = 1000 + i;
      batch.ts[i] = Date.UTC(2025, 5, 1);
      batch.amount[i] = 10;
    }
    const elsewhere = [...rowsByPartition(batch, 16)].find(([p]) => p !== 3)!;
    const seqs: number[] = [];
    for (const bytes of [new TextEncoder().encode('not arrow at all'), wrong, encodeRows(batch, elsewhere[1], false)])
      seqs.push((await js.publish(subjectOf(3), bytes)).seq);
    // then orders as usual: the partition goes on past them
    expect((await post(node.url, body)).status).toBe(200);
    const [status] = await caughtUp(server, [node]);
    expect(status.deadLetters.count).toBe(3);
    expect(status.deadLetters.latest.map((d) => [d.partition, d.seq])).toEqual(seqs.map((s) => [3, s]));
    expect(status.deadLetters.latest[2].reason).toContain('rows of partition');
    expect(await unionOf([node])).toEqual(single);
    const dead = await (await jetstreamManager(nc)).streams.info(DEAD_STREAM);
    expect(dead.state.messages).toBe(3);
  } finally {
    await nc.close();
    await stopNode(node);
    await server.stop();
  }
});
