import { describe, expect, test, vi } from 'vitest';
import { WebSocket } from 'ws';
import { Client } from '../../../src/server/client.js';
import type { ClientSocket } from '../../../src/server/client.js';

/** A socket whose writes complete only when the test says so: a client that reads slowly. */
class SlowSocket implements ClientSocket {
  readyState: number = WebSocket.OPEN;
  readonly sent: string[] = [];
  private pending: (() => void)[] = [];
  send(data: string, cb?: () => void): void {
    this.sent.push(data);
    if (cb) this.pending.push(cb);
  }
  /** The oldest write reaches the client. */
  drainOne(): void {
    this.pending.shift()?.();
  }
  ping(): void {}
  terminate(): void {}
  close(): void {}
}

describe('a slow client', () => {
  test('gets one snapshot in flight and then only the newest, never a queue', () => {
    const socket = new SlowSocket();
    const client = new Client(socket);
    for (let seq = 1; seq <= 100; seq++) client.offer(`snapshot ${seq}`);
    expect(socket.sent).toEqual(['snapshot 1']);
    socket.drainOne();
    expect(socket.sent).toEqual(['snapshot 1', 'snapshot 100']);
    socket.drainOne();
    socket.drainOne();
    expect(socket.sent).toHaveLength(2);
    client.offer('snapshot 101');
    expect(socket.sent.at(-1)).toBe('snapshot 101');
  });

  test('a closed socket gets nothing', () => {
    const socket = new SlowSocket();
    socket.readyState = WebSocket.CLOSED;
    const client = new Client(socket);
    client.offer('snapshot 1');
    client.send({ type: 'error', message: 'x' });
    expect(socket.sent).toEqual([]);
  });

  test('a client whose snapshot stays unsent past the timeout is stalled; one that takes it is not', () => {
    // the clock is the test's: the snapshot is handed over at 10,000 ms
    vi.useFakeTimers({ now: 10_000 });
    try {
      const socket = new SlowSocket();
      const client = new Client(socket);
      expect(client.stalled(1000, 15_000)).toBe(false);
      client.offer('snapshot 1');
      expect(client.stalled(1000, 10_500)).toBe(false);
      expect(client.stalled(1000, 11_001)).toBe(true);
      socket.drainOne();
      expect(client.stalled(1000, 15_000)).toBe(false);
      // the next snapshot in flight is timed from when it was handed over
      vi.setSystemTime(20_000);
      client.offer('snapshot 2');
      expect(client.stalled(1000, 20_900)).toBe(false);
      expect(client.stalled(1000, 21_001)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
