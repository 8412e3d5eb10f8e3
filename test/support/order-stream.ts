/**
 * The order stream read back by a test, as a node would read it: every message of
 * RFM_ORDERS, its partition (from its subject) and its rows through the engine's own
 * conversion.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { RecordBatchReader } from 'apache-arrow';
import { BufferPool } from '../../src/batch/buffer-pool.js';
import { columnBatchOver } from '../../src/batch/column-batch.js';
import { RecordBatchConverter } from '../../src/batch/record-batches.js';
import { DEFAULT_COLUMNS } from '../../src/batch/schema.js';
import { CLUSTER_BUCKET, STREAM, SUBJECT_PREFIX } from '../../src/cluster/order-stream.js';
import { fmix32 } from '../../src/core/hash.js';
import type { ColumnBatch } from '../../src/domain/types.js';

export interface StreamMessage {
  seq: number;
  partition: number;
  rows: ColumnBatch;
}

/** The engine's own conversion, with the default columns, one part a batch. */
export function engineConverter(): RecordBatchConverter {
  return new RecordBatchConverter({
    names: DEFAULT_COLUMNS,
    asOf: undefined,
    numShards: 1,
    recycleFrom: new BufferPool(),
    keepRejects: false,
  });
}

/** Every message on the stream now. */
export async function streamMessages(url: string): Promise<StreamMessage[]> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const total = (await jsm.streams.info(STREAM)).state.messages;
    const out: StreamMessage[] = [];
    if (total === 0) return out;
    const consumer = await jetstream(nc).consumers.get(STREAM);
    const messages = await consumer.consume();
    const converter = engineConverter();
    for await (const m of messages) {
      const partition = Number(m.subject.slice(SUBJECT_PREFIX.length + 1));
      for (const rb of RecordBatchReader.from(m.data)) {
        const c = converter.convert(rb);
        out.push({ seq: m.seq, partition, rows: columnBatchOver(c.parts[0].buffer, c.parts[0].shape) });
      }
      if (m.info.pending === 0) break;
    }
    await messages.close();
    return out;
  } finally {
    await nc.close();
  }
}

/** A converted batch's rows as text lines (id, time, amount, kind), for comparing multisets. */
export function rowLines(b: ColumnBatch, keep: (i: number) => boolean = () => true): string[] {
  const decoder = new TextDecoder();
  const lines: string[] = [];
  for (let i = 0; i < b.numRows; i++) {
    if (!keep(i)) continue;
    const id =
      b.idMode === 'int'
        ? `${b.idWords![2 * i]}:${b.idWords![2 * i + 1]}`
        : decoder.decode(b.idBytes!.subarray(b.idOffsets![i], b.idOffsets![i + 1]));
    lines.push(`${id},${b.ts[i]},${b.amount[i]},${b.kind[i]}`);
  }
  return lines;
}

/** The last ledger entry of the cluster's bucket (it throws until the bucket is made), or undefined. */
export async function ledgerEntry(nc: NatsConnection): Promise<{ batches: number; complete: boolean } | undefined> {
  const kv = await new Kvm(nc).open(CLUSTER_BUCKET);
  let key: string | undefined;
  for await (const k of await kv.keys('published.>')) key = k;
  return key === undefined ? undefined : (await kv.get(key))?.json<{ batches: number; complete: boolean }>();
}

/**
 * An order-free digest of rows (id, time, amount, kind): their count and two sums of row
 * hashes. Equal multisets of rows give equal digests; comparing 10^6 sorted lines costs
 * seconds where this costs milliseconds.
 */
export class RowDigest {
  private n = 0;
  private a = 0;
  private b = 0;
  private readonly f = new Float64Array(1);
  private readonly w = new Int32Array(this.f.buffer);

  add(rows: ColumnBatch, keep: (i: number) => boolean = () => true): this {
    for (let i = 0; i < rows.numRows; i++) {
      if (!keep(i)) continue;
      let h = rows.kind[i];
      if (rows.idMode === 'int') h = fmix32(h ^ fmix32(rows.idWords![2 * i] ^ fmix32(rows.idWords![2 * i + 1])));
      else for (let j = rows.idOffsets![i]; j < rows.idOffsets![i + 1]; j++) h = fmix32(h ^ rows.idBytes![j]);
      for (const v of [rows.ts[i], rows.amount[i]]) {
        this.f[0] = v;
        h = fmix32(h ^ fmix32(this.w[0] ^ fmix32(this.w[1])));
      }
      this.n++;
      this.a = (this.a + h) >>> 0;
      this.b = (this.b + fmix32(h ^ 0x2545f491)) >>> 0;
    }
    return this;
  }

  toString(): string {
    return `${this.n} rows, ${this.a.toString(16)}:${this.b.toString(16)}`;
  }
}
