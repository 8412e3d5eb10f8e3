/**
 * What kind of file an input is, from its first bytes rather than its name (an export saved
 * as orders.txt, a stream without an extension): Arrow IPC file or stream, Parquet, or text.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
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

/**
 * The format of the regular file at path (its first bytes); null for anything else (missing,
 * a folder, a pipe whose bytes must not be taken): its reader says what is wrong with it.
 */
export function detectFormat(path: string): InputFormat | null {
  try {
    if (!statSync(path).isFile()) return null;
  } catch {
    return null;
  }
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(8);
    const n = readSync(fd, head, 0, 8, 0);
    return n === 0 ? null : formatOf(head.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/** What an input is to the readers: a binary format, plain CSV, or a cart's export (a CSV told by its header). */
export type InputKind = InputFormat | CartName;

/** The kind of the regular file at path: its first bytes, then (for text) its header; null as detectFormat. */
export async function detectInput(path: string): Promise<InputKind | null> {
  const format = detectFormat(path);
  if (format !== 'csv') return format;
  return (await sniffCart(path))?.name ?? 'csv';
}
