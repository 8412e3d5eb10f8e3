import { join } from 'node:path';
import { Float64, Int64, Table, TimestampMillisecond, Utf8, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterEach, describe, expect, test } from 'vitest';
import type { RowLimits } from '../../../src/batch/limits.js';
import { RecordBatchConverter } from '../../../src/batch/record-batches.js';
import { Engine } from '../../../src/engine/engine.js';
import { buildReport } from '../../../src/report/report.js';
import { LiveEngine } from '../../../src/server/live.js';
import { generateOrders } from '../../../src/sources/generator/generator.js';
import { shuffled } from '../../support/shuffle.js';
import { startServer } from '../../../src/server/server.js';
import type { RunningServer } from '../../../src/server/server.js';
import type { ErrorMessage, HelloMessage } from '../../../src/server/protocol.js';
import { runCli, startCli, tempDir } from '../../support/cli.js';
import { LiveClient } from '../../support/live-client.js';

const running: { live: LiveEngine; server: RunningServer }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.server.close();
    await r.live.close();
  }
});

async function serve(
  token?: string,
  heartbeatMs?: number,
  limits?: RowLimits,
): Promise<{ live: LiveEngine; server: RunningServer; ws: string }> {
  const live = new LiveEngine({ workers: 1, limits }, 50);
  const server = await startServer(live, { port: 0, host: '127.0.0.1', token, floodLimit: 20, heartbeatMs });
  live.start();
  running.push({ live, server });
  return { live, server, ws: server.url.replace('http', 'ws') + 'live' };
}

const T0 = Date.UTC(2025, 5, 1);
function ordersStream(ids: string[]): Uint8Array {
  return tableToIPC(
    new Table({
      customer_id: vectorFromArray(ids, new Utf8()),
      ts: vectorFromArray(
        ids.map((_, i) => T0 + i * 86_400_000),
        new TimestampMillisecond(),
      ),
      amount: vectorFromArray(
        ids.map((_, i) => 10 + i),
        new Float64(),
      ),
    }),
    'stream',
  );
}

describe('rfm serve: the live protocol over a real WebSocket', () => {
  test('a client gets a hello, then a snapshot, on connect', async () => {
    const { ws } = await serve();
    const client = await LiveClient.connect(ws);
    const hello = await client.next<HelloMessage>((m) => m.type === 'hello');
    expect(hello.protocol).toBe(1);
    expect(hello.segments.map((s) => s.name)).toContain('Lost Potential Core');
    expect(hello.segments.find((s) => s.name === 'Champions')!.meaning).toBe('buy often, recently, and spend the most');
    const snapshot = await client.snapshotWhere(() => true);
    expect(snapshot.customers).toBe(0);
    expect(Object.keys(snapshot.segments)).toHaveLength(8);
    expect(client.messages[0].type).toBe('hello');
    client.close();
  });

  test('POST /ingest moves the counts, and says how many rows it took and refused', async () => {
    const { server, ws } = await serve();
    const client = await LiveClient.connect(ws);
    await client.snapshotWhere(() => true);
    const arrow = await fetch(server.url + 'ingest', { method: 'POST', body: ordersStream(['a@x', 'b@x', 'a@x']) });
    expect(arrow.status).toBe(200);
    expect(await arrow.json()).toEqual({ accepted: 3, rejected: 0 });
    const csv = await fetch(server.url + 'ingest', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'customer_id,ts,amount\nc@x,2025-06-10,5\nd@x,not a date,5\n',
    });
    expect(await csv.json()).toEqual({ accepted: 1, rejected: 1 });
    const s = await client.snapshotWhere((m) => m.customers === 3);
    expect(s.orders).toBe(3 + 1);
    expect(s.rejected).toBe(1);
    expect(s.revenue).toBe(10 + 11 + 12 + 5);
    client.close();
  });

  test(
    "a CSV body's kind column is read: a refund is no order, a visit an " + 'engagement, an unknown kind a reject',
    async () => {
      const { live, server } = await serve();
      const csv = await fetch(server.url + 'ingest', {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body:
          'customer_id,ts,amount,kind\na@x,2025-06-10,30,order\na@x,2025-06-11,-10,refund\n' +
          'b@x,2025-06-11,,visit\nc@x,2025-06-11,5,bogus\n',
      });
      expect(await csv.json()).toEqual({ accepted: 3, rejected: 1 });
      await live.engine.flush();
      expect(live.engine.counts).toMatchObject({ orders: 1, refunds: 1, engagements: 1, rejected: 1 });
      // the CSV types by any spelling; before, these were read as Arrow and refused
      for (const type of ['Text/CSV', 'application/csv; charset=utf-8']) {
        const r = await fetch(server.url + 'ingest', {
          method: 'POST',
          headers: { 'content-type': type },
          body: 'customer_id,ts,amount\nd@x,2025-06-12,7\n',
        });
        expect(await r.json(), type).toEqual({ accepted: 1, rejected: 0 });
      }
    },
  );

  test('one row cannot poison a live engine: a date far ahead is refused, a missing id decides nothing', async () => {
    const { live, server } = await serve(undefined, undefined, { maxFutureMs: 86_400_000 });
    const post = async (body: string): Promise<unknown> =>
      (await fetch(server.url + 'ingest', { method: 'POST', headers: { 'content-type': 'text/csv' }, body })).json();
    // only a row without a customer: rejected, and the engine stays free to take integer ids
    expect(await post('customer_id,ts,amount\n,2025-06-10,5\n')).toEqual({ accepted: 0, rejected: 1 });
    // a missing id first, then integer ids: the first id decides
    expect(await post('customer_id,ts,amount\n,2025-06-10,5\n17,2025-06-10,5\n18,2025-06-11,6\n')).toEqual({
      accepted: 2,
      rejected: 1,
    });
    expect(await post('customer_id,ts,amount\n19,2099-01-01,5\n20,2025-06-12,7\n')).toEqual({
      accepted: 1,
      rejected: 1,
    });
    await live.engine.flush();
    expect(new Date(live.engine.watermark).toISOString()).toBe('2025-06-12T00:00:00.000Z');
    const s = await live.snapshot();
    expect(s.customers).toBe(3);
    expect(s.retention.Lost.customers).toBe(0);
  });

  test('integer ids, then emails: both taken, an integer and its text one customer (was: 400)', async () => {
    const { live, server } = await serve();
    const post = async (body: string): Promise<[number, unknown]> => {
      const r = await fetch(server.url + 'ingest', { method: 'POST', headers: { 'content-type': 'text/csv' }, body });
      return [r.status, await r.json()];
    };
    expect(await post('customer_id,ts,amount\n17,2025-06-10,5\n18,2025-06-11,6\n')).toEqual([
      200,
      { accepted: 2, rejected: 0 },
    ]);
    expect(await post('customer_id,ts,amount\nann@example.com,2025-06-12,7\n17,2025-06-12,3\n')).toEqual([
      200,
      { accepted: 2, rejected: 0 },
    ]);
    expect(await post('customer_id,ts,amount\n18,2025-06-13,1\n')).toEqual([200, { accepted: 1, rejected: 0 }]);
    const s = await live.snapshot();
    expect(s.customers).toBe(3);
    expect(s.orders).toBe(5);
  });

  test('concurrent POSTs of a shuffled history end in the report of one replay of it', async () => {
    const { live, server } = await serve();
    // a generated history with refunds and visits, shuffled, as 24 CSV bodies
    const lines: string[] = [];
    for (const b of generateOrders({ customers: 800, orders: 12_000, seed: 5, days: 400 })) {
      const id = b.getChild('customer_id')!;
      const ts = b.getChild('ts')!;
      const amount = b.getChild('amount')!;
      const kind = b.getChild('kind')!;
      for (let i = 0; i < b.numRows; i++) {
        lines.push(`${id.get(i)},${new Date(Number(ts.get(i))).toISOString()},${amount.get(i)},${kind.get(i)}`);
      }
    }
    const mixed = shuffled(lines, 9);
    const parts = Array.from({ length: 24 }, (_, p) => mixed.filter((_, i) => i % 24 === p));
    const answers = await Promise.all(
      parts.map(
        async (part) =>
          (
            await fetch(server.url + 'ingest', {
              method: 'POST',
              headers: { 'content-type': 'text/csv' },
              body: `customer_id,ts,amount,kind\n${part.join('\n')}\n`,
            })
          ).json() as { accepted: number; rejected: number },
      ),
    );
    expect(answers.every((a) => a.rejected === 0)).toBe(true);
    await live.engine.flush();
    const once = new Engine({ workers: 2 });
    try {
      const converter = new RecordBatchConverter(once.sourceOptions());
      for (const b of generateOrders({ customers: 800, orders: 12_000, seed: 5, days: 400 }))
        await once.ingest(converter.convert(b));
      for (const mode of ['exact', 'sketch'] as const) {
        const want = buildReport(await once.snapshot(mode), once.model).report;
        const got = buildReport(await live.engine.snapshot(mode), live.engine.model).report;
        expect(got, mode).toEqual(want);
      }
    } finally {
      await once.close();
    }
  });

  test("a 400 names the request body, never the server's temporary file, and does not echo the body", async () => {
    const { server } = await serve();
    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) & 255);
    const r = await fetch(server.url + 'ingest', { method: 'POST', body: garbage });
    expect(r.status).toBe(400);
    const { error } = (await r.json()) as { error: string };
    expect(error).toContain('the request body');
    expect(error).not.toMatch(/rfm-ingest-|body\.arrow|\/tmp/);
    expect(error.length).toBeLessThan(400);
    expect(error).not.toMatch(/[\u0000-\u001f]/);
  });

  test('bad messages and bad bodies get clear errors and the server keeps serving', async () => {
    const { server, ws } = await serve();
    const client = await LiveClient.connect(ws);
    client.ws.send('this is not json');
    client.ws.send(JSON.stringify({ type: 'subscribe' }));
    const error = await client.next<ErrorMessage>((m) => m.type === 'error');
    expect(error.message).toContain('{"type":"snapshot"}');
    const before = client.messages.filter((m) => m.type === 'snapshot').length;
    client.ws.send(JSON.stringify({ type: 'snapshot' }));
    await client.next(() => client.messages.filter((m) => m.type === 'snapshot').length > before);
    const bad = await fetch(server.url + 'ingest', {
      method: 'POST',
      body: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/not a readable Arrow IPC/);
    const wrongSchema = await fetch(server.url + 'ingest', {
      method: 'POST',
      body: tableToIPC(new Table({ x: vectorFromArray([1n], new Int64()) }), 'stream'),
    });
    expect(wrongSchema.status).toBe(400);
    expect((await wrongSchema.json()).error).toContain('"customer_id" is missing');
    expect((await fetch(server.url + 'health')).status).toBe(200);
    // the page loads its code, a typed module compiled to one file that imports nothing
    expect(await (await fetch(server.url)).text()).toContain('<script type="module" src="/dashboard.js"></script>');
    const code = await fetch(server.url + 'dashboard.js');
    expect(code.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const js = await code.text();
    expect(js).toContain('function drawTrend()');
    expect(js).not.toMatch(/^\s*import\s/m);
    expect(js).not.toContain('sourceMappingURL');
    const another = await LiveClient.connect(ws);
    await another.next((m) => m.type === 'hello');
    expect(client.closed).toBeNull();
    client.close();
    another.close();
  });

  test('a client that floods is closed; the others stay', async () => {
    const { ws } = await serve();
    const flooder = await LiveClient.connect(ws);
    const calm = await LiveClient.connect(ws);
    for (let i = 0; i < 50; i++) flooder.ws.send(JSON.stringify({ type: 'snapshot' }));
    await new Promise((r) => flooder.ws.once('close', r));
    expect(flooder.closed).toEqual({ code: 1008, reason: 'too many messages' });
    calm.ws.send(JSON.stringify({ type: 'snapshot' }));
    await calm.snapshotWhere(() => true);
    expect(calm.closed).toBeNull();
    calm.close();
  });

  test('a message over the size limit closes that client', async () => {
    const { ws } = await serve();
    const client = await LiveClient.connect(ws);
    await client.next((m) => m.type === 'hello');
    client.ws.send(JSON.stringify({ type: 'snapshot', padding: 'x'.repeat(5000) }));
    await new Promise((r) => client.ws.once('close', r));
    expect(client.closed?.code).toBe(1009);
  });

  test('heartbeats close a connection that stopped answering', async () => {
    const { ws } = await serve(undefined, 100);
    const dead = await LiveClient.connect(ws);
    const live = await LiveClient.connect(ws);
    await dead.next((m) => m.type === 'hello');
    // stop reading: pings go unanswered, as from a client whose network went away
    (dead.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await new Promise((r) => setTimeout(r, 600));
    (dead.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await new Promise((r) => dead.ws.once('close', r));
    expect(dead.closed?.code).toBe(1006);
    live.ws.send(JSON.stringify({ type: 'snapshot' }));
    await live.snapshotWhere(() => true);
    expect(live.closed).toBeNull();
    live.close();
  });

  test('a token-protected server refuses a client and an ingest without the token', async () => {
    const { server, ws } = await serve('s3cret');
    await expect(LiveClient.connect(ws)).rejects.toThrow(/401/);
    await expect(LiveClient.connect(ws + '?token=wrong')).rejects.toThrow(/401/);
    const refused = await fetch(server.url + 'ingest', { method: 'POST', body: ordersStream(['a']) });
    expect(refused.status).toBe(401);
    const ok = await LiveClient.connect(ws + '?token=s3cret');
    await ok.next((m) => m.type === 'hello');
    const bearer = await LiveClient.connect(ws, { authorization: 'Bearer s3cret' });
    await bearer.next((m) => m.type === 'hello');
    const accepted = await fetch(server.url + 'ingest', {
      method: 'POST',
      headers: { authorization: 'Bearer s3cret' },
      body: ordersStream(['a']),
    });
    expect(accepted.status).toBe(200);
    ok.close();
    bearer.close();
  });
});

describe('rfm serve FILE', () => {
  test('once the source is drained, the counts equal rfm replay of the same file', async () => {
    const dir = tempDir();
    const file = join(dir, 'orders.arrow');
    expect(
      (await runCli(['generate', '--customers', '3000', '--orders', '30000', '--seed', '5', '-o', file])).code,
    ).toBe(0);
    const report = JSON.parse((await runCli(['replay', file, '--json', '-', '-q'])).stdout);
    const { child, url } = await startCli(['serve', file, '--port', '0', '--interval', '100', '--workers', '2']);
    try {
      const client = await LiveClient.connect(url.replace('http', 'ws') + 'live');
      const done = await client.snapshotWhere((s) => s.ingest.sourceDone);
      expect(done.customers).toBe(report.customers);
      expect(done.orders).toBe(report.orders);
      expect(done.revenue).toBe(report.revenue);
      expect(done.segments).toEqual(report.segments);
      expect(done.groups).toEqual(report.groups);
      expect(done.retention).toEqual(report.retention);
      expect(done.audiences).toEqual(report.audiences);
      expect(done.concentration).toEqual(report.concentration);
      client.close();
    } finally {
      child.kill('SIGINT');
    }
  });
});
