/**
 * The numbers of apache-arrow's enums that the converter tests: the Arrow format's own (type
 * ids, time units, float precision) and apache-arrow's -1 for a dictionary. Written here
 * because the converter also runs on the reading thread, where importing them from
 * `apache-arrow/enum` loads some forty of the package's modules (~35 ms before the first
 * batch); test/engine/arrow-ids.test.ts holds them to the package's.
 */
export const TypeId = { Int: 2, Float: 3, Utf8: 5, Decimal: 7, Date: 8, Timestamp: 10, Dictionary: -1 } as const;
export const TimeUnitId = { SECOND: 0, MILLISECOND: 1, MICROSECOND: 2, NANOSECOND: 3 } as const;
export const DateUnitId = { DAY: 0, MILLISECOND: 1 } as const;
export const PrecisionId = { HALF: 0, SINGLE: 1, DOUBLE: 2 } as const;
