/**
 * One HTTP server (node:http) with the ws WebSocket server on the same port:
 *   GET /          the dashboard page
 *   POST /ingest   an Arrow IPC stream (or file) body, or CSV (Content-Type text/csv with a
 *                  header customer_id,ts,amount[,kind], ISO times), all or nothing; answers
 *                  { "accepted": n, "rejected": n } of its own rows, or { "error": "..." }:
 *                  400 (nothing applied), 401 (no token), 403 (another origin or host),
 *                  408 (a body too slow), 413 (over the body limit),
 *                  503 (the disk, or shards being put back: Retry-After)
 *   OPTIONS /ingest  an allowed origin's preflight: 204 with its CORS headers
 *   GET /health, /report.html, /predictions  the state; 503 while it is put back after a
 *                  lost shard (Retry-After), or for good once that failed
 *   WebSocket      the live protocol (protocol.ts); a client that takes no data for
 *                  sendTimeoutMs is dropped
 *   anything else  404 (another path), 405 (another method on /ingest); 500 when the report
 *                  or a fit fails, its message in { "error" }
 * With a token, both the socket and /ingest need it: ?token=T or "Authorization: Bearer T".
 * Pages of other origins are kept off the socket and /ingest, and on loopback requests to
 * other names (DNS rebinding) are refused: see Gate.
 * A slow client never slows the engine: it has at most one snapshot in flight and one
 * waiting, the newest (older ones are dropped, never queued).
 * The parts: gate.ts (who may come in), body.ts (the body receiver), ingest.ts, routes.ts,
 * sockets.ts (the upgrade and the clients), replies.ts (every answer and refusal).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RfmError } from '../domain/errors.js';
import type { RunIdentity } from '../engine/checkpoint-dir.js';
import type { DurableFiles } from '../engine/durable-files.js';
import { Gate } from './gate.js';
import { Ingest } from './ingest.js';
import type { LiveEngine } from './live.js';
import { LivePredictions } from './live-predictions.js';
import { routes } from './routes.js';
import { LiveSockets } from './sockets.js';

export interface ServerOptions {
  port: number;
  host: string;
  /** Required on the socket and /ingest when set. */
  token?: string;
  /** Largest client message, bytes (default 4096); larger closes the client. */
  maxPayload?: number;
  /** Ping every this many ms; a client that did not answer the last ping is closed. Default 30,000. */
  heartbeatMs?: number;
  /** Drop a socket client whose snapshot waits unsent this long (it reads nothing). Default 20,000. */
  sendTimeoutMs?: number;
  /** Client messages per second before the client is closed as flooding. Default 20. */
  floodLimit?: number;
  /** Largest /ingest body of any type, bytes (413 beyond it). Default 256 MiB. */
  maxIngestBytes?: number;
  /** Origins besides the server's own whose pages may open the socket and POST /ingest ("*": any). */
  allowOrigins?: string[];
  /** Host names besides the loopback ones a loopback-bound server answers to (a reverse proxy's public name). */
  allowHosts?: string[];
  /**
   * The longest a request's body may take to arrive before it is answered 408 (a body sent a byte a
   * second holds a connection and a file). Default 120 s.
   */
  requestTimeoutMs?: number;
  /**
   * Refit the purchase and spend models this often and push the predictions to clients (GET
   * /predictions refits on demand either way).
   */
  predictEveryMs?: number;
  /** rfm serve --data: log every request before it is answered, checkpoint, and restore on start (request-log.ts). */
  data?: { dir: string; identity: RunIdentity; checkpointEveryMs?: number; files?: DurableFiles };
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(live: LiveEngine, o: ServerOptions): Promise<RunningServer> {
  const gate = new Gate(o);
  const predictions = new LivePredictions(() => live.engine);
  const ingest = await Ingest.open(live, {
    maxBytes: o.maxIngestBytes ?? 256 * 2 ** 20,
    timeoutMs: o.requestTimeoutMs ?? 120_000,
    data: o.data,
  });
  const http = createServer(routes({ live, gate, predictions, ingest }));
  const sockets = new LiveSockets(live, gate, predictions, o);
  http.on('upgrade', (req, socket, head) => sockets.upgrade(req, socket, head));

  await new Promise<void>((resolve, reject) => {
    http.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new RfmError(
          'RFM_ERR_OPTION',
          e.code === 'EADDRINUSE'
            ? `port ${o.port} on ${o.host} is taken; choose another with --port`
            : `cannot listen on ${o.host}:${o.port}: ${e.message}`,
        ),
      ),
    );
    http.listen(o.port, o.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    async close() {
      // a last checkpoint: the next start need not apply the log again
      await ingest.log
        ?.checkpoint()
        .catch((e: unknown) => process.stderr.write(`rfm: the last checkpoint failed: ${(e as Error).message}\n`));
      sockets.close();
      await new Promise<void>((r) => http.close(() => r()));
      await ingest.close();
    },
  };
}
