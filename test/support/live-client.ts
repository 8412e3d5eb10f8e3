/** A real ws client that collects the server's messages and waits for the ones a test needs. */
import WebSocket from 'ws';
import type { ServerMessage, SnapshotMessage } from '../../src/server/protocol.js';

export class LiveClient {
  readonly messages: ServerMessage[] = [];
  private waiters: { test: (m: ServerMessage) => boolean; done: (m: ServerMessage) => void }[] = [];
  closed: { code: number; reason: string } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as ServerMessage;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.test(m) ? (w.done(m), false) : true));
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  static connect(url: string, headers?: Record<string, string>): Promise<LiveClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new LiveClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** The first message (already received or to come) that passes the test. */
  next<T extends ServerMessage>(test: (m: ServerMessage) => boolean, timeoutMs = 20_000): Promise<T> {
    const seen = this.messages.find(test);
    if (seen) return Promise.resolve(seen as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such message within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ test, done: (m) => (clearTimeout(timer), resolve(m as T)) });
    });
  }

  snapshotWhere(test: (s: SnapshotMessage) => boolean, timeoutMs?: number): Promise<SnapshotMessage> {
    return this.next<SnapshotMessage>((m) => m.type === 'snapshot' && test(m), timeoutMs);
  }

  close(): void {
    this.ws.close();
  }
}
