/**
 * WooCommerce: the CSV of "Advanced Order Export For WooCommerce" (woo-order-export-lite),
 * which most stores use: one row per product with the order's columns repeated. Statuses are
 * labels ("Completed", "Pending payment"); "Customer User ID" is 0 for a guest.
 */
import { statusWord } from './cart-preset.js';
import type { CartPreset } from './cart-preset.js';

const PENDING = new Set(['pending payment', 'pending', 'on hold', 'draft', 'checkout draft']);

export const woocommerce: CartPreset = {
  name: 'woocommerce',
  title: 'WooCommerce order export',
  columns: {
    order: ['Order Number', 'Order ID'],
    status: ['Order Status'],
    createdAt: ['Order Date'],
    customerId: ['Customer User ID'],
    email: ['Email (Billing)', 'Customer User Email'],
    total: ['Order Total Amount'],
    refund: ['Order Refund Amount'],
    currency: ['Currency'],
    paymentMethod: ['Payment Method Title'],
  },
  required: ['order', 'status', 'createdAt', 'total'],
  signature: ['Order Status', 'Order Date', 'Order Total Amount'],
  shipmentSuffix: false,
  exclusion(v) {
    const s = statusWord(v.status);
    if (s === 'cancelled') return 'cancelled';
    if (s === 'failed') return 'failed';
    if (PENDING.has(s)) return 'pending';
    return null;
  },
  currency: (v) => v.currency.trim().toUpperCase(),
  ownCurrency: false,
  moneyAsText: false,
};
