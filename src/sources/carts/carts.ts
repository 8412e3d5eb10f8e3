/** The four carts' presets, and which one a header is. */
import { readRecords } from '../csv/lines.js';
import { bigcommerce } from './bigcommerce.js';
import { headerWord } from './cart-preset.js';
import type { CartName, CartPreset } from './cart-preset.js';
import { magento } from './magento.js';
import { shopify } from './shopify.js';
import { woocommerce } from './woocommerce.js';

export const PRESETS: Record<CartName, CartPreset> = { shopify, woocommerce, magento, bigcommerce };

/** The preset whose export has this header, or null (a plain order CSV, or another export). */
export function detectCart(header: string[]): CartPreset | null {
  const names = new Set(header.map(headerWord));
  for (const p of Object.values(PRESETS)) if (p.signature.every((s) => names.has(headerWord(s)))) return p;
  return null;
}

/**
 * The cart whose export the file at path is, from its header line; null for anything else
 * (another CSV, bytes that are not UTF-8 text: its reader says what is wrong with it).
 */
export async function sniffCart(path: string): Promise<CartPreset | null> {
  try {
    // as latin-1: the names told by are ASCII, and a latin-1 export's bytes must not hide them
    for await (const r of readRecords(path, ',', 'latin1')) {
      // a UTF-8 byte-order mark, read as latin-1
      if (r.fields.length > 0) r.fields[0] = r.fields[0].replace(/^\u00ef\u00bb\u00bf/, '');
      return detectCart(r.fields);
    }
  } catch {
    return null;
  }
  return null;
}
