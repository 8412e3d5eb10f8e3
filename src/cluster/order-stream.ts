/**
 * The order stream in JetStream: one stream, a subject a partition, and the cluster's own
 * key-value bucket that keeps what the stream's users must agree on (the number of
 * partitions, fixed when the stream is made) and the ledger of published inputs.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { nanos } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { RfmError } from '../domain/errors.js';
import { MAX_PARTITIONS } from './partition.js';

export const STREAM = 'RFM_ORDERS';
export const SUBJECT_PREFIX = 'rfm.orders';
/** Where a node copies a message it cannot read (rfm.dead.<partition>), kept by the stream RFM_DEAD. */
export const DEAD_STREAM = 'RFM_DEAD';
export const DEAD_PREFIX = 'rfm.dead';
/** The bucket of the cluster's settings and ledger. */
export const CLUSTER_BUCKET = 'rfm_cluster';
export const DEFAULT_PARTITIONS = 16;
/**
 * How long the stream remembers a message id: a publish rerun within it adds nothing even
 * for the batch it was killed in; beyond it the ledger says where to go on from.
 */
export const DUPLICATE_WINDOW_MS = 60 * 60 * 1000;

export function subjectOf(partition: number): string {
  return `${SUBJECT_PREFIX}.${partition}`;
}

export interface OrderStream {
  partitions: number;
  /** The cluster's bucket: settings and the publish ledger. */
  kv: KV;
}

/**
 * Opens the order stream, making it and its settings when the server has none. partitions:
 * what the command was given (undefined: the stream's own, or the default for a new one);
 * a stream made with another count is refused, since every customer's partition would move.
 */
export async function openOrderStream(nc: NatsConnection, partitions: number | undefined): Promise<OrderStream> {
  let kv: KV;
  try {
    kv = await new Kvm(nc).create(CLUSTER_BUCKET, { history: 1 });
  } catch (e) {
    throw new RfmError(
      'RFM_ERR_NATS',
      `NATS at ${nc.getServer()}: cannot open the bucket ${CLUSTER_BUCKET} (${(e as Error).message}); ` +
        'is JetStream on (nats-server -js, or a jetstream block in its configuration)?',
      { cause: e },
    );
  }
  let kept = await kv.get('partitions');
  if (kept === null || kept.operation !== 'PUT') {
    try {
      await kv.create('partitions', String(partitions ?? DEFAULT_PARTITIONS));
    } catch {
      // another publish made it first: its count holds
    }
    kept = await kv.get('partitions');
  }
  const has = Number(kept?.string());
  if (!(Number.isInteger(has) && has >= 1 && has <= MAX_PARTITIONS))
    throw new RfmError('RFM_ERR_NATS', `the bucket ${CLUSTER_BUCKET} holds no partition count rfmstream wrote`);
  if (partitions !== undefined && partitions !== has)
    throw new RfmError(
      'RFM_ERR_NATS',
      `the stream ${STREAM} has ${has} partitions, fixed when it was made; --partitions ${partitions} would ` +
        `move customers between them. Leave --partitions out, or start a new stream on another server`,
    );
  const jsm = await jetstreamManager(nc);
  for (const [name, prefix] of [
    [STREAM, SUBJECT_PREFIX],
    [DEAD_STREAM, DEAD_PREFIX],
  ]) {
    try {
      await jsm.streams.info(name);
    } catch {
      try {
        await jsm.streams.add({ name, subjects: [`${prefix}.*`], duplicate_window: nanos(DUPLICATE_WINDOW_MS) });
      } catch (e) {
        // made by another at the same moment is made
        await jsm.streams.info(name).catch(() => {
          throw new RfmError('RFM_ERR_NATS', `cannot make the stream ${name}: ${(e as Error).message}`, { cause: e });
        });
      }
    }
  }
  return { partitions: has, kv };
}
