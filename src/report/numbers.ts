/**
 * Numbers as the reports print them, in en-US digits. One formatter each, made on first use:
 * a `toLocaleString` call builds an Intl.NumberFormat every time, and a report formats
 * thousands of figures (34 of a 1,000-row report's 450 ms went there); the first one built
 * loads ICU's data (~20 ms), which a run that prints no figure should not pay.
 */
let grouping: Intl.NumberFormat | undefined;
let cents: Intl.NumberFormat | undefined;

/** 1234.5 -> "1,234.5" (up to three decimals, as toLocaleString). */
export const grouped = (n: number): string => (grouping ??= new Intl.NumberFormat('en-US')).format(n);
/** 1234.5 -> "1,235". */
export const int = (n: number): string => grouped(Math.round(n));
/** 1234.5 -> "1,234.50". */
export const money = (n: number): string =>
  (cents ??= new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })).format(n);
