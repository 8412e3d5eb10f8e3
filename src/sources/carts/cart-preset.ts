/**
 * What a cart's order export is to rfmstream: which header names hold an order's id, its
 * customer, time, total, refund, status and currency, and the rules that say which orders
 * count. A preset is column mapping plus row rules; cart-import.ts runs them.
 */

export type CartName = 'shopify' | 'woocommerce' | 'magento' | 'bigcommerce';
export const CART_NAMES: CartName[] = ['shopify', 'woocommerce', 'magento', 'bigcommerce'];

/** The order-level values a preset reads. */
export type Role =
  | 'order'
  | 'customerId'
  | 'email'
  | 'status'
  | 'financialStatus'
  | 'cancelledAt'
  | 'total'
  | 'purchasedTotal'
  | 'refund'
  | 'currency'
  | 'createdAt'
  | 'paymentMethod'
  | 'storeView';
export const ROLES: Role[] = [
  'order',
  'customerId',
  'email',
  'status',
  'financialStatus',
  'cancelledAt',
  'total',
  'purchasedTotal',
  'refund',
  'currency',
  'createdAt',
  'paymentMethod',
  'storeView',
];

/** Why an order is left out (counted, not imported). */
/** Why an order is left out: its status, or (refunded) a refund of all of it: no purchase was made. */
export type Exclusion = 'cancelled' | 'failed' | 'declined' | 'pending' | 'test' | 'refunded';
export const EXCLUSIONS: Exclusion[] = ['cancelled', 'failed', 'declined', 'pending', 'test', 'refunded'];

/** An order's values by role, as written ('' where the export has no such column or the field is empty). */
export type OrderValues = Record<Role, string>;

export interface CartPreset {
  name: CartName;
  /** The platform and export, for messages: "Shopify orders export". */
  title: string;
  /** Header names per role, in the forms the platform writes; the first one present is read. */
  columns: Partial<Record<Role, string[]>>;
  /** Roles the export must have a column for. */
  required: Role[];
  /** Header names that tell this export from the others: all present. */
  signature: string[];
  /** An order id may end in "-N", a shipment of the order ("165-2": order 165's second address). */
  shipmentSuffix: boolean;
  /** Why the order is left out, or null when it counts. */
  exclusion(v: OrderValues): Exclusion | null;
  /**
   * The currency an order is in. '' is the store's own when `ownCurrency` says the export
   * marks it (Magento's base); otherwise the most common currency is the store's.
   */
  currency(v: OrderValues, decimalComma: boolean): string;
  ownCurrency: boolean;
  /**
   * The rules read the money columns as text (Magento tells the currency by them); else they are
   * read from their bytes.
   */
  moneyAsText: boolean;
}

/** A status label as compared: lower case, single spaces, "wc-" and dashes gone ("wc-on-hold" is "on hold"). */
export function statusWord(text: string): string {
  let w = words.get(text);
  if (w === undefined) {
    w = text
      .trim()
      .toLowerCase()
      .replace(/^wc-/, '')
      .replace(/[-_\s]+/g, ' ');
    // statuses are a few words: kept, unless a column turns out to be free text
    if (words.size < 1024) words.set(text, w);
  }
  return w;
}
const words = new Map<string, string>();

/** Header names as compared: trimmed, lower case. */
export function headerWord(text: string): string {
  return text.trim().toLowerCase();
}
