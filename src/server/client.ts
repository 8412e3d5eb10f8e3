/**
 * One connected client of the live server. A slow client never slows the engine: it has at
 * most one snapshot in flight (sent, not yet written out) and one waiting, the newest; a
 * newer snapshot replaces the waiting one instead of queueing behind it.
 */
import { WebSocket } from 'ws';
import type { ServerMessage } from './protocol.js';

/** The part of a ws WebSocket a Client uses. */
export interface ClientSocket {
  readonly readyState: number;
  send(data: string, cb?: (err?: Error) => void): void;
  ping(): void;
  terminate(): void;
  close(code?: number, reason?: string): void;
}

export class Client {
  private inFlight = false;
  /** When the snapshot in flight was handed to the socket (ms), while one is. */
  private inFlightSince = 0;
  private waiting: string | null = null;
  alive = true;
  private windowStart = Date.now();
  private messagesInWindow = 0;

  constructor(readonly ws: ClientSocket) {}

  send(m: ServerMessage): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify(m));
  }

  /** Sends a snapshot (as JSON text) now, or keeps it as the one to send next (replacing an older one). */
  offer(text: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.inFlight) {
      this.waiting = text;
      return;
    }
    this.inFlight = true;
    this.inFlightSince = Date.now();
    this.ws.send(text, () => {
      this.inFlight = false;
      const next = this.waiting;
      this.waiting = null;
      if (next) this.offer(next);
    });
  }

  /**
   * A snapshot has waited unsent longer than ms: the client takes no data (it may still
   * answer pings), and what waits for it (the socket's buffers, some MB) would stay forever.
   */
  stalled(ms: number, now = Date.now()): boolean {
    return this.inFlight && now - this.inFlightSince > ms;
  }

  /** Counts a message; false when the client sends faster than the limit allows. */
  withinLimit(limit: number): boolean {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.messagesInWindow = 0;
    }
    return ++this.messagesInWindow <= limit;
  }
}
