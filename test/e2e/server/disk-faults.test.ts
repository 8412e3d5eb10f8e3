/**
 * Disk faults under `rfm serve --data`, injected at the write calls (ENOSPC, EIO): a request
 * whose log write fails is answered 503 and neither applied nor acknowledged, the next that
 * can be written is taken; a checkpoint that fails leaves the last good one and the log, so a
 * restart holds exactly what was answered 200.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';
import { DISK } from '../../../src/engine/durable-files.js';
import type { DurableFiles } from '../../../src/engine/durable-files.js';
import { LiveEngine } from '../../../src/server/live.js';
import { startServer } from '../../../src/server/server.js';
import type { RunningServer } from '../../../src/server/server.js';
import { runCli, startCli, tempDir } from '../../support/cli.js';

const IDENTITY = { workers: 1 };
const running: { live: LiveEngine; server: RunningServer }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.server.close();
    await r.live.close();
  }
});

/** The real calls, but the one named fails while `fault` is set. */
function faulty(call: keyof DurableFiles): { files: DurableFiles; fault: { code: string | null } } {
  const fault = { code: null as string | null };
  const fail = (): never => {
    const e = new Error(`${fault.code}: injected at ${call}`) as NodeJS.ErrnoException;
    e.code = fault.code!;
    throw e;
  };
  const files: DurableFiles = {
    writeDurably: async (p, d) => (call === 'writeDurably' && fault.code ? fail() : DISK.writeDurably(p, d)),
    syncFile: async (p) => (call === 'syncFile' && fault.code ? fail() : DISK.syncFile(p)),
    syncDirectory: (d) => (call === 'syncDirectory' && fault.code ? fail() : DISK.syncDirectory(d)),
    rename: async (a, b) => (call === 'rename' && fault.code ? fail() : DISK.rename(a, b)),
  };
  return { files, fault };
}

async function serve(
  dir: string,
  files: DurableFiles,
  checkpointEveryMs = 60_000,
): Promise<{ live: LiveEngine; url: string; server: RunningServer }> {
  const live = new LiveEngine({ workers: 1 }, 50, { figures: false });
  const server = await startServer(live, {
    port: 0,
    host: '127.0.0.1',
    data: { dir, identity: IDENTITY, checkpointEveryMs, files },
  });
  live.start();
  running.push({ live, server });
  return { live, server, url: server.url + 'ingest' };
}

const csv = (first: number, n: number): string =>
  'customer_id,ts,amount\n' +
  Array.from(
    { length: n },
    (_, i) => `${(first + i) % 50},${new Date(Date.UTC(2025, 0, 1) + (first + i) * 60_000).toISOString()},5`,
  ).join('\n') +
  '\n';

async function post(
  url: string,
  body: string,
): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/csv' }, body });
  return {
    status: r.status,
    retryAfter: r.headers.get('retry-after'),
    body: (await r.json()) as Record<string, unknown>,
  };
}

test.each(['syncFile', 'rename', 'syncDirectory'] as const)(
  'the log write fails at %s (ENOSPC): 503, nothing applied; written again, taken; a restart holds what was answered',
  async (call) => {
    const dir = tempDir();
    const { files, fault } = faulty(call);
    const { live, url, server } = await serve(dir, files);
    expect((await post(url, csv(0, 100))).status).toBe(200);
    fault.code = 'ENOSPC';
    const refused = await post(url, csv(100, 100));
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe('5');
    expect(String(refused.body.error)).toMatch(
      /cannot write the request log .*ENOSPC.*nothing of this request was applied: retry it later/,
    );
    expect((await live.snapshot()).orders).toBe(100);
    fault.code = null;
    expect((await post(url, csv(100, 100))).body).toEqual({ accepted: 100, rejected: 0 });
    expect((await live.snapshot()).orders).toBe(200);
    // kill-like: no last checkpoint (the server is dropped, not closed), then a restart on the same DIR
    running.splice(
      running.findIndex((r) => r.server === server),
      1,
    );
    await live.close();
    const again = await serve(dir, DISK);
    expect((await again.live.snapshot()).orders).toBe(200);
    await server.close().catch(() => undefined);
  },
);

test(
  'a checkpoint that fails (EIO) keeps the last good one and the log: a ' + 'restart holds every answered request',
  async () => {
    const dir = tempDir();
    const { files, fault } = faulty('writeDurably');
    // a checkpoint after every request
    const { live, url, server } = await serve(dir, files, 0);
    for (let b = 0; b < 3; b++) expect((await post(url, csv(b * 100, 100))).status).toBe(200);
    fault.code = 'EIO';
    for (let b = 3; b < 6; b++) expect((await post(url, csv(b * 100, 100))).status).toBe(200);
    expect((await live.snapshot()).orders).toBe(600);
    running.splice(
      running.findIndex((r) => r.server === server),
      1,
    );
    await live.close();
    const again = await serve(dir, DISK);
    expect((await again.live.snapshot()).orders).toBe(600);
    await server.close().catch(() => undefined);
  },
);

test('a torn body (killed while it was received) is dropped; a damaged logged one stops the start, named', async () => {
  const dir = tempDir();
  const first = await serve(dir, DISK);
  for (let b = 0; b < 3; b++) expect((await post(first.url, csv(b * 100, 100))).status).toBe(200);
  // kill-like, as above: the engine gone, the server dropped (no last checkpoint, the log stays)
  const dropped = running.splice(0);
  await first.live.close();
  const log = join(dir, 'log');
  // what a kill while a body was being received leaves: never logged, never answered
  writeFileSync(join(log, 'staged-99999-1'), csv(300, 100).slice(0, 777));
  const again = await serve(dir, DISK);
  expect((await again.live.snapshot()).orders).toBe(300);
  expect(readdirSync(log).filter((f) => f.startsWith('staged-'))).toEqual([]);
  dropped.push(...running.splice(0));
  await again.live.close();
  // a logged body cut in half on disk since (its request was answered; the half is a good CSV
  // of 50 orders): the start stops and names it, rather than hold 250 of 300 answered orders
  const last = readdirSync(log)
    .filter((f) => /^\d{12}\./.test(f))
    .sort()
    .pop()!;
  const whole = csv(200, 100);
  writeFileSync(join(log, last), whole.slice(0, whole.indexOf('\n', whole.length / 2) + 1));
  const live = new LiveEngine({ workers: 1 }, 50, { figures: false });
  await expect(
    startServer(live, {
      port: 0,
      host: '127.0.0.1',
      data: { dir, identity: IDENTITY, checkpointEveryMs: 60_000, files: DISK },
    }),
  ).rejects.toThrow(
    new RegExp(
      `${last}: a logged request cannot be read \\(it holds \\d+ bytes, CRC-32 [0-9a-f]{8},` +
        ` not the ${whole.length} bytes.*it was answered 200, so the server does not start without it`,
    ),
  );
  await live.close();
  // damaged into garbage: the same
  writeFileSync(join(log, last), '\u0000\u0000garbage, "unclosed\n');
  const live2 = new LiveEngine({ workers: 1 }, 50, { figures: false });
  await expect(
    startServer(live2, {
      port: 0,
      host: '127.0.0.1',
      data: { dir, identity: IDENTITY, checkpointEveryMs: 60_000, files: DISK },
    }),
  ).rejects.toThrow(new RegExp(`${last}: a logged request cannot be read`));
  await live2.close();
  for (const d of dropped) await d.server.close().catch(() => undefined);
});

/** A 2 MiB tmpfs, where the machine allows mounting one (root); null elsewhere. */
function tinyDisk(): string | null {
  const at = tempDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', at], { stdio: 'ignore' });
    return at;
  } catch {
    return null;
  }
}

const tiny = tinyDisk();
if (tiny === null)
  process.stderr.write('disk-faults: cannot mount a 2 MiB tmpfs (not root?): the full-disk test is skipped\n');
afterAll(() => {
  if (tiny !== null) execFileSync('umount', [tiny]);
});

test.skipIf(tiny === null)(
  'a real full disk (a 2 MiB tmpfs): a body that does not fit is 503 and ' +
    'leaves nothing, a small one is taken; a replay whose checkpoints do ' +
    'not fit says so and reports right',
  async () => {
    const { child, url } = await startCli(['serve', '--port', '0', '--workers', '1', '--data', join(tiny!, 'data')]);
    try {
      const big = await post(url + 'ingest', csv(0, 150_000));
      expect(big.status).toBe(503);
      expect(String(big.body.error)).toMatch(/ENOSPC/);
      expect(readdirSync(join(tiny!, 'data', 'log'))).toEqual([]);
      expect((await post(url + 'ingest', csv(0, 10))).body).toEqual({ accepted: 10, rejected: 0 });
    } finally {
      child.kill('SIGKILL');
    }
    const orders = join(tempDir(), 'orders.arrow');
    expect((await runCli(['generate', '--customers', '50000', '--orders', '500000', '-o', orders])).code).toBe(0);
    const plain = await runCli(['replay', orders, '--json', '-', '-q']);
    const full = await runCli([
      'replay',
      orders,
      '--checkpoint',
      join(tiny!, 'ck'),
      '--checkpoint-every',
      '100000',
      '--json',
      '-',
      '-q',
    ]);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stderr).toMatch(/cannot write a checkpoint in .*ENOSPC.*the last good one stays/);
    expect(full.stdout).toBe(plain.stdout);
    // no half-written file left to keep the disk full
    expect(readdirSync(join(tiny!, 'ck')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  },
  60_000,
);
