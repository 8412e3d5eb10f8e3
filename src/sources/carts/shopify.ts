/**
 * Shopify: Admin > Orders > Export. One row per line item; the order's columns (Email,
 * Financial Status, Currency, Total, Created at, Cancelled at, Payment Method, Refunded
 * Amount, ...) are filled on its first line only. Older exports end at "Cancelled at"
 * (no Payment Method, no Refunded Amount). No customer id: the email is the customer.
 */
import { statusWord } from './cart-preset.js';
import type { CartPreset } from './cart-preset.js';

export const shopify: CartPreset = {
  name: 'shopify',
  title: 'Shopify orders export',
  columns: {
    order: ['Name'],
    email: ['Email'],
    financialStatus: ['Financial Status'],
    cancelledAt: ['Cancelled at'],
    total: ['Total'],
    refund: ['Refunded Amount'],
    currency: ['Currency'],
    createdAt: ['Created at'],
    paymentMethod: ['Payment Method'],
  },
  required: ['order', 'email', 'total', 'createdAt'],
  signature: ['Name', 'Financial Status', 'Lineitem name'],
  shipmentSuffix: false,
  exclusion(v) {
    // the Bogus Gateway is Shopify's test payment
    if (/\bbogus\b/i.test(v.paymentMethod)) return 'test';
    const financial = statusWord(v.financialStatus);
    if (v.cancelledAt.trim() !== '' || financial === 'voided') return 'cancelled';
    if (financial === 'pending' || financial === 'expired') return 'pending';
    return null;
  },
  currency: (v) => v.currency.trim().toUpperCase(),
  ownCurrency: false,
  moneyAsText: false,
};
