/**
 * `rfm publish INPUT... --nats URL [--partitions P]`: any input replay reads, into the order
 * stream in JetStream, a message per batch and partition (src/cluster/publisher.ts). An
 * input the ledger says was published whole adds nothing; one a killed publish left half
 * done goes on from its last acknowledged batch.
 */
import type { Command } from 'commander';
import { BufferPool } from '../batch/buffer-pool.js';
import { columnBatchOver } from '../batch/column-batch.js';
import { startOfYear } from '../batch/limits.js';
import { RepeatOrders } from '../batch/repeat-orders.js';
import type { ConversionTarget } from '../batch/record-batches.js';
import { DEFAULT_COLUMNS } from '../batch/schema.js';
import { connectNats, natsOptions } from '../cluster/nats-connection.js';
import type { NatsOptions } from '../cluster/nats-connection.js';
import { openOrderStream, STREAM } from '../cluster/order-stream.js';
import { MAX_PARTITIONS } from '../cluster/partition.js';
import { inputDigest, Publisher } from '../cluster/publisher.js';
import type { LedgerEntry } from '../cluster/publisher.js';
import type { NatsConnection } from '@nats-io/transport-node';
import { RfmError } from '../domain/errors.js';
import { describeInput, inputKind, openInput } from '../sources/input-source.js';
import type { InputKind } from '../sources/input-format.js';
import { csvOptions, inputOptions, inputReadOptions, inputUnits, orderColumnOf, repeatsText } from './engine-inputs.js';
import type { InputOptions } from './engine-inputs.js';
import { action } from './errors.js';
import { wholeNumber } from './options.js';
import { Progress } from './progress.js';

interface PublishOptions extends InputOptions, NatsOptions {
  partitions?: number;
  force?: boolean;
}

export function publishCommand(program: Command): void {
  const cmd = program
    .command('publish')
    .description(
      'publish order files to the order stream in NATS JetStream, split by partition, for `rfm node` to apply; ' +
        'publishing an input again adds nothing',
    )
    .argument('<inputs...>', 'order files, as rfm replay reads them (- for Arrow on stdin)')
    .option(
      '--partitions <n>',
      `partitions of a new stream (default 16); an existing stream keeps its own`,
      wholeNumber('--partitions', 1, MAX_PARTITIONS),
    )
    .option(
      '--force',
      'publish inputs the ledger says were published (the stream still drops what it saw within the hour)',
    );
  inputOptions(natsOptions(cmd)).action(action(publish));
}

/** What the readers convert for: the command's columns and row limits, one part a batch. */
function targetOf(o: PublishOptions, pool: BufferPool): ConversionTarget {
  return {
    names: {
      ...DEFAULT_COLUMNS,
      customer: o.customerColumn,
      ts: o.tsColumn,
      amount: o.amountColumn,
      kind: o.kindColumn,
      order: orderColumnOf(o),
    },
    asOf: undefined,
    numShards: 1,
    recycleFrom: pool,
    keepRejects: false,
    limits: { maxAmount: o.maxAmount, maxFutureMs: o.maxFuture, notBefore: startOfYear(o.minYear) },
  };
}

async function publish(inputs: string[], o: PublishOptions): Promise<void> {
  if (inputs.filter((i) => i === '-').length > 1) throw new RfmError('RFM_ERR_OPTION', 'stdin (-) can be read once');
  const kinds = new Map<string, InputKind>();
  for (const input of inputs) kinds.set(input, await inputKind(input, o.format));
  const nc = await connectNats(o, 'rfm publish');
  try {
    await publishInputs(inputs, kinds, o, nc);
  } catch (e) {
    if (e instanceof RfmError && e.code === 'RFM_ERR_NATS' && /JetStream (did not acknowledge|refused)/.test(e.message))
      throw new RfmError(
        'RFM_ERR_NATS',
        `${e.message} Run the same command again once it is: it goes on after the last batch acknowledged, ` +
          'and adds nothing twice',
        { cause: e },
      );
    throw e;
  } finally {
    await nc.close();
  }
}

async function publishInputs(
  inputs: string[],
  kinds: Map<string, InputKind>,
  o: PublishOptions,
  nc: NatsConnection,
): Promise<void> {
  const stream = await openOrderStream(nc, o.partitions);
  const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
  const publisher = new Publisher(nc, stream, maxPayload, o.natsTimeout * 1000);
  const pool = new BufferPool();
  const target = targetOf(o, pool);
  const repeats = new RepeatOrders();
  const progress = new Progress('publish', 'batches');
  let rejected = 0;
  let skipped = 0;
  let batchesBefore = 0;
  for (const unit of inputUnits(inputs, kinds)) {
    const name = unit.paths.map((p) => (p === '-' ? 'stdin' : p)).join(', ');
    const readAs = {
      kind: unit.kind,
      columns: target.names,
      limits: target.limits,
      csv: csvOptions(o),
      cart: cartReading(o),
    };
    // stdin cannot be read twice, so it has no digest: its messages' ids come from their place and content
    const digest = unit.paths.includes('-') ? null : await inputDigest(unit.paths, readAs);
    const before = digest === null ? null : await publisher.ledger(digest);
    if (before?.complete && !o.force) {
      process.stderr.write(
        `rfm: ${name}: published whole on ${before.at} (${before.rows.toLocaleString('en-US')} rows in ` +
          `${before.messages.toLocaleString('en-US')} messages): nothing added (--force publishes it again)\n`,
      );
      skipped++;
      continue;
    }
    // a resumed publish adds to what the one before sent; a forced one counts afresh
    const resumed = before !== null && !before.complete ? before : null;
    const resumeAt = resumed?.batches ?? 0;
    if (resumeAt > 0)
      process.stderr.write(`rfm: ${name}: going on after batch ${resumeAt}, where a publish of it stopped\n`);
    const entry: LedgerEntry = {
      inputs: unit.paths,
      batches: 0,
      complete: false,
      messages: resumed?.messages ?? 0,
      rows: resumed?.rows ?? 0,
      at: '',
    };
    const opened = openInput(
      unit.paths,
      unit.kind,
      target,
      inputReadOptions(o, unit.kind, progress, () => batchesBefore),
    );
    if (unit.kind !== 'arrow') progress.total = null;
    let batch = 0;
    for await (const c of opened.batches) {
      // before the resume point too: an order id seen there is a repeat after it
      repeats.drop(c);
      const part = c.parts[0];
      if (batch >= resumeAt) {
        rejected += c.rejected;
        const sent = await publisher.publishBatch(
          columnBatchOver(part.buffer, part.shape),
          c.unsignedIds === true,
          `${digest ?? 'stdin'}.${batch}`,
        );
        entry.messages += sent.messages;
        entry.rows += sent.rows;
        if (digest !== null)
          await publisher.record(digest, { ...entry, batches: batch + 1, at: new Date().toISOString() });
      }
      for (const b of new Set(c.parts.map((p) => p.buffer))) pool.give(b);
      batch++;
      progress.update(batchesBefore + batch, publisher.counts.rows);
    }
    batchesBefore += batch;
    if (digest !== null)
      await publisher.record(digest, { ...entry, batches: batch, complete: true, at: new Date().toISOString() });
    process.stderr.write(`rfm: ${name}: ${describeInput(unit.kind)}\n`);
  }
  progress.done();
  if (repeats.dropped > 0) process.stderr.write(repeatsText(repeats, o.orderColumn));
  const k = publisher.counts;
  const dup = k.duplicates > 0 ? ` (${k.duplicates.toLocaleString('en-US')} the stream had already: not added)` : '';
  process.stdout.write(
    `published ${plural(k.rows, 'row')} in ${plural(k.messages, 'message')}` +
      `${dup} to ${STREAM}, ${stream.partitions} partitions` +
      (rejected > 0 ? `; ${plural(rejected, 'row')} rejected` : '') +
      (skipped > 0 ? `; ${plural(skipped, 'input')} published before, left out` : '') +
      '\n',
  );
}

/** The options of a cart export's reading that change its rows (for the digest; the row limits are the target's). */
function cartReading(o: PublishOptions): Record<string, unknown> {
  return {
    currency: o.currency,
    timezone: o.timezone,
    decimalComma: o.decimalComma,
    dateFormat: o.dateFormat,
    encoding: o.encoding,
  };
}

function plural(n: number, what: string): string {
  return `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}
