/**
 * rfm publish against a real nats-server: every applied row of the input once on the stream,
 * in its customer's partition; the same input again adds nothing; a publish killed midway
 * and rerun adds nothing twice; a stream's partition count is its own; an unreachable or
 * refusing server is a clear error.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { RecordBatchReader } from 'apache-arrow';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { columnBatchOver } from '../../../src/batch/column-batch.js';
import { rowsByPartition } from '../../../src/cluster/batch-message.js';
import { KIND_SKIP } from '../../../src/abi/abi.js';
import { CLI, runCli, tempDir } from '../../support/cli.js';
import { freePort, startNatsServer } from '../../support/nats-server.js';
import type { NatsServer } from '../../support/nats-server.js';
import { engineConverter, ledgerEntry, RowDigest, rowLines, streamMessages } from '../../support/order-stream.js';

let server: NatsServer;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server.stop();
});

/** The applied rows of an Arrow file, as the engine converts them: sorted lines, or their digest. */
function fileRows(path: string): string[];
function fileRows(path: string, digest: true): string;
function fileRows(path: string, digest = false): string[] | string {
  const converter = engineConverter();
  const lines: string[] = [];
  const sum = new RowDigest();
  for (const rb of RecordBatchReader.from(readFileSync(path))) {
    const c = converter.convert(rb);
    const b = columnBatchOver(c.parts[0].buffer, c.parts[0].shape);
    if (digest) sum.add(b, (i) => b.kind[i] !== KIND_SKIP);
    else lines.push(...rowLines(b, (i) => b.kind[i] !== KIND_SKIP));
  }
  return digest ? sum.toString() : lines.sort();
}

/** Every row on the stream (sorted lines, or their digest); each message's rows checked to be of its subject's partition. */
async function streamRows(url: string, partitions: number): Promise<string[]>;
async function streamRows(url: string, partitions: number, digest: true): Promise<string>;
async function streamRows(url: string, partitions: number, digest = false): Promise<string[] | string> {
  const lines: string[] = [];
  const sum = new RowDigest();
  for (const m of await streamMessages(url)) {
    expect([...rowsByPartition(m.rows, partitions).keys()]).toEqual([m.partition]);
    if (digest) sum.add(m.rows);
    else lines.push(...rowLines(m.rows));
  }
  return digest ? sum.toString() : lines.sort();
}

test('CDNOW into 16 partitions: every row once, in its partition; published again, nothing added', async () => {
  const file = inject('cdnowArrow');
  const args = ['publish', file, '--nats', server.url, '--partitions', '16'];
  const first = await runCli(args);
  expect(first.stderr).not.toContain('RFM_ERR');
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/published 69,659 rows in \d+ messages to RFM_ORDERS, 16 partitions/);
  const want = fileRows(file);
  expect(want).toHaveLength(69_659);
  const sent = await streamRows(server.url, 16);
  expect(sent).toEqual(want);

  const again = await runCli(['publish', file, '--nats', server.url]);
  expect(again.code).toBe(0);
  expect(again.stderr).toMatch(/published whole on .*nothing added/);
  const forced = await runCli(['publish', file, '--nats', server.url, '--force']);
  expect(forced.code).toBe(0);
  // within the stream's duplicate window the message ids are the same: every one dropped
  expect(forced.stdout).toMatch(/in (\d+) messages \(\1 the stream had already: not added\)/);
  expect(await streamRows(server.url, 16)).toEqual(want);
  // the ledger counts the forced publish afresh, not on top of the first
  const after = await runCli(['publish', file, '--nats', server.url]);
  expect(after.stderr).toMatch(/published whole on .* \(69,659 rows in \d+ messages\)/);

  const other = await runCli(['publish', file, '--nats', server.url, '--partitions', '8', '--force']);
  expect(other.code).toBe(2);
  expect(other.stderr).toContain('has 16 partitions, fixed when it was made');
  expect(other.stderr).toContain('RFM_ERR_NATS');
});

test('a publish killed midway, rerun, goes on from its ledger and adds nothing twice', async () => {
  const s = await startNatsServer();
  try {
    const dir = tempDir();
    const file = join(dir, 'orders.arrow');
    const made = await runCli(['generate', '--orders', '600000', '--customers', '60000', '-o', file]);
    expect(made.code).toBe(0);
    const child = spawn(process.execPath, [CLI, 'publish', file, '--nats', s.url]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    // killed once the ledger has a batch of it and before it is whole
    const nc = await connect({ servers: s.url });
    let at = 0;
    try {
      for (;;) {
        const entry = await ledgerEntry(nc).catch(() => undefined);
        if (entry !== undefined && entry.batches >= 1) {
          expect(entry.complete).toBe(false);
          at = entry.batches;
          break;
        }
        if (child.exitCode !== null) throw new Error(`publish ended before it was killed: ${stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      await nc.close();
    }
    child.kill('SIGKILL');
    await exited;
    const rerun = await runCli(['publish', file, '--nats', s.url]);
    expect(rerun.code).toBe(0);
    expect(Number(/going on after batch (\d+)/.exec(rerun.stderr)?.[1])).toBeGreaterThanOrEqual(at);
    // 6 * 10^5 rows: compared by an order-free digest (CDNOW's test above compares the rows themselves)
    expect(await streamRows(s.url, 16, true)).toBe(fileRows(file, true));
  } finally {
    await s.stop();
  }
});

test('a missing input, an unreachable server, refused credentials: each ends with what to do; no secret in the arguments', async () => {
  const missing = await runCli(['publish', 'no-such-orders.csv', '--nats', server.url]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('no-such-orders.csv: no such file [RFM_ERR_INPUT]');

  const closed = await freePort();
  const down = await runCli([
    'publish',
    inject('cdnowArrow'),
    '--nats',
    `nats://127.0.0.1:${closed}`,
    '--nats-timeout',
    '1',
  ]);
  expect(down.code).toBe(2);
  expect(down.stderr).toContain(`cannot reach NATS at nats://127.0.0.1:${closed}`);
  expect(down.stderr).toContain('RFM_ERR_NATS');

  const s = await startNatsServer('authorization { user: shop, password: "s3cret-pw" }');
  try {
    const dir = tempDir();
    const secret = join(dir, 'password');
    writeFileSync(secret, 's3cret-pw\n');
    const file = inject('cdnowSampleArrow');
    const inUrl = await runCli(['publish', file, '--nats', s.url.replace('//', '//shop:s3cret-pw@')]);
    expect(inUrl.code).toBe(2);
    expect(inUrl.stderr).toContain('a password in the URL is visible to ps');
    expect(inUrl.stderr).not.toContain('s3cret-pw');
    const wrong = await runCli(['publish', file, '--nats', s.url, '--nats-user', 'shop'], {
      env: { RFM_NATS_PASSWORD: 'wrong' },
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('refused the credentials');
    const byFile = await runCli([
      'publish',
      file,
      '--nats',
      s.url,
      '--nats-user',
      'shop',
      '--nats-password-file',
      secret,
    ]);
    expect(byFile.stderr).not.toContain('RFM_ERR');
    expect(byFile.code).toBe(0);
    const byEnv = await runCli(['publish', file, '--nats', s.url, '--force'], {
      env: { RFM_NATS_USER: 'shop', RFM_NATS_PASSWORD: 's3cret-pw' },
    });
    expect(byEnv.code).toBe(0);
    expect(byEnv.stdout).toMatch(/\((\d+) the stream had already/);
  } finally {
    await s.stop();
  }
});

test('a token from a file or the environment; a server whose JetStream is full fails with what to do', async () => {
  const dir = tempDir();
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 't0ken-xyz\n');
  const file = inject('cdnowSampleArrow');
  const s = await startNatsServer('authorization { token: "t0ken-xyz" }');
  try {
    const byFile = await runCli(['publish', file, '--nats', s.url, '--nats-token-file', tokenFile]);
    expect(byFile.stderr).not.toContain('RFM_ERR');
    expect(byFile.code).toBe(0);
    const none = await runCli(['publish', file, '--nats', s.url, '--force', '--nats-timeout', '2']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('refused the credentials');
    const byEnv = await runCli(['publish', file, '--nats', s.url, '--force'], { env: { RFM_NATS_TOKEN: 't0ken-xyz' } });
    expect(byEnv.code).toBe(0);
  } finally {
    await s.stop();
  }
  // JetStream with room for the buckets but not for CDNOW's orders
  const full = await startNatsServer('', 'max_file_store: 400KB');
  try {
    const r = await runCli(['publish', inject('cdnowArrow'), '--nats', full.url, '--nats-timeout', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('RFM_ERR_NATS');
    expect(r.stderr).toMatch(/JetStream (refused|did not acknowledge)/);
    expect(r.stderr).toContain('Run the same command again');
  } finally {
    await full.stop();
  }
});

/** A CA, a server certificate for 127.0.0.1 and localhost, and a client certificate, by openssl. */
function certificates(dir: string): Record<'ca' | 'caKey' | 'server' | 'serverKey' | 'client' | 'clientKey', string> {
  const f = (name: string) => join(dir, name);
  const ssl = (...a: string[]) => execFileSync('openssl', a, { stdio: 'ignore' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca-key.pem'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=rfm test CA',
  );
  for (const who of ['server', 'client']) {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      f(`${who}-key.pem`),
      '-out',
      f(`${who}.csr`),
      '-subj',
      `/CN=rfm ${who}`,
    );
    writeFileSync(
      f('ext.cnf'),
      who === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' : 'extendedKeyUsage=clientAuth\n',
    );
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${who}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca-key.pem'),
      '-CAcreateserial',
      '-out',
      f(`${who}.pem`),
      '-days',
      '2',
      '-extfile',
      f('ext.cnf'),
    );
  }
  return {
    ca: f('ca.pem'),
    caKey: f('ca-key.pem'),
    server: f('server.pem'),
    serverKey: f('server-key.pem'),
    client: f('client.pem'),
    clientKey: f('client-key.pem'),
  };
}

test('TLS: the server checked by --nats-ca, this client by its certificate; without them, what to give', async () => {
  const c = certificates(tempDir());
  const s = await startNatsServer(
    `tls { cert_file: "${c.server}", key_file: "${c.serverKey}", ca_file: "${c.ca}", verify: true }`,
  );
  try {
    const file = inject('cdnowSampleArrow');
    const url = s.url.replace('nats://', 'tls://');
    const ok = await runCli([
      'publish',
      file,
      '--nats',
      url,
      '--nats-ca',
      c.ca,
      '--nats-cert',
      c.client,
      '--nats-key',
      c.clientKey,
    ]);
    expect(ok.stderr).not.toContain('RFM_ERR');
    expect(ok.code).toBe(0);
    const noCa = await runCli(['publish', file, '--nats', url, '--nats-timeout', '2', '--force']);
    expect(noCa.code).toBe(2);
    expect(noCa.stderr).toContain('TLS failed');
    expect(noCa.stderr).toContain('--nats-ca');
    const half = await runCli(['publish', file, '--nats', url, '--nats-cert', c.client, '--force']);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--nats-cert and --nats-key go together');
  } finally {
    await s.stop();
  }
});
