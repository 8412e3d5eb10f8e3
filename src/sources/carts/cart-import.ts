/**
 * A cart's order export to order events, on the WebAssembly scanner: each scan gives the
 * places of the preset's columns (scanFields), and only an order's first row is read as
 * text. One order per order id (later rows of an id are its other line items, or a
 * repeat from an overlapping export); its total becomes an order event and its refund a
 * refund event at the order's own time (the exports carry no refund date). Orders left out
 * by the preset's rules are counted by reason; orders that cannot be read (no customer, a
 * time or total that does not read) are counted as rejected, with the line of the first.
 */
import type { RecordBatch } from 'apache-arrow';
import { RfmError } from '../../domain/errors.js';
import { Kind } from '../../domain/types.js';
import { OrderBatchBuffer } from '../batch-builder.js';
import { checkScan, readHeader, scanWindows, sourceName } from '../csv/source.js';
import type { ScanWindow } from '../csv/source.js';
import type { TextEncoding } from '../csv/lines.js';
import { CsvScanner, MAX_KEPT_COLUMNS } from '../csv/scanner.js';
import { ROLES, headerWord } from './cart-preset.js';
import type { CartName, CartPreset, OrderValues, Role } from './cart-preset.js';
import { PRESETS, detectCart } from './carts.js';
import { CartTime, parseMoney } from './cart-values.js';
import type { DayOrder } from './cart-values.js';
import { ZoneClock } from './zone-time.js';
import { TOO_LATE } from './cart-summary.js';
import type { CartSummary, RejectReason } from './cart-summary.js';
import { ByteSet } from '../../batch/byte-set.js';
import { DEFAULT_MAX_AMOUNT, TOO_EARLY, tooLarge } from '../../batch/limits.js';
import { FieldText, plainMoney } from './field-text.js';

/** Columns of a few values each, whose texts are kept rather than made again (field-text.ts). */
const LOW_CARDINALITY = new Set<Role>(['status', 'financialStatus', 'currency', 'paymentMethod', 'storeView']);
/** Columns of money, read from their bytes (plainMoney) unless a preset's rules read them as text. */
const MONEY = new Set<Role>(['total', 'purchasedTotal', 'refund']);

export interface CartImportOptions {
  /** The export's cart, or auto: told by the header. */
  preset: CartName | 'auto';
  /** The store's currency; default the most common one (Magento: the base). */
  currency?: string;
  /** The zone of times written without an offset (IANA); default UTC. */
  timezone?: string;
  /** How slashed dates are written where both numbers could be the day; default: told by the file. */
  dateFormat?: 'dd/mm/yyyy' | 'mm/dd/yyyy';
  decimalComma?: boolean;
  /** Orders dated after this time (ms) are rejected (limits.ts: notAfter); default none. */
  notAfter?: number;
  /** Orders dated before this time (ms) are rejected (limits.ts: RowLimits.notBefore); default none. */
  notBefore?: number;
  /** Orders whose total or refund is beyond this are rejected, as read (limits.ts); default DEFAULT_MAX_AMOUNT. */
  maxAmount?: number;
  /** How the export's bytes are text: utf8 (checked, the default) or latin1 (a legacy Windows export). */
  encoding?: TextEncoding;
  batchRows?: number;
  /** Hears of each read of a file's bytes (for progress). */
  onBytes?: (bytes: number) => void;
}

/** One currency's imported orders: its batches (held until the store's currency is known), customers and sums. */
class CurrencyOrders {
  readonly buffer: OrderBatchBuffer;
  readonly held: RecordBatch[] = [];
  readonly customers = new Set<string>();
  orders = 0;
  /** Orders refunded whole: no purchase, not imported. */
  refundedWhole = 0;
  refundEvents = 0;
  revenue = 0;
  refunded = 0;
  constructor(batchRows: number) {
    this.buffer = new OrderBatchBuffer(batchRows, true);
  }
}

/** An order whose date reads two ways, waiting for a date in the file that tells the day from the month. */
interface Waiting {
  file: string;
  line: number;
  customer: string;
  time: string;
  total: number;
  refund: number;
  currency: string;
}

/**
 * The orders of cart exports as RecordBatches (string customer ids: the platform's id or
 * the lower-cased email), in the default schema. The summary is complete when the
 * generator ends. Without --currency (and for Magento) batches stream as they fill; with
 * a vote to hold (several currencies possible), they are held until the last file.
 */
export async function* readCartOrders(
  sources: string[],
  o: CartImportOptions,
  summary: CartSummary,
): AsyncGenerator<RecordBatch> {
  const orders = new CartOrders(o, summary);
  for (const [fileIndex, source] of sources.entries()) {
    const path = sourceName(source);
    const scanner = new CsvScanner();
    let layout: CartLayout | null = null;
    scanner.configure({
      delimiter: 0x2c,
      fields: 0,
      id: 0,
      ts: 1,
      amount: 2,
      kind: -1,
      format: 0,
      decimalComma: false,
      line: 1,
    });

    function* scanAll(w: ScanWindow, final: boolean): Generator<RecordBatch> {
      if (layout === null) {
        const header = readHeader(scanner, w, final);
        if (header === null) {
          checkScan(scanner, w, final, path, false);
          return;
        }
        layout = cartLayout(header, o.preset, path);
        orders.startFile(layout, path);
        scanner.keepColumns(layout.columns.map((c) => c.col));
      }
      const input = scanner.input();
      const text = Buffer.from(input.buffer, input.byteOffset, input.length);
      while (true) {
        const r = scanner.scanFields(w.start, w.filled, final);
        w.start = scanner.end;
        w.line = scanner.line;
        for (let i = 0; i < r.rows; i++) {
          orders.row(layout, path, fileIndex, input, text, r.places, 2 * MAX_KEPT_COLUMNS * i, r.fields[i], r.line[i]);
          if (orders.ready.length > 0) {
            yield* orders.ready;
            orders.ready.length = 0;
          }
        }
        if (r.rows < scanner.rowCapacity) break;
      }
      checkScan(scanner, w, final, path, true);
    }

    yield* scanWindows(source, scanner, scanAll, o.onBytes, o.encoding);
    if (layout === null) throw new RfmError('RFM_ERR_INPUT', `${path}: no header line (the file is empty)`);
  }
  yield* orders.finish();
}

/** Where an export's columns are: the preset's, found in its header and checked. */
interface CartLayout {
  preset: CartPreset;
  /** The columns read, in the order a fields scan keeps them. */
  columns: { role: Role; col: number; text: FieldText }[];
  /** The header's field count: a row of another count is rejected. */
  headerFields: number;
  /** Where in `columns` the order id, total, time and refund are (-1: none). */
  keyCol: number;
  totalCol: number;
  timeCol: number;
  refundCol: number;
  /** The row's values by role (filled row by row). */
  values: OrderValues;
}

/** The layout of an export by its header, for the preset asked for (or the one it is). */
function cartLayout(header: string[], asked: CartName | 'auto', path: string): CartLayout {
  const preset = choosePreset(header, asked, path);
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!index.has(headerWord(h))) index.set(headerWord(h), i);
  });
  const columns: CartLayout['columns'] = [];
  for (const role of ROLES) {
    const names = preset.columns[role];
    const col = names?.map((n) => index.get(headerWord(n))).find((i) => i !== undefined);
    if (col === undefined) continue;
    // a column read twice in the header: which one holds the value is a guess; refuse it
    const again = header.findIndex((h, i) => i > col && headerWord(h) === headerWord(header[col]));
    if (again >= 0) {
      throw new RfmError(
        'RFM_ERR_SCHEMA',
        `${path}: the header names "${header[col].trim()}" twice (columns ${col + 1} and ${again + 1}); ` +
          'which one holds the value is not known: remove or rename one and import again',
      );
    }
    columns.push({ role, col, text: new FieldText(LOW_CARDINALITY.has(role)) });
  }
  const missing = preset.required.filter((r) => !columns.some((c) => c.role === r));
  if (missing.length > 0) {
    throw new RfmError(
      'RFM_ERR_SCHEMA',
      `${path}: a ${preset.title} needs the columns ` +
        `${missing.map((r) => `"${preset.columns[r]![0]}"`).join(', ')},` +
        ` which this header lacks (columns: ${header.join(', ')})`,
    );
  }
  if (!columns.some((c) => c.role === 'customerId' || c.role === 'email')) {
    throw new RfmError('RFM_ERR_SCHEMA', `${path}: no customer id or email column in this ${preset.title}`);
  }
  if (columns.length > MAX_KEPT_COLUMNS) throw new Error('a preset reads more columns than a fields scan keeps');
  const at = (role: Role): number => columns.findIndex((c) => c.role === role);
  return {
    preset,
    columns,
    headerFields: header.length,
    keyCol: at('order'),
    totalCol: at('total'),
    timeCol: at('createdAt'),
    refundCol: at('refund'),
    values: Object.fromEntries(ROLES.map((r) => [r, ''])) as OrderValues,
  };
}

/**
 * The orders of a store's exports as their rows are read: one per order id (across files),
 * left out by the preset's rules or rejected with a reason (counted in the summary), in
 * batches by currency until the store's is known.
 */
class CartOrders {
  /** Batches that may go out now: the store's currency is known and they are in it. */
  readonly ready: RecordBatch[] = [];
  private readonly byCurrency = new Map<string, CurrencyOrders>();
  private readonly seen = new ByteSet();
  private readonly time = new CartTime();
  private readonly clock: ZoneClock;
  private readonly batchRows: number;
  private readonly decimalComma: boolean;
  /** The decimal mark's byte. */
  private readonly mark: number;
  private readonly fixedCurrency: string | undefined;
  private readonly notAfter: number;
  private readonly notBefore: number;
  private readonly maxAmount: number;
  private dayOrder: DayOrder | null;
  private readonly waiting: Waiting[] = [];
  /** The store's currency key once known: given, or the export's own ('' for Magento's base, or no currency column). */
  private store: string | null = null;

  constructor(
    o: CartImportOptions,
    private readonly summary: CartSummary,
  ) {
    this.batchRows = o.batchRows ?? 65_536;
    this.clock = new ZoneClock(o.timezone ?? 'UTC');
    this.decimalComma = o.decimalComma ?? false;
    this.mark = this.decimalComma ? 0x2c : 0x2e;
    this.fixedCurrency = o.currency?.trim().toUpperCase();
    this.notAfter = o.notAfter ?? Infinity;
    this.notBefore = o.notBefore ?? -Infinity;
    this.maxAmount = o.maxAmount ?? DEFAULT_MAX_AMOUNT;
    this.dayOrder = o.dateFormat === undefined ? null : o.dateFormat === 'dd/mm/yyyy' ? 'dmy' : 'mdy';
    summary.currencyGiven = this.fixedCurrency !== undefined;
  }

  /** A file's header was read: its preset in the summary; the store's currency when the export tells it. */
  startFile(layout: CartLayout, path: string): void {
    const summary = this.summary;
    summary.preset = layout.preset.name;
    summary.files.push({ file: path, preset: layout.preset.name });
    // the export has no currency column (or marks the base itself): one currency, streamed
    if (this.store === null) {
      if (layout.preset.ownCurrency || !layout.columns.some((c) => c.role === 'currency')) this.store = '';
      else if (this.fixedCurrency !== undefined) this.store = this.fixedCurrency;
    }
    if (summary.currency === '' && this.store !== null) summary.currency = this.fixedCurrency ?? this.store;
  }

  /**
   * One row of a scan (its places from `at` in `places`): an order's first row is read and
   * taken, left out or rejected; a later row of an order seen is its next line item, or a
   * repeat from an earlier file.
   */
  row(
    layout: CartLayout,
    path: string,
    fileIndex: number,
    input: Uint8Array,
    text: Buffer,
    places: Uint32Array,
    at: number,
    fields: number,
    line: number,
  ): void {
    const summary = this.summary;
    const { preset: p, columns, values, keyCol, timeCol, totalCol, refundCol } = layout;
    summary.rows++;
    if (fields !== layout.headerFields) {
      this.reject(path, line, 'wrong field count');
      return;
    }
    // the order id: trimmed, a shipment's "-N" dropped; an order seen before is a repeat
    let from = places[at + 2 * keyCol];
    let to = places[at + 2 * keyCol + 1];
    while (from < to && (input[from] === 0x20 || input[from] === 0x09)) from++;
    while (to > from && (input[to - 1] === 0x20 || input[to - 1] === 0x09)) to--;
    if (p.shipmentSuffix) {
      let j = to - 1;
      while (j > from && input[j] >= 0x30 && input[j] <= 0x39) j--;
      if (j > from && j < to - 1 && input[j] === 0x2d) to = j;
    }
    if (from === to) return;
    // a row without the order's time and total is a later line item (Shopify fills them on
    // the order's first line only): wherever it stands, it must not take the order's id
    if (
      blank(input, places[at + 2 * timeCol], places[at + 2 * timeCol + 1]) &&
      blank(input, places[at + 2 * totalCol], places[at + 2 * totalCol + 1])
    )
      return;
    // an id this file had is the order's next line item; one an earlier file had, a repeat
    const owner = this.seen.addOwned(input, from, to, fileIndex);
    if (owner >= 0) {
      if (owner !== fileIndex) summary.duplicates++;
      return;
    }
    for (let c = 0; c < columns.length; c++) {
      // money is read from its bytes below, as text only when the rules need it
      if (MONEY.has(columns[c].role) && !p.moneyAsText) continue;
      values[columns[c].role] = columns[c].text.text(input, text, places[at + 2 * c], places[at + 2 * c + 1]);
    }
    const why = p.exclusion(values);
    if (why !== null) {
      summary.excluded[why]++;
      return;
    }
    const id = values.customerId.trim();
    const customer = id !== '' && id !== '0' ? id : values.email.trim().toLowerCase();
    if (customer === '') {
      this.reject(path, line, 'no customer');
      return;
    }
    const money = (col: number): number => {
      const ms = places[at + 2 * col];
      const me = places[at + 2 * col + 1];
      const v = plainMoney(input, ms, me, this.mark);
      return v === v ? v : parseMoney(text.toString('utf8', ms, me), this.decimalComma);
    };
    const total = money(totalCol);
    if (total !== total) {
      this.reject(path, line, 'unreadable total');
      return;
    }
    const refundEmpty = refundCol < 0 || blank(input, places[at + 2 * refundCol], places[at + 2 * refundCol + 1]);
    const refund = refundEmpty ? 0 : Math.abs(money(refundCol));
    if (refund !== refund) {
      this.reject(path, line, 'unreadable refund');
      return;
    }
    if (Math.abs(total) > this.maxAmount || refund > this.maxAmount) {
      this.reject(path, line, tooLarge(this.maxAmount));
      return;
    }
    this.dated(path, line, customer, values.createdAt, total, refund, p.currency(values, this.decimalComma));
  }

  /** An order read but for its time: taken, rejected, or waiting for a date that tells the day from the month. */
  private dated(
    file: string,
    line: number,
    customer: string,
    createdAt: string,
    total: number,
    refund: number,
    currency: string,
  ): void {
    const time = this.time;
    time.read(createdAt, this.dayOrder);
    if (time.ambiguous) {
      this.waiting.push({ file, line, customer, time: createdAt, total, refund, currency });
      return;
    }
    if (time.wall !== time.wall) {
      this.reject(file, line, 'unreadable time');
      return;
    }
    if (this.dayOrder === null && time.told !== null) {
      // this date tells the day from the month: the waiting ones read the same way
      this.dayOrder = time.told;
      for (const wt of this.waiting) {
        const at = instant(time.read(wt.time, this.dayOrder), this.clock);
        const out = this.outOfTime(at);
        if (out !== null) this.reject(wt.file, wt.line, out);
        else this.add(wt.customer, at, wt.total, wt.refund, wt.currency);
      }
      this.waiting.length = 0;
      time.read(createdAt, this.dayOrder);
    }
    const when = instant(time, this.clock);
    const out = this.outOfTime(when);
    if (out !== null) {
      this.reject(file, line, out);
      return;
    }
    this.add(customer, when, total, refund, currency);
  }

  /** Why an order of this time cannot be taken, or null. */
  private outOfTime(at: number): RejectReason | null {
    return at > this.notAfter ? TOO_LATE : at < this.notBefore ? TOO_EARLY : null;
  }

  private reject(file: string, line: number, reason: RejectReason): void {
    const summary = this.summary;
    summary.rejected++;
    summary.rejectedBy[reason] = (summary.rejectedBy[reason] ?? 0) + 1;
    summary.firstRejected ??= { file, line, reason };
    summary.firstRejectedBy[reason] ??= { file, line };
  }

  private ordersIn(key: string): CurrencyOrders {
    let c = this.byCurrency.get(key);
    if (c === undefined) this.byCurrency.set(key, (c = new CurrencyOrders(this.batchRows)));
    return c;
  }

  /** A full buffer's batch: out, or held until the store's currency is known. */
  private flush(c: CurrencyOrders): void {
    if (c.buffer.isFull) (this.store === null ? c.held : this.ready).push(c.buffer.take());
  }

  /** The order's events into its currency's buffer (counted apart when that is not the store's). */
  private add(customer: string, ts: number, total: number, refund: number, key: string): void {
    if (this.store !== null && key !== this.store) {
      const name = key || 'unnamed';
      this.summary.otherCurrencies[name] = (this.summary.otherCurrencies[name] ?? 0) + 1;
      return;
    }
    const c = this.ordersIn(key);
    // an order refunded whole was no purchase: it must not raise F or keep a customer who
    // bought nothing (README, "a fully refunded order")
    if (refund > 0 && refund >= total) {
      c.refundedWhole++;
      return;
    }
    c.orders++;
    c.revenue += total;
    c.customers.add(customer);
    c.buffer.pushString(customer, ts, total, Kind.order);
    this.flush(c);
    if (refund !== 0) {
      c.refundEvents++;
      c.refunded += refund;
      c.buffer.pushString(customer, ts, -refund, Kind.refund);
      this.flush(c);
    }
  }

  /** After the last file: the store's currency (voted when not known), its batches held and last, the sums. */
  *finish(): Generator<RecordBatch> {
    const summary = this.summary;
    if (this.waiting.length > 0) {
      throw new RfmError(
        'RFM_ERR_INPUT',
        `${this.waiting.length.toLocaleString('en-US')} orders have dates such as ` +
          `"${this.waiting[0].time}" that read as ` +
          `day/month or month/day, and no date in the export tells which;` +
          ` say --date-format dd/mm/yyyy or --date-format mm/dd/yyyy`,
      );
    }
    if (this.store === null) {
      // the most common currency is the store's (the first seen of a tie)
      let best = '';
      let most = -1;
      for (const [key, c] of this.byCurrency) {
        if (c.orders > most) {
          most = c.orders;
          best = key;
        }
      }
      this.store = best;
      summary.currency = best;
      for (const [key, c] of this.byCurrency)
        if (key !== best)
          summary.otherCurrencies[key || 'unnamed'] =
            (summary.otherCurrencies[key || 'unnamed'] ?? 0) + c.orders + c.refundedWhole;
    }
    const mine = this.byCurrency.get(this.store);
    if (mine !== undefined) {
      yield* mine.held;
      if (mine.buffer.rows > 0) yield mine.buffer.take();
      summary.orders = mine.orders;
      summary.excluded.refunded = mine.refundedWhole;
      summary.customers = mine.customers.size;
      summary.refundEvents = mine.refundEvents;
      summary.revenue = mine.revenue;
      summary.refunded = mine.refunded;
    }
  }
}

/** The instant of a time read: exact when it names its offset, else a wall time in the store's zone. */
function instant(t: CartTime, clock: ZoneClock): number {
  const exact = t.exact;
  return exact === exact ? exact : clock.utc(t.wall);
}

/** Whether input[s, e) is empty or spaces. */
function blank(input: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (input[i] !== 0x20 && input[i] !== 0x09) return false;
  return true;
}

/** The preset asked for, checked against the header; or the one the header is. */
function choosePreset(header: string[], asked: CartName | 'auto', path: string): CartPreset {
  const found = detectCart(header);
  if (asked === 'auto') {
    if (found === null)
      throw new RfmError(
        'RFM_ERR_SCHEMA',
        `${path}: the header is not one of a Shopify, WooCommerce,` +
          ` Magento 2 or BigCommerce order export (columns: ` +
          `${header.slice(0, 12).join(', ')}${header.length > 12 ? ', ...' : ''});` +
          ` a plain order CSV imports with "rfm import csv"`,
      );
    return found;
  }
  const p = PRESETS[asked];
  if (found !== null && found !== p)
    throw new RfmError(
      'RFM_ERR_SCHEMA',
      `${path} is a ${found.title}, not a ${p.title}: import it with "rfm import ${found.name}" (or "rfm import auto")`,
    );
  return p;
}
