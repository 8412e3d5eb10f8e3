/**
 * The connection to NATS, as every cluster command makes it: the server's URL by option,
 * secrets only from files or the environment (a process's arguments are visible to anyone
 * on the machine who runs ps), a first connection retried with backoff until a deadline,
 * then a clear error.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { connect } from '@nats-io/transport-node';
import type { ConnectionOptions, NatsConnection } from '@nats-io/transport-node';
import { RfmError } from '../domain/errors.js';

/** The NATS options of a command, as commander gives them. */
export interface NatsOptions {
  nats: string;
  natsUser?: string;
  natsPasswordFile?: string;
  natsTokenFile?: string;
  natsCa?: string;
  natsCert?: string;
  natsKey?: string;
  /** Seconds to wait for the server (to connect, for an ack) before failing. */
  natsTimeout: number;
}

/** The environment variables that may hold what the options' files would. */
export const NATS_ENV = { user: 'RFM_NATS_USER', password: 'RFM_NATS_PASSWORD', token: 'RFM_NATS_TOKEN' } as const;

/** The NATS options on a command. */
export function natsOptions(c: Command, required = true): Command {
  const url = '--nats <url>';
  const urlHelp = 'the NATS server (nats://host:4222; several comma-separated)';
  if (required) c.requiredOption(url, urlHelp);
  else c.option(url, urlHelp);
  return c
    .option('--nats-user <name>', `NATS user name (or ${NATS_ENV.user})`)
    .option('--nats-password-file <file>', `file holding the NATS password (or ${NATS_ENV.password})`)
    .option('--nats-token-file <file>', `file holding a NATS token (or ${NATS_ENV.token})`)
    .option('--nats-ca <file>', 'TLS: the CA certificate the server is checked against (PEM)')
    .option('--nats-cert <file>', 'TLS: this client’s certificate (PEM), with --nats-key')
    .option('--nats-key <file>', 'TLS: this client’s private key (PEM)')
    .option(
      '--nats-timeout <seconds>',
      'wait this long for an unreachable server or a missing acknowledgement before failing',
      (v: string) => {
        const n = Number(v);
        if (!(Number.isFinite(n) && n > 0 && n <= 3600))
          throw new RfmError('RFM_ERR_OPTION', `--nats-timeout must be seconds between 0 and 3600, got ${v}`);
        return n;
      },
      30,
    );
}

function secretOf(file: string | undefined, env: string, option: string): string | undefined {
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new RfmError('RFM_ERR_OPTION', `${option} ${file}: ${(e as Error).message}`);
    }
  }
  const v = process.env[env];
  return v === undefined || v === '' ? undefined : v;
}

/** The client's connection options from a command's. Throws RFM_ERR_OPTION on what cannot work. */
export function connectionOptions(o: NatsOptions, name: string): ConnectionOptions {
  const servers = o.nats.split(',').map((s) => s.trim());
  for (const s of servers) {
    // nats://user:secret@host would put the secret in the process's arguments
    if (/^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(s))
      throw new RfmError(
        'RFM_ERR_OPTION',
        `--nats ${s.replace(/:[^:/@]*@/, ':***@')}: a password in the URL is visible to ps; ` +
          `give it by --nats-password-file or ${NATS_ENV.password}`,
      );
  }
  const user = o.natsUser ?? process.env[NATS_ENV.user];
  const pass = secretOf(o.natsPasswordFile, NATS_ENV.password, '--nats-password-file');
  const token = secretOf(o.natsTokenFile, NATS_ENV.token, '--nats-token-file');
  if (token !== undefined && user !== undefined)
    throw new RfmError('RFM_ERR_OPTION', 'NATS takes a user and password or a token, not both');
  if ((o.natsCert === undefined) !== (o.natsKey === undefined))
    throw new RfmError('RFM_ERR_OPTION', '--nats-cert and --nats-key go together');
  const tls =
    o.natsCa !== undefined || o.natsCert !== undefined
      ? { caFile: o.natsCa, certFile: o.natsCert, keyFile: o.natsKey }
      : undefined;
  return {
    servers,
    name,
    user,
    pass,
    token,
    tls,
    // after the first connection, the client reconnects on its own for as long as the run
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
}

const AUTH = /authori[sz]ation|authentication/i;
const TLS = /certificate|altnames|self[- ]signed|\btls\b|\bssl\b|handshake/i;

/** What a failed connection means to the user, and what to do. */
function explain(e: unknown, servers: string): string {
  const m = e instanceof Error ? e.message : String(e);
  if (TLS.test(m))
    return (
      `NATS at ${servers}: TLS failed (${m}): give the CA that signed the server's certificate by --nats-ca, ` +
      `and this client's certificate by --nats-cert and --nats-key if the server asks for one`
    );
  if (AUTH.test(m))
    return `NATS at ${servers} refused the credentials (${m}): check --nats-user, --nats-password-file or --nats-token-file`;
  return `cannot reach NATS at ${servers} (${m}): is nats-server running there, with JetStream on?`;
}

/** Connects, retrying with backoff until o.natsTimeout seconds have passed. Throws RFM_ERR_NATS. */
export async function connectNats(o: NatsOptions, name: string): Promise<NatsConnection> {
  const options = connectionOptions(o, name);
  const deadline = performance.now() + o.natsTimeout * 1000;
  let wait = 250;
  for (;;) {
    try {
      return await connect({ ...options, timeout: Math.min(5000, o.natsTimeout * 1000) });
    } catch (e) {
      const m = e instanceof Error ? e.message : '';
      // wrong credentials or certificates do not get better by waiting
      if (AUTH.test(m) || TLS.test(m) || performance.now() + wait > deadline)
        throw new RfmError('RFM_ERR_NATS', explain(e, o.nats), { cause: e });
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 5000);
    }
  }
}
