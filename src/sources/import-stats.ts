/** What an importer read; unreadable values are kept as nulls for the engine to reject. */
export interface ImportStats {
  /** Data records read (header excluded). */
  records: number;
  /** Rows written. */
  rows: number;
  badIds: number;
  badTimes: number;
  badAmounts: number;
  badKinds: number;
  /** Records left out for having more or fewer fields than the header (an unquoted "1,234.56", say). */
  badFieldCounts: number;
  /** The line of the first of them, 0 when none. */
  firstBadFieldCountLine: number;
}

export function newImportStats(): ImportStats {
  return {
    records: 0,
    rows: 0,
    badIds: 0,
    badTimes: 0,
    badAmounts: 0,
    badKinds: 0,
    badFieldCounts: 0,
    firstBadFieldCountLine: 0,
  };
}
