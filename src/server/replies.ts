/**
 * The server's answers: JSON, and every refusal through one helper each for a request
 * (refuse) and an upgrade (refuseUpgrade, as ws's abortHandshake), so that a refused
 * request's body is drained the same way everywhere and no reply carries raw bytes.
 */
import type { Duplex } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error message as a reply carries it: printable, and short (a corrupt body's bytes can reach one). */
export function fitForReply(message: string): string {
  const s = message.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');
  return s.length > 300 ? s.slice(0, 300) + '...' : s;
}

/** A request the server refuses with a status of its own (413: too large). */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body) + '\n');
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

/**
 * Refuses a request with status and a message ({ "error": message }, made printable and
 * short): a POST's body not yet read whole is drained first (refuseUnread).
 */
export function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  const body = { error: fitForReply(message) };
  // a body not read whole may still be coming
  if (req.method === 'POST' && !req.complete) refuseUnread(req, res, status, body);
  else json(res, status, body);
}

const REASONS: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden' };

/** Refuses a WebSocket upgrade with status and a message, and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  socket.write(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Refused'}\r\nConnection: close\r\nContent-Type: ` +
      `text/plain\r\n\r\n${fitForReply(message)}\n`,
  );
  socket.destroy();
}
