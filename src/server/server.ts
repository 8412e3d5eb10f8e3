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
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConvertedInput } from '../batch/converted.js';
import { RfmError } from '../domain/errors.js';
import { headlines } from '../report/headlines.js';
import { htmlReport } from '../report/html-report.js';
import { readArrow } from '../sources/arrow/source.js';
import { readCsv } from '../sources/csv/source.js';
import { DEFAULT_CSV_OPTIONS } from '../sources/csv/plain-reader.js';
import { newImportStats } from '../sources/import-stats.js';
import type { RunIdentity } from '../engine/checkpoint-dir.js';
import type { DurableFiles } from '../engine/durable-files.js';
import { dashboardPage } from './dashboard-page.js';
import { DiskError, RequestLog } from './request-log.js';
import { LivePredictions } from './live-predictions.js';
import type { BodyKind, ConvertBody, IngestAnswer } from './request-log.js';
import type { LiveEngine } from './live.js';
import type { SnapshotMessage } from './protocol.js';
import { Client } from './client.js';

/** The page's icon: a bar of the four group colours. */
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect ' +
  'width="4" height="16" fill="#0072B2"/><rect x="4" width="4" ' +
  'height="16" fill="#56B4E9"/><rect x="8" width="4" height="16" ' +
  'fill="#E69F00"/><rect x="12" width="4" height="16" ' +
  'fill="#D55E00"/></svg>';

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

/** A snapshot's JSON, made once however many clients get it. */
const texts = new WeakMap<SnapshotMessage, string>();
function textOf(s: SnapshotMessage): string {
  let text = texts.get(s);
  if (text === undefined) texts.set(s, (text = JSON.stringify(s)));
  return text;
}

const digestOf = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Who may come in: with a token, only a request that has it (compared in constant time, by
 * digest, so neither its bytes nor its length leak through timing); a browser's page only
 * from the server's own origin or an allowed one (any page the merchant visits could
 * otherwise read the live segments or POST orders: a form's text/plain POST needs no
 * preflight); and, bound to loopback, only a request addressed to a loopback name (a DNS
 * rebinding page has the attacker's name in Host).
 */
class Gate {
  private readonly token: Buffer | null;
  private readonly loopback: boolean;
  private readonly origins: Set<string>;
  private readonly hosts: Set<string>;

  constructor(o: ServerOptions) {
    this.token = o.token === undefined ? null : digestOf(o.token);
    this.loopback = isLoopback(o.host);
    this.origins = new Set(o.allowOrigins ?? []);
    this.hosts = new Set((o.allowHosts ?? []).map((h) => h.toLowerCase()));
  }

  authorized(req: IncomingMessage): boolean {
    if (this.token === null) return true;
    const given = tokenOf(req);
    return given !== null && timingSafeEqual(digestOf(given), this.token);
  }

  /** Null when the request may be served, else why not (403). */
  refusal(req: IncomingMessage): string | null {
    const host = req.headers.host ?? '';
    const name = hostnameOf(host).toLowerCase();
    if (this.loopback && !isLoopback(name) && !this.hosts.has(name)) {
      return `this server listens on loopback and answers to localhost names only, not "${host}" (a page reaching it by another name may be a DNS rebinding attack; behind a reverse proxy, rfm serve --allow-host ${name || 'NAME'}; --host ADDR to serve a network)`;
    }
    return null;
  }

  /** Null when a page of the request's origin may use the socket or /ingest, else why not (403). */
  originRefusal(req: IncomingMessage): string | null {
    const origin = req.headers.origin;
    // not a browser's page (curl, a script): the token, if any, is what guards it
    if (origin === undefined || this.origins.has('*') || this.origins.has(origin)) return null;
    let same = false;
    try {
      same = new URL(origin).host === req.headers.host;
    } catch {
      same = false;
    }
    return same ? null : `a page of ${origin} may not use this server; rfm serve --allow-origin ${origin} lets it`;
  }
}

function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The name in a Host header, without its port. */
function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

function tokenOf(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  return new URL(req.url ?? '/', 'http://x').searchParams.get('token');
}

/** An error message as a reply carries it: printable, and short (a corrupt body's bytes can reach one). */
function fitForReply(message: string): string {
  const s = message.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');
  return s.length > 300 ? s.slice(0, 300) + '...' : s;
}

/** A request the server refuses with a status of its own (413: too large). */
class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The body into a file; over `limit` bytes (declared or sent) it is refused with 413, whatever its type. */
async function receive(req: IncomingMessage, file: string, limit: number, timeoutMs: number): Promise<void> {
  const tooLarge = (): RequestError =>
    new RequestError(
      413,
      `the body is larger than the limit of ${limit.toLocaleString('en-US')} bytes (rfm serve --max-body); send it in parts`,
    );
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const out = createWriteStream(file);
  let writeError: Error | null = null;
  out.on('error', (e) => (writeError ??= e));
  const diskError = (e: Error): DiskError =>
    new DiskError(`cannot keep the request body on disk (${e.message}); nothing of it was applied: retry it later`);
  try {
    await new Promise<void>((resolve, reject) => {
      let bytes = 0;
      let ended = false;
      const onData = (chunk: Buffer): void => {
        bytes += chunk.length;
        if (bytes > limit) {
          // paused, not destroyed: the answer goes out on this socket (refuseUnread)
          req.off('data', onData);
          req.pause();
          reject(tooLarge());
        } else if (!out.write(chunk)) {
          req.pause();
          out.once('drain', () => bytes <= limit && req.resume());
        }
      };
      req.on('data', onData);
      const late = setTimeout(() => {
        req.off('data', onData);
        req.pause();
        reject(
          new RequestError(
            408,
            `the body took longer than ${Math.round(timeoutMs / 1000)} s to arrive; send it faster, or in parts`,
          ),
        );
      }, timeoutMs);
      req.once('end', () => {
        ended = true;
        clearTimeout(late);
        resolve();
      });
      req.once('close', () => {
        clearTimeout(late);
        if (!ended)
          reject(new RfmError('RFM_ERR_INPUT', 'the request body ended before its end (the client went away)'));
      });
      out.once('error', (e) => reject(diskError(e)));
    });
  } finally {
    // every byte written, or the write's error: a full disk must not pass for a short body
    await new Promise<void>((r) => {
      if (out.destroyed) r();
      else out.end(() => r());
      out.once('close', () => r());
    });
  }
  if (writeError !== null) throw diskError(writeError);
}

/**
 * Answers a request refused before its body was read: the client may still be sending, and
 * a socket closed under it resets the connection before the answer is read. So the rest is
 * read and dropped, for a few seconds at most, and the connection closed after the answer.
 */
function refuseUnread(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  res.setHeader('connection', 'close');
  json(res, status, body);
  req.resume();
  const stop = setTimeout(() => req.destroy(), 5000);
  req.once('end', () => clearTimeout(stop));
  req.once('close', () => clearTimeout(stop));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body) + '\n');
}

export async function startServer(live: LiveEngine, o: ServerOptions): Promise<RunningServer> {
  const clients = new Set<Client>();
  const predictions = new LivePredictions(() => live.engine);
  const gate = new Gate(o);
  /**
   * A body converted whole before a row of it is applied (all or nothing: a bad quote on the
   * last line, a truncated Arrow stream, leaves the state as it was); the answer counts this
   * request's rows, from its own batches, not the engine's counters others move meanwhile.
   */
  const convert: ConvertBody = async (file, kind) => {
    const engine = live.engine;
    const batches: ConvertedInput[] = [];
    let leftOut = 0;
    try {
      if (kind === 'csv') {
        const stats = newImportStats();
        for await (const c of readCsv(file, DEFAULT_CSV_OPTIONS, engine.sourceOptions(), stats)) batches.push(c);
        leftOut = stats.badFieldCounts;
      } else {
        // untrusted Arrow goes through the watched reading thread
        for await (const b of readArrow(file, {
          ...engine.sourceOptions(),
          keepRejects: false,
          stallMs: 5000,
          label: 'the request body',
        }))
          batches.push(b);
      }
    } catch (e) {
      for (const b of batches) for (const part of b.parts) engine.pool.give(part.buffer);
      throw e;
    }
    const answer = { accepted: 0, rejected: leftOut };
    for (const b of batches) {
      answer.accepted += b.orders + b.refunds + b.engagements;
      answer.rejected += b.rejected;
    }
    return { batches, answer };
  };
  const log =
    o.data === undefined
      ? null
      : await RequestLog.open(o.data.dir, live, convert, o.data.identity, o.data.checkpointEveryMs, o.data.files);
  const authorized = (req: IncomingMessage): boolean => gate.authorized(req);
  const maxIngest = o.maxIngestBytes ?? 256 * 2 ** 20;

  /** A request: the body received whole (within the limit), then converted and applied, or with --data logged first. */
  async function ingest(req: IncomingMessage): Promise<IngestAnswer> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const kind: BodyKind = type === 'text/csv' || type === 'application/csv' ? 'csv' : 'arrow';
    if (log !== null) {
      const file = log.stagingPath();
      try {
        await receive(req, file, maxIngest, bodyTimeout);
      } catch (e) {
        await rm(file, { force: true });
        throw e;
      }
      const key = req.headers['idempotency-key'];
      return log.take(file, kind, typeof key === 'string' && key !== '' ? key : null);
    }
    const dir = await mkdtemp(join(tmpdir(), 'rfm-ingest-'));
    let converted: Awaited<ReturnType<ConvertBody>>;
    try {
      const file = join(dir, `body.${kind}`);
      await receive(req, file, maxIngest, bodyTimeout);
      converted = await convert(file, kind);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const b of converted.batches) await live.ingest(b);
    await live.engine.flush();
    return converted.answer;
  }

  const bodyTimeout = o.requestTimeoutMs ?? 120_000;
  /**
   * 503 for a read while the state is being put back after a lost shard (Retry-After), or
   * after that failed for good (until the server starts again); true when it answered.
   */
  const unavailable = (res: ServerResponse): boolean => {
    if (live.brokenBy !== null) {
      json(res, 503, { error: fitForReply(live.brokenBy.message) });
      return true;
    }
    if (!live.restoring) return false;
    res.setHeader('retry-after', '2');
    json(res, 503, {
      error: 'the state is being put back after a lost shard (its checkpoint and log); ask again in a moment',
    });
    return true;
  };

  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const refused = gate.refusal(req) ?? (path === '/ingest' ? gate.originRefusal(req) : null);
    if (refused !== null)
      return req.method === 'POST'
        ? refuseUnread(req, res, 403, { error: refused })
        : json(res, 403, { error: refused });
    // every read of the state says when there is none to read (health included: it is the state's)
    if (req.method === 'GET' && ['/health', '/report.html', '/predictions'].includes(path) && unavailable(res)) return;
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(dashboardPage());
    } else if (req.method === 'GET' && path === '/health') {
      json(res, 200, { ok: true });
    } else if (req.method === 'GET' && path === '/auth') {
      // the page asks when its socket was refused: a token missing or wrong, or the server away
      if (!authorized(req))
        return json(res, 401, { error: 'a token is required: ?token=T or Authorization: Bearer T' });
      json(res, 200, { ok: true });
    } else if (req.method === 'GET' && path === '/predictions') {
      if (!authorized(req))
        return json(res, 401, { error: 'a token is required: ?token=T or Authorization: Bearer T' });
      predictions.refit().then(
        (p) => json(res, 200, p),
        (e: unknown) => json(res, 500, { error: fitForReply((e as Error).message) }),
      );
    } else if (req.method === 'GET' && path === '/favicon.ico') {
      // the browser asks for one on every page: an icon, not a 404 in the console
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=86400' });
      res.end(FAVICON);
    } else if (req.method === 'GET' && path === '/report.html') {
      if (!authorized(req))
        return json(res, 401, { error: 'a token is required: ?token=T or Authorization: Bearer T' });
      live.report().then(
        ({ report, extras, figures }) => {
          const h = headlines(report, live.engine.model, extras.lorenz);
          if (figures?.coreRetention) h.coreRetention = figures.coreRetention;
          const page = htmlReport({
            report: { ...report, headlines: h, cultivation: figures?.cultivation ?? undefined },
            model: live.engine.model,
            inputs: ['the live engine (rfm serve)'],
            prospects: extras.prospects,
          });
          res.writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'content-disposition': `attachment; filename="rfmstream-report-${report.asOf.slice(0, 10)}.html"`,
          });
          res.end(page);
        },
        (e: unknown) => json(res, 500, { error: fitForReply((e as Error).message) }),
      );
    } else if (path === '/ingest') {
      const origin = req.headers.origin;
      if (origin !== undefined) {
        // an allowed page (the gate let it by) may read the answer: CORS, for its origin alone
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('vary', 'Origin');
      }
      if (req.method === 'OPTIONS') {
        // the preflight a page sends before a POST of text/csv or with Authorization
        res.writeHead(204, {
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type, authorization',
          'access-control-max-age': '600',
        });
        return res.end();
      }
      if (req.method !== 'POST') return json(res, 405, { error: 'POST an Arrow IPC stream or a CSV body to /ingest' });
      if (!authorized(req))
        return json(res, 401, { error: 'a token is required: ?token=T or Authorization: Bearer T' });
      ingest(req).then(
        (r) => json(res, 200, r),
        (e: unknown) => {
          const body = { error: fitForReply((e as Error).message) };
          if (e instanceof RequestError) refuseUnread(req, res, e.status, body);
          // the disk, or a lost shard being put back: the server's trouble, for a while
          else if (e instanceof DiskError || (e instanceof RfmError && e.code === 'RFM_ERR_WORKER')) {
            res.setHeader('retry-after', '5');
            json(res, 503, body);
          } else json(res, e instanceof RfmError ? 400 : 500, body);
        },
      );
    } else {
      json(res, 404, {
        error: `nothing at ${path}; the dashboard is at /, the socket on this port, ingest at POST /ingest`,
      });
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayload ?? 4096 });
  http.on('upgrade', (req, socket, head) => {
    const refused = gate.refusal(req) ?? gate.originRefusal(req);
    if (refused !== null) {
      socket.write(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${refused}\n`);
      socket.destroy();
      return;
    }
    if (!authorized(req)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const client = new Client(ws);
    clients.add(client);
    ws.on('close', () => clients.delete(client));
    ws.on('error', () => ws.terminate());
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      if (!client.withinLimit(o.floodLimit ?? 20)) {
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
        void live.current().then(
          (s) => client.offer(textOf(s)),
          () => undefined,
        );
      } else {
        client.send({ type: 'error', message: 'unknown message: send {"type":"snapshot"} to get the latest snapshot' });
      }
    });
    client.send(live.hello);
    client.send(live.history());
    if (predictions.current !== null) client.send(predictions.current);
    void live.current().then(
      (s) => client.offer(textOf(s)),
      () => undefined,
    );
  });

  // the models refitted every predictEveryMs, when the state changed, and pushed to every client
  const predictTimer =
    o.predictEveryMs === undefined
      ? null
      : setInterval(() => {
          const before = predictions.current;
          void predictions.refit().then(
            (p) => {
              if (p !== before) for (const c of clients) c.send(p);
            },
            (e: unknown) => process.stderr.write(`rfm: the prediction refit failed: ${(e as Error).message}\n`),
          );
        }, o.predictEveryMs);

  const unsubscribe = live.onSnapshot((s) => {
    const text = textOf(s);
    for (const c of clients) c.offer(text);
  });
  const heartbeat = setInterval(() => {
    for (const c of clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, o.heartbeatMs ?? 30_000);
  // a client that takes no data is dropped: each one held some MB of socket buffers for good
  const sendTimeout = o.sendTimeoutMs ?? 20_000;
  let dropped = 0;
  const stallWatch = setInterval(
    () => {
      const now = Date.now();
      for (const c of clients) {
        if (!c.stalled(sendTimeout, now)) continue;
        c.ws.terminate();
        clients.delete(c);
        dropped++;
        process.stderr.write(
          `rfm: dropped a socket client that took no data for ${(sendTimeout / 1000).toFixed(0)} s (${dropped.toLocaleString('en-US')} so far)\n`,
        );
      }
    },
    Math.min(1000, sendTimeout),
  );

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
      await log
        ?.checkpoint()
        .catch((e: unknown) => process.stderr.write(`rfm: the last checkpoint failed: ${(e as Error).message}\n`));
      clearInterval(heartbeat);
      clearInterval(stallWatch);
      if (predictTimer !== null) clearInterval(predictTimer);
      unsubscribe();
      for (const c of clients) c.ws.terminate();
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
