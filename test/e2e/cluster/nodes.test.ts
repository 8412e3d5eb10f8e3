/**
 * rfm node against a real nats-server, real node processes: CDNOW and a generated history of
 * 10^6 orders published in 16 partitions, applied by two nodes; the union of their customers
 * is a single machine's replay of the same files, row for row. Each node holds a fair share,
 * and a node stopped hands its partitions to the other.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { runCli, tempDir } from '../../support/cli.js';
import { caughtUp, PARTITIONS, singleMachineRows, startNode, stopNode, unionOf } from '../../support/cluster-nodes.js';
import { startNatsServer } from '../../support/nats-server.js';
import type { NatsServer } from '../../support/nats-server.js';

let server: NatsServer;
let single: string[];
let dir: string;

beforeAll(async () => {
  server = await startNatsServer();
  dir = tempDir();
  const generated = join(dir, 'generated.arrow');
  expect((await runCli(['generate', '--orders', '1000000', '--customers', '50000', '-o', generated])).code).toBe(0);
  const inputs = [inject('cdnowArrow'), generated];
  const published = await runCli(['publish', ...inputs, '--nats', server.url, '--partitions', String(PARTITIONS)]);
  expect(published.stderr).not.toContain('RFM_ERR');
  expect(published.code).toBe(0);
  // the single machine: the same files replayed, its customer list's state columns
  const out = join(dir, 'single.csv');
  const replay = await runCli(['replay', ...inputs, '--customers', out]);
  expect(replay.code).toBe(0);
  single = singleMachineRows(out);
  expect(single.length).toBeGreaterThan(50_000);
});

afterAll(async () => {
  await server.stop();
});

test('two nodes share 16 partitions; their customers together are the single machine’s, row for row', async () => {
  const a = await startNode(server, 'a', join(dir, 'node-a'));
  const b = await startNode(server, 'b', join(dir, 'node-b'));
  try {
    const statuses = await caughtUp(server, [a, b]);
    // a fair share each: eight and eight
    expect(statuses.map((s) => s.owned.length)).toEqual([8, 8]);
    expect(await unionOf([a, b])).toEqual(single);

    // a stopped node hands its partitions over: the other holds all, and the union holds
    expect(await stopNode(a)).toBe(0);
    expect(a.log()).toContain('handed back');
    const [alone] = await caughtUp(server, [b]);
    expect(alone.owned).toHaveLength(PARTITIONS);
    expect(await unionOf([b])).toEqual(single);
  } finally {
    await stopNode(a);
    await stopNode(b);
  }
});
