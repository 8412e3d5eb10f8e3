/**
 * Hostile input at POST /ingest, fuzzed (test/support/hostile-bodies.ts), all of it 200 at a
 * time, and a body sent a byte a second. Each gets a clear answer (200 with counts, 400, 408,
 * 413); the server keeps serving; the engine holds exactly the rows of the requests answered
 * 200 (all or nothing). What its memory does under them is a bench row
 * (bench/hostile-bodies.ts), not a test.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LiveEngine } from '../../../src/server/live.js';
import { startServer } from '../../../src/server/server.js';
import type { RunningServer } from '../../../src/server/server.js';
import { hostileBodies } from '../../support/hostile-bodies.js';

let live: LiveEngine;
let server: RunningServer;
let url: string;
beforeAll(async () => {
  live = new LiveEngine({ workers: 2 }, 50, { figures: false });
  server = await startServer(live, { port: 0, host: '127.0.0.1', maxIngestBytes: 8 * 2 ** 20 });
  live.start();
  url = server.url + 'ingest';
});
afterAll(async () => {
  await server?.close();
  await live?.close();
});

async function post(
  body: Uint8Array,
  type?: string,
): Promise<{ status: number; body: { accepted?: number; rejected?: number; error?: string } }> {
  const r = await fetch(url, { method: 'POST', headers: type ? { 'content-type': type } : {}, body });
  const text = await r.text();
  try {
    return { status: r.status, body: JSON.parse(text) as { accepted?: number; rejected?: number; error?: string } };
  } catch {
    throw new Error(
      `a ${r.status} answer that is not JSON: ${JSON.stringify(text.slice(0, 200))} (content-type ` +
        `${r.headers.get('content-type')})`,
    );
  }
}

const HOSTILE =
  'mutated Arrow, the fuzzing corpus, broken CSV and garbage, 200 at a time: clear answers, the rows of the 200s';
test(HOSTILE, async () => {
  const { valid, bodies } = hostileBodies(31);
  const answers: Awaited<ReturnType<typeof post>>[] = [];
  for (let at = 0; at < bodies.length; at += 200) {
    answers.push(...(await Promise.all(bodies.slice(at, at + 200).map((b) => post(b.body, b.type)))));
  }
  const statuses = new Set(answers.map((a) => a.status));
  for (const s of statuses) expect([200, 400, 413]).toContain(s);
  expect(answers.filter((a) => a.status === 400).length).toBeGreaterThan(100);
  expect(answers.filter((a) => a.body.error?.includes('the request body')).length).toBeGreaterThan(100);
  for (const a of answers) {
    if (a.status === 200) expect(a.body).toEqual({ accepted: expect.any(Number), rejected: expect.any(Number) });
    else {
      expect(a.body.error!.length).toBeGreaterThan(10);
      // the body is named as the client knows it, never by the server's temporary file
      expect(a.body.error).not.toMatch(/rfm-ingest-|\/tmp\//);
    }
  }
  // all or nothing: the engine holds the rows of the 200s, no more, no fewer
  await live.engine.flush();
  const k = live.engine.counts;
  const taken = answers.filter((a) => a.status === 200).reduce((n, a) => n + a.body.accepted!, 0);
  expect(k.orders + k.refunds + k.engagements).toBe(taken);
  // still serving: a valid body is taken, a snapshot is taken
  expect((await post(valid)).body).toEqual({ accepted: 5000, rejected: 0 });
  expect((await live.snapshot()).orders).toBeGreaterThanOrEqual(5000);
}, 180_000);

test('a body sent a byte a second is answered 408 once its time is up; the server keeps serving', async () => {
  const slow = await startServer(live, { port: 0, host: '127.0.0.1', requestTimeoutMs: 2000 });
  const port = new URL(slow.url).port;
  const answer = await new Promise<string>((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `POST /ingest HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\n`,
      );
      const drip = setInterval(() => socket.writable && socket.write('1'), 1000);
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => {
        clearInterval(drip);
        resolve(text);
      });
      socket.on('error', () => undefined);
    });
  });
  expect(answer).toMatch(/^HTTP\/1.1 408/);
  expect(answer).toContain('the body took longer than 2 s to arrive');
  expect((await fetch(slow.url + 'health')).status).toBe(200);
  await slow.close();
}, 30_000);
