/**
 * The column an option probably meant when the one it names is missing: the only column whose
 * name has a word of that role (date, total, email...). For the "no column" errors of every
 * format, so the user reads the fix, not only the list.
 */
const ROLE_WORDS: Record<string, RegExp> = {
  customer: /customer|client|email|user|buyer/i,
  ts: /date|time|created|placed|ts$/i,
  amount: /amount|total|price|value|revenue|spend|sum/i,
};

/**
 * `; is it "date" (--ts-column "date")?`, or '' when no one column stands out. The option is
 * named as the command names it: --ts-column for replay and serve, --ts for `rfm import csv`.
 */
export function guessHint(option: string, columns: string[]): string {
  const words = ROLE_WORDS[option.replace(/-column$/, '')];
  const like = words === undefined ? [] : columns.map((c) => c.trim()).filter((c) => words.test(c));
  return like.length === 1 ? `; is it "${like[0]}" (--${option} "${like[0]}")?` : '';
}
