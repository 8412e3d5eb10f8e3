/**
 * The WebSocket side of the server: the upgrade (behind the gate), each client's messages
 * (flood limit, snapshot requests), snapshots and predictions pushed to every client, the
 * heartbeat that cuts a client that answers no ping, and the watch that drops one whose
 * snapshot waits unsent past sendTimeoutMs (each held some MB of socket buffers for good).
 * A slow client never slows the engine: it has at most one snapshot in flight and one
 * waiting, the newest (client.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { Client } from './client.js';
import type { Gate } from './gate.js';
import type { LivePredictions } from './live-predictions.js';
import type { LiveEngine } from './live.js';
import type { SnapshotMessage } from './protocol.js';
import { refuseUpgrade } from './replies.js';

export interface SocketOptions {
  /** Largest client message, bytes (default 4096); larger closes the client. */
  maxPayload?: number;
  /** Ping every this many ms; a client that did not answer the last ping is closed. Default 30,000. */
  heartbeatMs?: number;
  /** Drop a socket client whose snapshot waits unsent this long (it reads nothing). Default 20,000. */
  sendTimeoutMs?: number;
  /** Client messages per second before the client is closed as flooding. Default 20. */
  floodLimit?: number;
  /** Refit the models this often and push the predictions to clients. */
  predictEveryMs?: number;
}

/** A snapshot's JSON, made once however many clients get it. */
const texts = new WeakMap<SnapshotMessage, string>();
function textOf(s: SnapshotMessage): string {
  let text = texts.get(s);
  if (text === undefined) texts.set(s, (text = JSON.stringify(s)));
  return text;
}

export class LiveSockets {
  private readonly clients = new Set<Client>();
  private readonly wss: WebSocketServer;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribe: () => void;
  private dropped = 0;

  constructor(
    private readonly live: LiveEngine,
    private readonly gate: Gate,
    private readonly predictions: LivePredictions,
    private readonly o: SocketOptions,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayload ?? 4096 });
    this.wss.on('connection', (ws: WebSocket) => this.connected(ws));
    this.unsubscribe = live.onSnapshot((s) => {
      const text = textOf(s);
      for (const c of this.clients) c.offer(text);
    });
    this.timers.push(setInterval(() => this.beat(), o.heartbeatMs ?? 30_000));
    const sendTimeout = o.sendTimeoutMs ?? 20_000;
    this.timers.push(setInterval(() => this.dropStalled(sendTimeout), Math.min(1000, sendTimeout)));
    // the models refitted every predictEveryMs, when the state changed, and pushed to every client
    if (o.predictEveryMs !== undefined) this.timers.push(setInterval(() => this.pushPredictions(), o.predictEveryMs));
  }

  /** The server's 'upgrade' handler: the gate's refusals, else a client. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refused = this.gate.refusal(req) ?? this.gate.originRefusal(req);
    if (refused !== null) refuseUpgrade(socket, 403, refused);
    else if (!this.gate.authorized(req)) refuseUpgrade(socket, 401, 'a token is required');
    else this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  private connected(ws: WebSocket): void {
    const client = new Client(ws);
    this.clients.add(client);
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => ws.terminate());
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      if (!client.withinLimit(this.o.floodLimit ?? 20)) {
        ws.close(1008, 'too many messages');
        return;
      }
      let message: unknown = null;
      try {
        message = isBinary ? null : JSON.parse(data.toString());
      } catch {
        message = null;
      }
      if (message && typeof message === 'object' && (message as { type?: unknown }).type === 'snapshot') {
        this.offerCurrent(client);
      } else {
        client.send({ type: 'error', message: 'unknown message: send {"type":"snapshot"} to get the latest snapshot' });
      }
    });
    client.send(this.live.hello);
    client.send(this.live.history());
    if (this.predictions.current !== null) client.send(this.predictions.current);
    this.offerCurrent(client);
  }

  private offerCurrent(client: Client): void {
    void this.live.current().then(
      (s) => client.offer(textOf(s)),
      () => undefined,
    );
  }

  private beat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  private dropStalled(sendTimeout: number): void {
    const now = Date.now();
    for (const c of this.clients) {
      if (!c.stalled(sendTimeout, now)) continue;
      c.ws.terminate();
      this.clients.delete(c);
      this.dropped++;
      process.stderr.write(
        `rfm: dropped a socket client that took no data for ${(sendTimeout / 1000).toFixed(0)} s ` +
          `(${this.dropped.toLocaleString('en-US')} so far)\n`,
      );
    }
  }

  private pushPredictions(): void {
    const before = this.predictions.current;
    void this.predictions.refit().then(
      (p) => {
        if (p !== before) for (const c of this.clients) c.send(p);
      },
      (e: unknown) => process.stderr.write(`rfm: the prediction refit failed: ${(e as Error).message}\n`),
    );
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.unsubscribe();
    for (const c of this.clients) c.ws.terminate();
    this.wss.close();
  }
}
