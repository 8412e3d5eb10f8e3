/**
 * An engine instance of the cluster: the partitions its leases give it, each applied by a
 * PartitionRunner, checkpointed together on a timer into the node's data directory; what it
 * holds, told over HTTP (/status, /customers.csv). A stop hands every partition back after
 * its last checkpoint, so another node takes it at once instead of after a lease.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Engine } from '../engine/engine.js';
import { csvField, customerIdOf } from '../report/customers-csv.js';
import { isoIn } from '../sources/carts/zone-time.js';
import { LEASE_BUCKET, Leases } from './leases.js';
import type { NodeIngest } from './node-ingest.js';
import type { OrderStream } from './order-stream.js';
import { PartitionRunner } from './partition-runner.js';
import type { DeadLetter, PartitionStatus } from './partition-runner.js';

export interface NodeOptions {
  id: string;
  /** Where POST /ingest publishes, or null: the node takes no POSTs. */
  ingest: NodeIngest | null;
  dataDir: string;
  leaseMs: number;
  checkpointEveryMs: number;
  /** A fresh engine for a partition. */
  engineOf: () => Engine;
}

export interface NodeStatus {
  node: string;
  partitions: number;
  owned: PartitionStatus[];
  deadLetters: { count: number; latest: DeadLetter[] };
}

/** The columns of /customers.csv: a customer's state, which does not depend on the other nodes. */
export const STATE_COLUMNS = ['customer_id', 'orders', 'purchase_days', 'spend', 'first_ts', 'last_ts'] as const;

export class ClusterNode {
  private readonly runners = new Map<number, PartitionRunner>();
  /** Runners stopping, by partition: one that follows on this node starts after. */
  private readonly stopping = new Map<number, Promise<void>>();
  private readonly dead: DeadLetter[] = [];
  private deadCount = 0;
  private leases: Leases | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checkpointing: Promise<void> = Promise.resolve();
  private http: Server | null = null;

  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: OrderStream,
    private readonly o: NodeOptions,
  ) {}

  /** Takes part in the leases; serves HTTP on the port (0: any); resolves with the address. */
  async start(host: string, port: number): Promise<string> {
    const kv = await new Kvm(this.nc).create(LEASE_BUCKET, { history: 1 });
    const js = jetstream(this.nc);
    const leases = new Leases(kv, this.o.id, this.stream.partitions, this.o.leaseMs, {
      gained: (p, epoch) => {
        this.runners.set(
          p,
          new PartitionRunner(
            p,
            epoch,
            this.o.engineOf(),
            this.o.dataDir,
            this.stream.partitions,
            js,
            () => leases.holds(p),
            (d) => this.deadLetter(d),
            (m) => process.stderr.write(`rfm node ${this.o.id}: ${m}\n`),
            this.stopping.get(p),
          ),
        );
      },
      lost: (p) => {
        const r = this.runners.get(p);
        if (r === undefined) return;
        this.runners.delete(p);
        const stopped = r.stop(false).catch((e: Error) => {
          process.stderr.write(`rfm node ${this.o.id}: partition ${p}: ${e.message}\n`);
        });
        this.stopping.set(p, stopped);
        void stopped.finally(() => {
          if (this.stopping.get(p) === stopped) this.stopping.delete(p);
        });
      },
    });
    this.leases = leases;
    leases.start();
    // after a reconnection the server's consumers may be gone (a restarted server drops
    // them): every partition reads again from its own last sequence, instead of waiting for
    // missed heartbeats to tell
    void (async () => {
      for await (const s of this.nc.status())
        if (s.type === 'reconnect') for (const r of this.runners.values()) r.restartConsumer();
    })().catch(() => undefined);
    const every = (): void => {
      this.checkpointing = this.checkpointAll().catch((e: Error) => {
        process.stderr.write(`rfm node ${this.o.id}: ${e.message}\n`);
      });
      void this.checkpointing.then(() => {
        if (this.timer !== null) this.timer = setTimeout(every, this.o.checkpointEveryMs);
      });
    };
    this.timer = setTimeout(every, this.o.checkpointEveryMs);
    this.http = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'POST' && path === '/ingest' && this.o.ingest !== null) {
        void this.o.ingest.answer(req, res);
        return;
      }
      void this.answer(req.url ?? '/', res).catch((e: Error) => {
        res.statusCode = 500;
        res.end(`${e.message}\n`);
      });
    });
    await new Promise<void>((r) => this.http!.listen(port, host, r));
    const a = this.http.address() as { port: number };
    return `http://${host.includes(':') ? `[${host}]` : host}:${a.port}`;
  }

  private deadLetter(d: DeadLetter): void {
    this.deadCount++;
    this.dead.push(d);
    if (this.dead.length > 100) this.dead.shift();
    process.stderr.write(
      `rfm node ${this.o.id}: partition ${d.partition}, message ${d.seq}: not a batch rfmstream reads (${d.reason}); ` +
        'counted, copied to the dead letters, and passed\n',
    );
  }

  private async checkpointAll(): Promise<void> {
    for (const r of [...this.runners.values()]) await r.checkpoint();
  }

  status(): NodeStatus {
    return {
      node: this.o.id,
      partitions: this.stream.partitions,
      owned: [...this.runners.values()].map((r) => r.status()).sort((a, b) => a.partition - b.partition),
      deadLetters: { count: this.deadCount, latest: [...this.dead] },
    };
  }

  /** Every customer of the partitions held: the state columns, one CSV line each. */
  async customerLines(): Promise<string[]> {
    const lines: string[] = [];
    for (const r of [...this.runners.values()]) {
      const exp = await r.engine.customers('exact');
      for (const rows of exp.parts) {
        for (let i = 0; i < rows.numRows; i++) {
          const has = rows.orders[i] > 0;
          lines.push(
            [
              csvField(customerIdOf(rows, i, exp.unsignedIds)),
              String(rows.orders[i]),
              String(rows.purchaseDays[i]),
              String(Math.round(rows.spend[i] * 100) / 100),
              has ? isoIn(rows.firstTs[i], 'UTC') : '',
              has ? isoIn(rows.lastTs[i], 'UTC') : '',
            ].join(','),
          );
        }
      }
    }
    return lines;
  }

  private async answer(url: string, res: import('node:http').ServerResponse): Promise<void> {
    const path = url.split('?')[0];
    if (path === '/status') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(this.status()));
    } else if (path === '/customers.csv') {
      const lines = await this.customerLines();
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.end(`${STATE_COLUMNS.join(',')}\n${lines.map((l) => `${l}\n`).join('')}`);
    } else {
      res.statusCode = 404;
      res.end('rfm node: GET /status or /customers.csv, POST /ingest\n');
    }
  }

  /** A graceful stop: no more messages applied, a last checkpoint of each partition, every lease handed back. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.checkpointing;
    const runners = [...this.runners.values()];
    this.runners.clear();
    for (const r of runners) await r.stop(true);
    await Promise.all([...this.stopping.values()]);
    await this.leases?.stop(true);
    await new Promise((r) => this.http?.close(r) ?? r(undefined));
    await this.o.ingest?.close();
  }
}
