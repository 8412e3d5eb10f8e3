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
    this.ws.send(text, () => {
      this.inFlight = false;
      const next = this.waiting;
      this.waiting = null;
      if (next) this.offer(next);
    });
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

