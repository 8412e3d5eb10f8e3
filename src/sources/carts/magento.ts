/**
 * Magento 2: Sales > Orders, grid, Export > CSV. One row per order; totals printed with the
 * currency sign ("$219.40"); "Purchase Point" is the website, store and store view on three
 * lines. The grid has no currency column: an order whose Purchased total differs from its
 * Base total was placed in another currency than the base, and is counted apart by its store
 * view. No customer id column: the email is the customer.
 */
import { parseMoney } from './cart-values.js';
import { statusWord } from './cart-preset.js';
import type { CartPreset } from './cart-preset.js';

const PENDING = new Set(['pending', 'pending payment', 'payment review']);

/** The store view of a Purchase Point: its last line. */
export function storeViewOf(purchasePoint: string): string {
  const lines = purchasePoint
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.length === 0 ? '' : lines[lines.length - 1];
}

export const magento: CartPreset = {
  name: 'magento',
  title: 'Magento 2 orders grid export',
  columns: {
    order: ['ID'],
    createdAt: ['Purchase Date'],
    total: ['Grand Total (Base)'],
    purchasedTotal: ['Grand Total (Purchased)'],
    status: ['Status'],
    email: ['Customer Email'],
    refund: ['Total Refunded'],
    storeView: ['Purchase Point'],
    paymentMethod: ['Payment Method'],
  },
  required: ['order', 'createdAt', 'total', 'purchasedTotal', 'status', 'email'],
  signature: ['ID', 'Purchase Date', 'Grand Total (Base)', 'Grand Total (Purchased)'],
  shipmentSuffix: false,
  exclusion(v) {
    const s = statusWord(v.status);
    if (s === 'canceled' || s === 'cancelled') return 'cancelled';
    if (s === 'suspected fraud') return 'declined';
    if (PENDING.has(s)) return 'pending';
    return null;
  },
  currency(v, decimalComma) {
    const base = parseMoney(v.total, decimalComma);
    const purchased = parseMoney(v.purchasedTotal, decimalComma);
    const sameSign = v.total.replace(/[\d.,\s()+-]/g, '') === v.purchasedTotal.replace(/[\d.,\s()+-]/g, '');
    return base === purchased && sameSign ? '' : storeViewOf(v.storeView) || 'another store view';
  },
  ownCurrency: true,
  moneyAsText: true,
};
