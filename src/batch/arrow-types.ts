/**
 * Type tests by type id, as apache-arrow's DataType.isX do. The conversion stage runs in the
 * reading thread too, which loads apache-arrow's single-file bundle instead of the package's
 * entry (sources/arrow-read-worker.ts): importing DataType from the entry would load all of it there.
 */
import type { DataType, Date_, Decimal, Dictionary, Float, Int, Timestamp, Utf8 } from 'apache-arrow';
import { TypeId } from './arrow-ids.js';

export const isInt = (t: DataType): t is Int => t.typeId === TypeId.Int;
export const isFloat = (t: DataType): t is Float => t.typeId === TypeId.Float;
export const isUtf8 = (t: DataType): t is Utf8 => t.typeId === TypeId.Utf8;
export const isDecimal = (t: DataType): t is Decimal => t.typeId === TypeId.Decimal;
export const isDate = (t: DataType): t is Date_ => t.typeId === TypeId.Date;
export const isTimestamp = (t: DataType): t is Timestamp => t.typeId === TypeId.Timestamp;
export const isDictionary = (t: DataType): t is Dictionary => t.typeId === TypeId.Dictionary;
