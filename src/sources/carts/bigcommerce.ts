/**
 * BigCommerce: Orders > Export, the Default template. One row per order (per shipping address:
 * "165-1", "165-2" are order 165 shipped to two addresses); "Customer ID" is 0 for a guest;
 * money may be printed formatted ("$1,306.00"); dates in the store's format.
 */
import { statusWord } from './cart-preset.js';
import type { CartPreset } from './cart-preset.js';

const PENDING = new Set(['awaiting payment', 'pending', 'incomplete']);

export const bigcommerce: CartPreset = {
  name: 'bigcommerce',
  title: 'BigCommerce orders export',
  columns: {
    order: ['Order ID'],
    customerId: ['Customer ID'],
    email: ['Customer Email', 'Billing Email'],
    createdAt: ['Order Date'],
    status: ['Order Status'],
    total: ['Order Total (inc tax)'],
    refund: ['Refund Amount'],
    currency: ['Order Currency Code'],
    paymentMethod: ['Payment Method'],
  },
  required: ['order', 'createdAt', 'status', 'total'],
  signature: ['Order ID', 'Order Status', 'Order Total (inc tax)'],
  shipmentSuffix: true,
  exclusion(v) {
    if (statusWord(v.paymentMethod) === 'test payment gateway') return 'test';
    const s = statusWord(v.status);
    if (s === 'cancelled') return 'cancelled';
    if (s === 'declined') return 'declined';
    if (PENDING.has(s)) return 'pending';
    return null;
  },
  currency: (v) => v.currency.trim().toUpperCase(),
  ownCurrency: false,
  moneyAsText: false,
};
