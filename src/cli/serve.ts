/** `rfm serve [source]` and `rfm demo`: the live engine behind the dashboard. */
import { fitAliveModel } from '../predict/alive-model.js';
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import type { RecordBatch } from 'apache-arrow';
import { RecordBatchConverter } from '../batch/record-batches.js';
import type { CoreName } from '../engine/shard-host.js';
import { createHash } from 'node:crypto';
import { RfmError } from '../domain/errors.js';
import { loadDefaultModel, loadModel } from '../model/model.js';
import { LiveEngine } from '../server/live.js';
import { Pacer } from '../server/pace.js';
import { startServer } from '../server/server.js';
import type { RunningServer } from '../server/server.js';
import { cartSummaryText } from '../sources/carts/cart-summary.js';
import { csvOptions, csvReadOptions, orderColumnOf, repeatsText } from './engine-inputs.js';
import { RepeatOrders } from '../batch/repeat-orders.js';
import type { CsvReadOptions } from './engine-inputs.js';
import type { InputKind } from '../sources/input-format.js';
import { INPUT_KINDS, describeInput, inputKind, openInput } from '../sources/input-source.js';
import { cartOptions } from './import-cart.js';
import { generateOrders } from '../sources/generator/generator.js';
import { action, exitOnError } from './errors.js';
import { amount, duration, futureBound, oneOf, wholeNumber } from './options.js';
import { DEFAULT_MAX_AMOUNT, DEFAULT_MAX_FUTURE_MS, DEFAULT_MIN_YEAR, notAfter, startOfYear } from '../batch/limits.js';

/** The least time between two fits of the p_alive field's purchase model in a live server. */
const ALIVE_REFIT_MS = 60_000;

interface LiveOptions {
  port: number;
  host: string;
  interval: number;
  token?: string;
  workers: number;
  core: CoreName;
  model?: string;
  maxAmount: number;
  maxFuture?: number;
  minYear: number;
  figures: boolean;
  maxBody: number;
  allowOrigin: string[];
  allowHost: string[];
  predictEvery?: number;
  sendTimeout?: number;
}

function liveOptions(cmd: Command, defaultPort: number): Command {
  return cmd
    .option('--port <n>', 'HTTP and WebSocket port (0: any free one)', wholeNumber('--port', 0, 65535), defaultPort)
    .option('--host <address>', 'address to listen on (127.0.0.1 keeps it on this machine)', '127.0.0.1')
    .option(
      '--interval <ms>',
      'least time between two snapshots pushed to clients',
      wholeNumber('--interval', 50, 60_000),
      250,
    )
    .option('--token <token>', 'require this token on the socket and on /ingest (?token= or Authorization: Bearer)')
    .option(
      '--workers <n>',
      'worker threads, one shard each (0: all in this thread)',
      wholeNumber('--workers', 0, 64),
      availableParallelism(),
    )
    .option('--core <name>', 'kernel: wasm or js', oneOf('--core', ['wasm', 'js'] as const), 'wasm')
    .option(
      '--max-amount <amount>',
      'reject orders and refunds larger than this',
      amount('--max-amount'),
      DEFAULT_MAX_AMOUNT,
    )
    .option(
      '--max-future <duration>',
      'reject events dated more than this ahead of the clock ("off": keep them)',
      futureBound('--max-future'),
      DEFAULT_MAX_FUTURE_MS,
    )
    .option(
      '--min-year <year>',
      'reject events dated before this year (placeholder dates such as 0001-01-01)',
      wholeNumber('--min-year', 1, 9999),
      DEFAULT_MIN_YEAR,
    )
    .option(
      '--allow-origin <origin>',
      'let pages of this origin (https://app.example.com, or * for any) open ' +
        'the socket and POST /ingest; repeat for more',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option(
      '--allow-host <name>',
      "bound to loopback, also answer requests addressed to this name (a reverse proxy's public name); repeat for more",
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option(
      '--max-body <MiB>',
      'largest POST /ingest body, of any type (413 beyond it)',
      wholeNumber('--max-body', 1, 65_536),
      256,
    )
    .option(
      '--no-figures',
      'skip the cultivation and core-retention figures (every customer is ' +
        'measured at each month end; ids are kept in memory)',
    )
    .option(
      '--predict-every <duration>',
      'refit BG/NBD, MBG/NBD and Gamma-Gamma this often (when the state ' +
        'changed) and push the predictions to the page (GET /predictions ' +
        'refits on demand either way)',
      duration('--predict-every'),
    );
}

interface ServeOptions extends LiveOptions, CsvReadOptions {
  rate?: number;
  speed?: number;
  loop?: boolean;
  format: 'auto' | InputKind;
  currency?: string;
  timezone: string;
}

/** How long a stop waits for the server's connections to close and the engine to end. */
const STOP_WAIT_MS = 2000;
const STOP_WAIT_DATA_MS = 60_000;

/** Starts engine and server, and stops both on Ctrl+C. */
async function goLive(
  o: LiveOptions & {
    data?: string;
    checkpointEvery?: number;
    currency?: string;
    timezone?: string;
  } & Partial<CsvReadOptions>,
): Promise<{ live: LiveEngine; server: RunningServer; stop: () => void }> {
  const model = o.model ? loadModel(o.model) : loadDefaultModel();
  // the input's column names (rfm serve FILE's, and those of Arrow bodies POSTed)
  const columns =
    o.customerColumn === undefined
      ? undefined
      : { customer: o.customerColumn, ts: o.tsColumn!, amount: o.amountColumn!, kind: o.kindColumn! };
  // a model testing p_alive refits MBG/NBD at most once a minute, not at every snapshot
  const live = new LiveEngine(
    {
      workers: o.workers,
      core: o.core,
      model,
      columns,
      limits: { maxAmount: o.maxAmount, maxFutureMs: o.maxFuture, notBefore: startOfYear(o.minYear) },
      aliveRefitMs: ALIVE_REFIT_MS,
      fitAlive: fitAliveModel,
    },
    o.interval,
    { figures: o.figures, currency: o.currency, timezone: o.timezone },
  );
  // what must be the same for a --data directory's state to be taken up again
  const identity = {
    workers: live.engine.numShards,
    model: createHash('sha256').update(JSON.stringify(model.file)).digest('hex').slice(0, 16),
    maxAmount: o.maxAmount,
    maxFuture: o.maxFuture ?? null,
  };
  let server: RunningServer;
  try {
    server = await startServer(live, {
      port: o.port,
      host: o.host,
      token: o.token,
      maxIngestBytes: o.maxBody * 2 ** 20,
      allowOrigins: o.allowOrigin,
      allowHosts: o.allowHost,
      predictEveryMs: o.predictEvery,
      sendTimeoutMs: o.sendTimeout,
      data: o.data === undefined ? undefined : { dir: o.data, identity, checkpointEveryMs: o.checkpointEvery },
    });
  } catch (e) {
    await live.close();
    throw e;
  }
  if (o.data === undefined) {
    // nothing to put the lost shard's orders back from: going on would serve a state with a hole
    live.onFault((e) =>
      exitOnError(
        new RfmError(
          'RFM_ERR_WORKER',
          `${e.message};` +
            ` the server stops rather than serve what is left (with --data DIR it restarts the shards from DIR and ` +
            `goes on)`,
        ),
      ),
    );
  }
  live.start();
  let stopping = false;
  const stop = (): void => {
    // a second Ctrl+C, or a close that waits on a client that never lets go, ends it at once:
    // a server asked to stop must stop (it kept running under npm start)
    if (stopping) process.exit(0);
    stopping = true;
    // with --data the last checkpoint may take seconds (it is written atomically: a cut one is not taken)
    setTimeout(() => process.exit(0), o.data === undefined ? STOP_WAIT_MS : STOP_WAIT_DATA_MS).unref();
    void server
      .close()
      .then(() => live.close())
      .then(
        () => process.exit(0),
        () => process.exit(0),
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  const url = o.token ? `${server.url}?token=${encodeURIComponent(o.token)}` : server.url;
  process.stdout.write(
    `rfmstream live at ${url}  (open it in a browser; POST Arrow or CSV to ${server.url}ingest; Ctrl+C stops)\n`,
  );
  return { live, server, stop };
}

/** Feeds RecordBatches at the pacer's pace, in steps of stepRows. */
async function feedBatches(live: LiveEngine, batches: Iterable<RecordBatch>, pacer: Pacer): Promise<void> {
  const step = pacer.stepRows ?? Infinity;
  const convert = new RecordBatchConverter(live.engine.sourceOptions(), 'generator');
  for (const whole of batches) {
    for (let begin = 0; begin < whole.numRows; begin += step) {
      const batch = whole.numRows > step ? whole.slice(begin, Math.min(whole.numRows, begin + step)) : whole;
      await live.ingest(convert.convert(batch));
      await pacer.wait(live.engine.counts.orders, live.engine.watermark);
      if (batch === whole) break;
    }
  }
}

export function serveCommand(program: Command): void {
  csvReadOptions(cartOptions(liveOptions(program.command('serve'), 8080)))
    .description(
      'serve live segment counts over WebSocket and the dashboard at /, fed by an order file and/or POST /ingest',
    )
    .argument(
      '[source]',
      'orders to replay: Arrow IPC, Parquet, CSV (customer_id,ts,amount) or ' +
        "a cart's export (omit to take orders only from POST /ingest)",
    )
    .option(
      '--format <format>',
      `auto (the file's first bytes, then its header, decide), ${INPUT_KINDS.join(', ')}`,
      oneOf('--format', ['auto', ...INPUT_KINDS] as const),
      'auto',
    )
    .option('--rate <orders>', 'replay at most this many orders per second', wholeNumber('--rate', 1, 1e9))
    .option(
      '--speed <factor>',
      'replay at this many times event time (3600: an hour of orders per second)',
      wholeNumber('--speed', 1, 1e12),
    )
    .option('--loop', 'replay the source again when it ends')
    .option('--model <file>', 'segmentation model (JSON rules)')
    .option(
      '--data <dir>',
      'keep every POSTed order in DIR before answering (a log and ' +
        'checkpoints), and take it all up again on start: nothing answered 200 ' +
        'is lost to a crash',
    )
    .option(
      '--send-timeout <duration>',
      'drop a socket client whose snapshot waits unsent this long (it reads nothing)',
      duration('--send-timeout'),
      20_000,
    )
    .option(
      '--checkpoint-every <duration>',
      'with --data: a checkpoint (and the log it covers deleted) at most this often',
      duration('--checkpoint-every'),
      30_000,
    )
    .action(
      action(async (source: string | undefined, o: ServeOptions & { data?: string; checkpointEvery?: number }) => {
        if (source !== undefined && o.data !== undefined) {
          throw new RfmError(
            'RFM_ERR_OPTION',
            '--data keeps POSTed orders; a FILE would be replayed again at every ' +
              'start (not yet): POST it to /ingest instead',
          );
        }
        const kind = source === undefined ? null : await inputKind(source, o.format);
        const { live } = await goLive(o);
        if (!source || kind === null) return;
        const rowsBefore = live.engine.counts.rows;
        void (async () => {
          do {
            const pacer = new Pacer(o.rate, o.speed);
            const start = live.engine.counts.orders;
            const target = live.engine.sourceOptions();
            // a repeated order id counts once within a pass over the file (--loop passes again)
            const repeats = new RepeatOrders();
            const opened = openInput(
              source,
              kind,
              { ...target, names: { ...target.names, order: orderColumnOf(o) } },
              {
                csv: csvOptions(o),
                cart: {
                  currency: o.currency,
                  timezone: o.timezone,
                  notAfter: notAfter({ maxFutureMs: o.maxFuture }),
                  notBefore: startOfYear(o.minYear),
                  maxAmount: o.maxAmount,
                  encoding: o.encoding,
                },
                arrow: { maxBatchRows: pacer.stepRows },
              },
            );
            if (opened.cart !== null) live.addCart(opened.cart);
            for await (const batch of opened.batches) {
              repeats.drop(batch);
              await live.ingest(batch);
              await pacer.wait(live.engine.counts.orders - start, live.engine.watermark);
            }
            if (opened.cart !== null) process.stderr.write(cartSummaryText(opened.cart));
            if (repeats.dropped > 0) process.stderr.write(repeatsText(repeats, o.orderColumn));
          } while (o.loop);
          await live.markSourceDone();
          process.stdout.write(`rfm: replayed ${source} (${describeInput(kind)}); still serving (Ctrl+C stops)\n`);
        })()
          .catch(async (e: unknown) => {
            // a file that fails before its first row is a wrong file: say so and stop; one that
            // fails part-way keeps what was read, and the server (and every POSTed order) stays
            const read = live.engine.counts.rows - rowsBefore;
            if (read === 0 || !(e instanceof RfmError) || e.code === 'RFM_ERR_WORKER') return exitOnError(e);
            process.stderr.write(
              `rfm: ${e.message} [${e.code}]\nrfm: the replay of ${source} stopped after ` +
                `${read.toLocaleString('en-US')} rows; still serving what was read (Ctrl+C stops)\n`,
            );
            await live.markSourceDone(e.message);
          })
          .catch(exitOnError);
      }),
    );

  liveOptions(program.command('demo'), 8080)
    .description('the dashboard on a generated history, replayed at a pace a person can watch (what npm start runs)')
    .option('--customers <n>', 'customers', wholeNumber('--customers', 1, 10_000_000), 50_000)
    .option('--orders <n>', 'orders', wholeNumber('--orders', 1, 100_000_000), 1_000_000)
    .option('--rate <orders>', 'orders per second', wholeNumber('--rate', 1, 1e9), 20_000)
    .action(
      action(async (o: LiveOptions & { customers: number; orders: number; rate: number }) => {
        const { live, stop } = await goLive(o);
        // npm start runs the demo: when npm goes (SIGTERM to npm does not reach its script's
        // process), the demo goes too rather than hold the port as an orphan
        const parent = process.ppid;
        setInterval(() => {
          if (process.ppid !== parent) stop();
        }, 1000).unref();
        process.stdout.write(
          `rfm: replaying ${o.orders.toLocaleString('en-US')} generated orders of ` +
            `${o.customers.toLocaleString('en-US')} customers at ${o.rate.toLocaleString('en-US')} orders/s\n`,
        );
        void (async () => {
          await feedBatches(
            live,
            generateOrders({ customers: o.customers, orders: Math.max(o.orders, o.customers), seed: 1 }),
            new Pacer(o.rate),
          );
          await live.markSourceDone();
          process.stdout.write('rfm: the generated history is replayed; still serving (Ctrl+C stops)\n');
        })().catch(exitOnError);
      }),
    );
}
