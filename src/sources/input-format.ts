/**
 * What kind of file an input is, from its first bytes rather than its name (an export saved
 * as orders.txt, a stream without an extension): Arrow IPC file or stream, Parquet, or text.
 */
import { RfmError } from '../domain/errors.js';
import { gunzipHead, headOf, isGzipHead } from './gzip.js';
import type { CartName } from './carts/cart-preset.js';
import { sniffCart } from './carts/carts.js';

export type InputFormat = 'arrow' | 'csv' | 'parquet';

/** The format of bytes that begin a file. */
export function formatOf(head: Uint8Array): InputFormat {
  const ascii = String.fromCharCode(...head.subarray(0, 6));
  if (ascii === 'ARROW1') return 'arrow';
  if (ascii.startsWith('PAR1')) return 'parquet';
  // an IPC stream opens with the continuation marker, or (before Arrow 0.15) a message length
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff) return 'arrow';
  if (head.length >= 4 && head[3] === 0 && head[2] === 0 && head[0] !== 0) return 'arrow';
  return 'csv';
}

/** Files people pick up by mistake, told by their first bytes: what they are, in a few words. */
const NOT_ORDERS: [RegExp, string][] = [
  [/^\x89PNG/, 'a PNG image'],
  [/^\xff\xd8\xff/, 'a JPEG image'],
  [/^GIF8/, 'a GIF image'],
  [/^%PDF/, 'a PDF document'],
  [/^PK\x03\x04/, 'a ZIP archive (an Excel workbook? save the sheet as "CSV UTF-8")'],
  [/^\xd0\xcf\x11\xe0/, 'an old Excel or Word file (save the sheet as "CSV UTF-8")'],
  [/^(\xef\xbb\xbf)?\s*[[{]/, 'JSON, not CSV (rfmstream reads CSV, Arrow IPC and Parquet)'],
  [/^(BZh|\xfd7zXZ|\(\xb5\/\xfd)/, 'compressed by bzip2, xz or zstd (gzip is read as it is; unpack the others first)'],
];

/** What bytes that begin a file are when they are no order data rfmstream reads, or null. */
export function notOrders(head: Uint8Array): string | null {
  const text = Buffer.from(head.subarray(0, 16)).toString('latin1');
  for (const [magic, what] of NOT_ORDERS) if (magic.test(text)) return what;
  return null;
}

/**
 * The format of the regular file at path (its first bytes; a gzipped file's, the content's);
 * null for anything else (missing, a folder, a pipe whose bytes must not be taken): its
 * reader says what is wrong with it. A file that is no order data (an image, a workbook,
 * JSON) is refused by name.
 */
export function detectFormat(path: string): InputFormat | null {
  const first = headOf(path, 16);
  if (first === null || first.length === 0) return null;
  let head = first;
  if (isGzipHead(first)) {
    head = gunzipHead(path);
    const inner = formatOf(head.subarray(0, 8));
    if (inner !== 'csv')
      throw new RfmError(
        'RFM_ERR_INPUT',
        `${path} is a gzipped ${inner === 'arrow' ? 'Arrow IPC' : 'Parquet'} file: unpack it first (gunzip ${path});` +
          ` gzipped CSV is read as it is`,
      );
  }
  const what = notOrders(head);
  if (what !== null) throw new RfmError('RFM_ERR_INPUT', `${path} is ${what}, not an order file`);
  return formatOf(head.subarray(0, 8));
}

/** What an input is to the readers: a binary format, plain CSV, or a cart's export (a CSV told by its header). */
export type InputKind = InputFormat | CartName;

/** The kind of the regular file at path: its first bytes, then (for text) its header; null as detectFormat. */
export async function detectInput(path: string): Promise<InputKind | null> {
  const format = detectFormat(path);
  if (format !== 'csv') return format;
  return (await sniffCart(path))?.name ?? 'csv';
}
