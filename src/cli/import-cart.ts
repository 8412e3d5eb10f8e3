/** `rfm import shopify|woocommerce|magento|bigcommerce|auto`: a cart's order exports to Arrow IPC. */
import { rmSync, statSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RfmError } from '../domain/errors.js';
import { checkNotCutShort } from '../sources/cut-short.js';
import { CART_NAMES } from '../sources/carts/cart-preset.js';
import type { CartName } from '../sources/carts/cart-preset.js';
import { newCartSummary } from '../sources/carts/cart-summary.js';
import type { CartImportOptions } from '../sources/carts/cart-import.js';
import { cartSummaryJson, cartSummaryText } from '../sources/carts/cart-summary.js';
import { PRESETS } from '../sources/carts/carts.js';
import { action } from './errors.js';
import { amount, futureBound, oneOf, wholeNumber } from './options.js';
import { DEFAULT_MAX_AMOUNT, DEFAULT_MAX_FUTURE_MS, DEFAULT_MIN_YEAR, notAfter, startOfYear } from '../batch/limits.js';
import { Progress } from './progress.js';

interface CartCliOptions {
  output: string;
  currency?: string;
  timezone: string;
  json?: string;
  dateFormat?: 'dd/mm/yyyy' | 'mm/dd/yyyy';
  decimalComma?: boolean;
  maxFuture?: number;
  maxAmount: number;
  minYear: number;
  encoding: 'utf8' | 'latin1';
}

export const CART_DATE_FORMATS = ['dd/mm/yyyy', 'mm/dd/yyyy'] as const;

/** The options every cart reader takes, on a command (import and replay share them). */
export function cartOptions(c: Command): Command {
  return c
    .option(
      '--currency <code>',
      "the store's currency (default: the most common one; Magento: the base); orders in others are counted apart",
    )
    .option(
      '--timezone <zone>',
      "the store's time zone (IANA, e.g. Europe/Berlin) for times written without an offset",
      'UTC',
    );
}

/** The file's size for a progress bar, 0 when it has none (stdin, a pipe). */
function sizeOf(file: string): number {
  try {
    const s = statSync(file);
    return s.isFile() ? s.size : 0;
  } catch {
    return 0;
  }
}

async function importCart(preset: CartName | 'auto', files: string[], o: CartCliOptions): Promise<void> {
  if (o.currency !== undefined && !/^[A-Za-z]{3}$/.test(o.currency.trim()))
    throw new RfmError(
      'RFM_ERR_OPTION',
      `--currency must be a three-letter code such as USD or EUR, got ${o.currency}`,
    );
  if (files.filter((f) => f === '-').length > 1) throw new RfmError('RFM_ERR_OPTION', 'stdin (-) can be read once');
  for (const f of files) checkNotCutShort(f, ',');
  const summary = newCartSummary();
  const progress = new Progress('import', 'bytes');
  const total = files.reduce((t, f) => t + sizeOf(f), 0);
  progress.total = total > 0 ? total : null;
  let bytes = 0;
  const options: CartImportOptions = {
    preset,
    currency: o.currency,
    timezone: o.timezone,
    dateFormat: o.dateFormat,
    decimalComma: o.decimalComma ?? false,
    notAfter: notAfter({ maxFutureMs: o.maxFuture }),
    notBefore: startOfYear(o.minYear),
    maxAmount: o.maxAmount,
    encoding: o.encoding,
    onBytes: (b) => {
      bytes += b;
      progress.update(bytes, summary.rows);
    },
  };
  try {
    // loaded here: the cart options above are every engine command's, the writer is import's
    const { writeArrow } = await import('../report/arrow-writer.js');
    const { readCartOrders } = await import('../sources/carts/cart-import.js');
    await writeArrow(o.output, readCartOrders(files, options, summary));
    if (summary.orders === 0) {
      throw new RfmError(
        'RFM_ERR_INPUT',
        `${files.join(', ')}: no orders to import (${summary.rows.toLocaleString('en-US')} rows; ` +
          `${Object.values(summary.excluded).reduce((a, b) => a + b, 0)} excluded, ${summary.rejected} rejected, ` +
          `${Object.values(summary.otherCurrencies).reduce((a, b) => a + b, 0)} in other currencies)`,
      );
    }
  } catch (e) {
    // no output rather than a part of one that looks whole
    if (o.output !== '-') rmSync(o.output, { force: true });
    throw e;
  } finally {
    progress.done();
  }
  process.stderr.write(cartSummaryText(summary));
  process.stderr.write(
    `rfm: wrote ${(summary.orders + summary.refundEvents).toLocaleString('en-US')} events to ` +
      `${o.output === '-' ? 'stdout' : o.output}\n`,
  );
  if (o.json) {
    const text = JSON.stringify(cartSummaryJson(summary), null, 2) + '\n';
    if (o.json === '-') process.stdout.write(text);
    else writeFileSync(o.json, text);
  }
}

export function importCartCommands(imp: Command): void {
  for (const name of [...CART_NAMES, 'auto'] as const) {
    const what = name === 'auto' ? "a cart's order export, the cart told by its header" : `${PRESETS[name].title}s`;
    cartOptions(imp.command(name).description(what))
      .argument('<files...>', 'export CSV files (one store; - for stdin)')
      .requiredOption('-o, --output <file>', 'Arrow IPC output (- for stdout)')
      .option('--json <file>', 'write the import summary as JSON (- for stdout)')
      .option(
        '--date-format <format>',
        'slashed dates whose day and month both could be either: dd/mm/yyyy or mm/dd/yyyy (default: told by the file)',
        oneOf('--date-format', CART_DATE_FORMATS),
      )
      .option('--decimal-comma', 'money uses "," as the decimal mark (1.306,00)')
      .option(
        '--max-future <duration>',
        'reject orders dated more than this ahead of the clock ("off": keep them)',
        futureBound('--max-future'),
        DEFAULT_MAX_FUTURE_MS,
      )
      .option(
        '--min-year <year>',
        'reject orders dated before this year (placeholder dates such as 0001-01-01)',
        wholeNumber('--min-year', 1, 9999),
        DEFAULT_MIN_YEAR,
      )
      .option(
        '--max-amount <amount>',
        'reject orders whose total or refund is larger than this',
        amount('--max-amount'),
        DEFAULT_MAX_AMOUNT,
      )
      .option(
        '--encoding <encoding>',
        'how the export is text, utf8 (checked) or latin1',
        oneOf('--encoding', ['utf8', 'latin1'] as const),
        'utf8',
      )
      .action(action(async (files: string[], o: CartCliOptions) => importCart(name, files, o)));
  }
}
