/**
 * A real TCP client that completes the WebSocket handshake and then stops reading. The
 * server must not queue snapshots for it: past what the kernel's socket buffers take, it
 * holds one snapshot in flight and the newest waiting, and drops the rest; the other clients
 * get theirs at full rate meanwhile; and a client that never answers a ping is cut off.
 * (The earlier test used a stub socket; on loopback the kernel buffers hold several MB, so
 * this one has the server take a snapshot every few milliseconds and stalls the client until
 * far more than that was offered to it.)
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, expect, test, vi } from 'vitest';
import { RecordBatchConverter } from '../../../src/batch/record-batches.js';
import { compileModel } from '../../../src/model/model.js';
import { LiveEngine } from '../../../src/server/live.js';
import { startServer } from '../../../src/server/server.js';
import type { RunningServer } from '../../../src/server/server.js';
import { buildOrderBatch } from '../../../src/sources/batch-builder.js';
import { LiveClient } from '../../support/live-client.js';

let live: LiveEngine | null = null;
let server: RunningServer | null = null;
afterEach(async () => {
  await server?.close();
  await live?.close();
  live = null;
  server = null;
});

/** Keeps the state changing (a one-order batch at a time) until stopped. */
function feed(l: LiveEngine): () => Promise<void> {
  let on = true;
  const convert = new RecordBatchConverter(l.engine.sourceOptions());
  const done = (async () => {
    for (let i = 0; on; i++) {
      await l.ingest(
        convert.convert(
          buildOrderBatch({
            numRows: 1,
            idWords: Int32Array.of(i % 5000, 0),
            ts: Float64Array.of(Date.UTC(2025, 0, 1) + i * 60_000),
            amount: Float64Array.of(1 + (i % 90)),
            kind: Int8Array.of(0),
          }),
        ),
      );
      await new Promise((r) => setImmediate(r));
    }
  })();
  return () => {
    on = false;
    return done;
  };
}

/** A raw socket through the upgrade; the bytes after the 101 answer are WebSocket frames. */
function stalledClient(port: number): Promise<{ socket: Socket; frames: () => { seq: number[]; bytes: number } }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `GET /live HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: ` +
          `Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const seq: number[] = [];
    let bytes = 0;
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      buffer = Buffer.concat([buffer, d]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buffer.subarray(0, 12).toString().includes('101')) return reject(new Error(buffer.toString()));
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        // stop reading: the kernel buffers fill, then the server's writes wait
        socket.pause();
        resolve({ socket, frames: () => ({ seq, bytes }) });
      }
      // unmasked server frames: FIN/opcode, 7-bit length or 126 + 16 bits or 127 + 64 bits
      for (;;) {
        if (buffer.length < 2) return;
        let len = buffer[1] & 0x7f;
        let head = 2;
        if (len === 126) {
          if (buffer.length < 4) return;
          len = buffer.readUInt16BE(2);
          head = 4;
        } else if (len === 127) {
          if (buffer.length < 10) return;
          len = Number(buffer.readBigUInt64BE(2));
          head = 10;
        }
        if (buffer.length < head + len) return;
        const payload = buffer.subarray(head, head + len);
        bytes += head + len;
        const m = /^\{"type":"snapshot","seq":(\d+)/.exec(payload.subarray(0, 40).toString());
        if (m) seq.push(Number(m[1]));
        buffer = buffer.subarray(head + len);
      }
    });
  });
}

/**
 * A model of many segments and audiences: its snapshots are 7.8 KB, 4x the default model's,
 * so the server offers the stalled client megabytes in a quarter of the snapshots (a test
 * of 14-15 s took 4).
 */
const WIDE_MODEL = compileModel(
  {
    name: 'wide',
    retention: { defaultGapDays: 30, states: [{ name: 'Active', maxRatio: 1 }, { name: 'Lost' }] },
    groups: ['G'],
    segments: Array.from({ length: 60 }, (_, i) => ({
      name: `a segment of customers who spent at least ${60 - i} units`,
      group: 'G',
      when: [`spend >= ${60 - i}`],
    })),
    lost: { retention: 'Lost', r: 5 },
    audiences: Array.from({ length: 30 }, (_, i) => ({
      name: `an audience of ${i + 1} orders or more`,
      when: [`orders >= ${i + 1}`],
    })),
  },
  'wide',
);

test('a client that stops reading is sent the newest snapshot, not every one; the others get theirs', async () => {
  live = new LiveEngine({ workers: 0, model: WIDE_MODEL }, 1, { figures: false });
  // kept however long the offering takes (the next test has it dropped)
  server = await startServer(live, { port: 0, host: '127.0.0.1', sendTimeoutMs: 600_000 });
  live.start();
  const stop = feed(live);
  const reader = await LiveClient.connect(`ws://127.0.0.1:${server.port}/live`);
  const first = await reader.snapshotWhere((s) => s.orders > 100);
  const size = JSON.stringify(first).length;
  const stalled = await stalledClient(server.port);
  const from = first.seq;
  // offered to the stalled client: more than loopback's buffers hold (4 MB taken here)
  const offeredTarget = 16 * 2 ** 20;
  // until the server has offered that much (however long it takes: the test's timeout bounds it)
  let latest = first.seq;
  while ((latest - from) * size < offeredTarget) latest = (await reader.snapshotWhere((s) => s.seq > latest + 200)).seq;
  const offered = (latest - from) * size;
  // the reading client meanwhile: nearly every snapshot the server took
  const readerSeqs = reader.messages.filter((m) => m.type === 'snapshot').length;
  expect(readerSeqs).toBeGreaterThan(0.5 * (latest - from));
  // read again: what the kernel held, then at most the two the server kept, then live ones
  stalled.socket.resume();
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (stalled.frames().seq.some((s) => s >= latest)) resolve();
      else stalled.socket.once('data', check);
    };
    check();
  });
  await stop();
  const { seq, bytes } = stalled.frames();
  expect(
    seq.some((s) => s >= latest),
    'the stalled client caught up',
  ).toBe(true);
  const before = seq.filter((s) => s < latest);
  // every snapshot queued would be every seq, and all the bytes offered
  expect(bytes).toBeLessThan(offered / 2);
  expect(before.length).toBeLessThan((latest - from) / 2);
  // what the kernel held comes in order; then a jump over the snapshots dropped
  const jumps = seq.slice(1).filter((s, i) => s - seq[i] > 1);
  expect(jumps.length).toBeGreaterThan(0);
  stalled.socket.destroy();
  reader.close();
}, 90_000);

test('a client that stops reading, and so never answers a ping, is cut off', async () => {
  live = new LiveEngine({ workers: 0 }, 50, { figures: false });
  server = await startServer(live, { port: 0, host: '127.0.0.1', heartbeatMs: 200 });
  live.start();
  const stalled = await stalledClient(server.port);
  const closed = new Promise<void>((resolve) => stalled.socket.once('close', () => resolve()));
  // the heartbeat (200 ms) pings a client that reads nothing: 1 s is five pings unanswered
  await new Promise((r) => setTimeout(r, 1000));
  stalled.socket.resume();
  // what it reads now ends where the server cut it off (the test's timeout, if never)
  await closed;
});

test('a client that takes no data is dropped once a snapshot waits unsent ' +
  'past --send-timeout, and counted', async () => {
  live = new LiveEngine({ workers: 0, model: WIDE_MODEL }, 1, { figures: false });
  // pings far apart: the client is dropped for what it does not read, not for a missed pong
  server = await startServer(live, { port: 0, host: '127.0.0.1', sendTimeoutMs: 2000, heartbeatMs: 600_000 });
  live.start();
  const said: string[] = [];
  let heard: () => void = () => undefined;
  const dropSaid = new Promise<void>((resolve) => (heard = resolve));
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    said.push(String(s));
    if (String(s).includes('dropped a socket client')) heard();
    return true;
  });
  const stop = feed(live);
  try {
    const reader = await LiveClient.connect(`ws://127.0.0.1:${server.port}/live`);
    const stalled = await stalledClient(server.port);
    const closed = new Promise<void>((resolve) => stalled.socket.once('close', () => resolve()));
    // once the kernel's buffers are full, the next snapshot waits unsent, and the client goes
    await dropSaid;
    expect(said.filter((s) => s.includes('dropped a socket client'))).toEqual([
      'rfm: dropped a socket client that took no data for 2 s (1 so far)\n',
    ]);
    // the reading client is kept and still served
    const last = Math.max(...reader.messages.flatMap((m) => (m.type === 'snapshot' ? [m.seq] : [])));
    await reader.snapshotWhere((s) => s.seq > last);
    stalled.socket.resume();
    await closed;
    reader.close();
  } finally {
    spy.mockRestore();
    await stop();
  }
}, 120_000);
