/**
 * `rfm node --nats URL --data DIR [--port PORT]`: an engine instance of the cluster
 * (src/cluster/node.ts). It runs until SIGTERM or SIGINT, then checkpoints, hands its
 * partitions back and exits 0.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { connectNats, natsOptions } from '../cluster/nats-connection.js';
import type { NatsOptions } from '../cluster/nats-connection.js';
import { ClusterNode } from '../cluster/node.js';
import { NodeIngest } from '../cluster/node-ingest.js';
import { Publisher } from '../cluster/publisher.js';
import { openOrderStream } from '../cluster/order-stream.js';
import { RfmError } from '../domain/errors.js';
import { Engine } from '../engine/engine.js';
import type { CoreName } from '../engine/shard-host.js';
import { loadDefaultModel } from '../model/model.js';
import { action } from './errors.js';
import { duration, oneOf, wholeNumber } from './options.js';

interface NodeCommandOptions extends NatsOptions {
  data: string;
  port: number;
  host: string;
  nodeId?: string;
  lease?: number;
  checkpointEvery?: number;
  core: CoreName;
  maxBody: number;
}

export function nodeCommand(program: Command): void {
  const cmd = program
    .command('node')
    .description(
      'an engine instance of the cluster: applies the partitions of the order stream its leases give it, ' +
        'checkpoints them in --data, publishes POST /ingest to the stream, and tells what it holds over HTTP ' +
        '(/status, /customers.csv)',
    )
    .requiredOption('--data <dir>', "this node's checkpoints (its own directory)")
    .option('--port <n>', 'HTTP port (0: any free one)', wholeNumber('--port', 0, 65535), 8090)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--node-id <id>', "this node's name in the leases (default: host name and a random suffix)")
    .option('--lease <duration>', 'how long a lease holds without renewal (default 5s)', duration('--lease'))
    .option('--checkpoint-every <duration>', 'checkpoint the partitions this often', duration('--checkpoint-every'))
    .option('--core <name>', 'kernel: wasm or js', oneOf('--core', ['wasm', 'js'] as const), 'wasm')
    .option(
      '--max-body <mib>',
      'largest POST /ingest body, MiB (413 beyond it)',
      wholeNumber('--max-body', 1, 4096),
      256,
    );
  natsOptions(cmd).action(action(runNode));
}

async function runNode(o: NodeCommandOptions): Promise<void> {
  // 5 s: a killed node's partitions are taken within the lease plus their rebuild (at 10^6
  // customers 7.6 s in all, bench/NOTES.md 71), renewals every 1.7 s cost the server nothing
  const leaseMs = o.lease ?? 5000;
  if (leaseMs < 1000) throw new RfmError('RFM_ERR_OPTION', '--lease must be 1s or more');
  const id = o.nodeId ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
  if (!/^[A-Za-z0-9_-]+$/.test(id))
    throw new RfmError('RFM_ERR_OPTION', `--node-id ${id}: letters, digits, - and _ only (it is a key in the leases)`);
  const nc = await connectNats(o, `rfm node ${id}`);
  const stream = await openOrderStream(nc, undefined);
  const model = loadDefaultModel();
  const timeoutMs = o.natsTimeout * 1000;
  const ingest = new NodeIngest(
    new Publisher(nc, stream, nc.info?.max_payload ?? 1 << 20, timeoutMs),
    o.maxBody * 2 ** 20,
    60_000,
  );
  const node = new ClusterNode(nc, stream, {
    id,
    ingest,
    dataDir: o.data,
    leaseMs,
    checkpointEveryMs: o.checkpointEvery ?? 5000,
    engineOf: () => new Engine({ workers: 0, core: o.core, model }),
  });
  const url = await node.start(o.host, o.port);
  process.stdout.write(`rfm node ${id}: ${stream.partitions} partitions in the stream; live at ${url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await node.stop();
  await nc.close();
  process.stdout.write(`rfm node ${id}: stopped; its partitions handed back\n`);
}
