/**
 * The one front door for an input: Arrow IPC, Parquet, plain CSV or a cart's export, told
 * apart by the content (magic bytes, then the header) unless the caller names it, each
 * read by its reader into the converted batches an engine applies.
 */
import type { ConvertedInput } from '../batch/converted.js';
import { convertRecordBatches } from '../batch/record-batches.js';
import type { ConversionTarget } from '../batch/record-batches.js';
import { DEFAULT_COLUMNS } from '../batch/schema.js';
import type { ArrowSourceOptions } from './arrow/source.js';
import type { CartImportOptions } from './carts/cart-import.js';
import { newCartSummary } from './carts/cart-summary.js';
import type { CartSummary } from './carts/cart-summary.js';
import { CART_NAMES } from './carts/cart-preset.js';
import type { CartName } from './carts/cart-preset.js';
import { PRESETS } from './carts/carts.js';
import type { CsvImportOptions } from './csv/csv-options.js';
import { readCsvOrConvert } from './csv/orders.js';
import { newImportStats } from './import-stats.js';
import type { ImportStats } from './import-stats.js';
import { checkNotCutShort } from './cut-short.js';
import { detectInput } from './input-format.js';
import { later } from './later.js';
import type { InputKind } from './input-format.js';

/** What --format names: Arrow IPC, Parquet, plain CSV, or one of the carts' exports. */
export const INPUT_KINDS: InputKind[] = ['arrow', 'parquet', 'csv', ...CART_NAMES];

export interface InputReadOptions {
  /** How plain CSV is read. */
  csv: CsvImportOptions;
  /** How a cart's export is read. */
  cart: Omit<CartImportOptions, 'preset'>;
  /** How Arrow IPC and Parquet are read (beyond the target's options). */
  arrow: Omit<ArrowSourceOptions, keyof ConversionTarget | 'format'>;
}

export interface OpenedInput {
  kind: InputKind;
  batches: AsyncGenerator<ConvertedInput>;
  /** What the plain CSV reader counted. */
  csvStats: ImportStats;
  /** A cart export's summary (complete when the batches end), or null. */
  cart: CartSummary | null;
}

/** The cart an input kind is, or null. */
export function cartOf(kind: InputKind): CartName | null {
  return kind === 'arrow' || kind === 'parquet' || kind === 'csv' ? null : kind;
}

/**
 * The kind of an input: the one asked for, else its content's (stdin is Arrow: its bytes cannot be
 * looked at twice).
 */
export async function inputKind(path: string, asked: 'auto' | InputKind): Promise<InputKind> {
  if (asked !== 'auto') return asked;
  return path === '-' ? 'arrow' : ((await detectInput(path)) ?? 'arrow');
}

/** How an input is read, in words. */
export function describeInput(kind: InputKind): string {
  if (kind === 'arrow') return 'Arrow IPC';
  if (kind === 'parquet') return 'Parquet';
  if (kind === 'csv') return 'CSV';
  return `${PRESETS[kind].title} (preset ${kind})`;
}

/**
 * The input's converted batches for the target engine, by the reader of its kind. A cart's
 * exports are one input of several files (paths), read as `rfm import` reads them: an order
 * id in two of them (overlapping exports) is one order.
 */
export function openInput(
  path: string | string[],
  kind: InputKind,
  target: ConversionTarget,
  o: InputReadOptions,
): OpenedInput {
  const csvStats = newImportStats();
  const preset = cartOf(kind);
  const paths = typeof path === 'string' ? [path] : path;
  if (preset !== null) {
    for (const p of paths) checkNotCutShort(p, ',');
    const cart = newCartSummary();
    // the cart reader writes the default column names, whatever the export called them
    const batches = convertRecordBatches(
      later(async () => (await import('./carts/cart-import.js')).readCartOrders(paths, { ...o.cart, preset }, cart)),
      { ...target, names: DEFAULT_COLUMNS },
      paths.join(', '),
    );
    return { kind, batches, csvStats, cart };
  }
  if (paths.length !== 1) throw new Error("only a cart's exports are read as one input of several files");
  path = paths[0];
  if (kind === 'csv') checkNotCutShort(path, o.csv.delimiter);
  if (kind === 'csv') return { kind, batches: readCsvOrConvert(path, o.csv, target, csvStats), csvStats, cart: null };
  return {
    kind,
    batches: later(async () =>
      (await import('./arrow/source.js')).readArrow(path, {
        ...target,
        ...o.arrow,
        format: kind === 'parquet' ? 'parquet' : 'arrow',
      }),
    ),
    csvStats,
    cart: null,
  };
}
