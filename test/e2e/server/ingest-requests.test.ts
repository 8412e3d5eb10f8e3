/**
 * POST /ingest request by request: all or nothing, each answer its own rows, one body
 * limit for every content type (a 413 the client reads, not a reset connection).
 */
import { request } from 'node:http';
import { Float64, Int64, Table, TimestampMillisecond, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterEach, describe, expect, test } from 'vitest';
import { LiveEngine } from '../../../src/server/live.js';
import { startServer } from '../../../src/server/server.js';
import type { RunningServer } from '../../../src/server/server.js';

const running: { live: LiveEngine; server: RunningServer }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.server.close();
    await r.live.close();
  }
});

async function serve(maxIngestBytes?: number): Promise<{ live: LiveEngine; url: string }> {
  const live = new LiveEngine({ workers: 2 }, 50, { figures: false });
  const server = await startServer(live, { port: 0, host: '127.0.0.1', maxIngestBytes });
  live.start();
  running.push({ live, server });
  return { live, url: server.url + 'ingest' };
}

const T0 = Date.UTC(2025, 0, 1);
function csvOf(n: number, first = 0): string {
  const lines = ['customer_id,ts,amount'];
  for (let i = first; i < first + n; i++)
    lines.push(`${i % 5000},${new Date(T0 + i * 60_000).toISOString()},${(i % 90) + 1}`);
  return lines.join('\n') + '\n';
}

/** An Arrow stream of record batches of at most 50,000 rows. */
function arrowOf(n: number, first = 0): Uint8Array {
  const batches = [];
  for (let at = 0; at < n; at += 50_000) {
    const ids = Array.from({ length: Math.min(50_000, n - at) }, (_, i) => first + at + i);
    batches.push(
      ...new Table({
        customer_id: vectorFromArray(
          ids.map((i) => BigInt(i % 5000)),
          new Int64(),
        ),
        ts: vectorFromArray(
          ids.map((i) => T0 + i * 60_000),
          new TimestampMillisecond(),
        ),
        amount: vectorFromArray(
          ids.map((i) => (i % 90) + 1),
          new Float64(),
        ),
      }).batches,
    );
  }
  return tableToIPC(new Table(batches), 'stream');
}

async function post(
  url: string,
  body: string | Uint8Array,
  type?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url, { method: 'POST', headers: type ? { 'content-type': type } : {}, body });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const ordersOf = async (live: LiveEngine): Promise<number> => (await live.snapshot()).orders;

describe('POST /ingest, request by request', () => {
  test(
    'a CSV body with a bad quote on its last line: 400, and not one of its ' + '300,000 orders applied (was: 262,144)',
    async () => {
      const { live, url } = await serve();
      expect((await post(url, csvOf(1000), 'text/csv')).body).toEqual({ accepted: 1000, rejected: 0 });
      const r = await post(url, csvOf(300_000, 1000) + '7,"2025-06-01,5\n', 'text/csv');
      expect(r.status).toBe(400);
      expect(String(r.body.error)).toMatch(/quote/);
      expect(await ordersOf(live)).toBe(1000);
    },
  );

  test('a truncated Arrow body of a million orders: 400, and not one of them applied (was: 600,000)', async () => {
    const { live, url } = await serve();
    const whole = arrowOf(1_000_000);
    const r = await post(url, whole.subarray(0, Math.floor(whole.length * 0.9)));
    expect(r.status).toBe(400);
    expect(await ordersOf(live)).toBe(0);
    expect((await post(url, whole)).body).toEqual({ accepted: 1_000_000, rejected: 0 });
    expect(await ordersOf(live)).toBe(1_000_000);
  });

  test('200 parallel POSTs: each answer counts its own rows (was: the change in the global counters)', async () => {
    const { live, url } = await serve();
    const sizes = Array.from({ length: 200 }, (_, i) => 50 + ((i * 37) % 400));
    const firsts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    // every other one has a rejected row (no customer)
    const answers = await Promise.all(
      sizes.map((n, i) =>
        i % 2 === 0
          ? post(url, csvOf(n, firsts[i]) + (i % 4 === 0 ? ',2025-01-01T00:00:00Z,5\n' : ''), 'text/csv')
          : post(url, arrowOf(n, firsts[i])),
      ),
    );
    answers.forEach((a, i) => {
      expect(a.status).toBe(200);
      expect(a.body).toEqual({ accepted: sizes[i], rejected: i % 4 === 0 ? 1 : 0 });
    });
    const total = sizes.reduce((a, b) => a + b, 0);
    expect(await ordersOf(live)).toBe(total);
  });

  test('one body limit for every type: 413 with a message the client reads, the state untouched', async () => {
    const limit = 1_000_000;
    const { live, url } = await serve(limit);
    const csv = csvOf(40_000);
    const arrow = arrowOf(60_000);
    expect(csv.length).toBeGreaterThan(limit);
    expect(arrow.length).toBeGreaterThan(limit);
    for (const [body, type] of [
      [csv, 'text/csv'],
      [arrow, undefined],
    ] as const) {
      const r = await post(url, body, type);
      expect(r.status).toBe(413);
      expect(String(r.body.error)).toContain('larger than the limit of 1,000,000 bytes');
    }
    // no declared length (chunked): refused once the bytes pass the limit
    const chunked = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', headers: { 'content-type': 'text/csv', 'transfer-encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      const bytes = Buffer.from(csv);
      for (let at = 0; at < bytes.length; at += 65_536) req.write(bytes.subarray(at, at + 65_536));
      req.end();
    });
    expect(chunked.status).toBe(413);
    expect(chunked.text).toContain('rfm serve --max-body');
    expect(await ordersOf(live)).toBe(0);
    // under the limit, taken
    expect((await post(url, csvOf(1000), 'text/csv')).body).toEqual({ accepted: 1000, rejected: 0 });
  });
});
