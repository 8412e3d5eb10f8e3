/** Parsers for CLI option values: each names the option and the value it got. */
import { RfmError } from '../domain/errors.js';

export function wholeNumber(name: string, min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    // Number('') is 0: an empty value is no number
    const n = v.trim() === '' ? Number.NaN : Number(v.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new RfmError(
        'RFM_ERR_OPTION',
        `${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')},` +
          ` got ${v}`,
      );
    }
    return n;
  };
}

export function fraction(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!(n > 0 && n < 0.5)) throw new RfmError('RFM_ERR_OPTION', `${name} must be above 0 and below 0.5, got ${v}`);
    return n;
  };
}

/** A yearly rate from 0 (none) to 1 (100 %). */
export function rate(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!(v.trim() !== '' && n >= 0 && n <= 1))
      throw new RfmError('RFM_ERR_OPTION', `${name} must be a yearly rate from 0 to 1 (0.1: 10 % a year), got ${v}`);
    return n;
  };
}

export function oneOf<T extends string>(name: string, values: readonly T[]): (v: string) => T {
  return (v: string) => {
    if (!(values as readonly string[]).includes(v))
      throw new RfmError('RFM_ERR_OPTION', `${name} must be one of ${values.join(', ')}, got ${v}`);
    return v as T;
  };
}

/** A duration like 90s, 30m, 12h or 1d, in ms; "off" for none (undefined). */
export function duration(name: string): (v: string) => number | undefined {
  return (v: string) => {
    if (v === 'off') return undefined;
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(v.trim());
    if (!m)
      throw new RfmError('RFM_ERR_OPTION', `${name} must be a duration like 90s, 30m, 12h or 1d (or "off"), got ${v}`);
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
    return Number(m[1]) * unit;
  };
}

/**
 * How far ahead of the clock an event may be dated: a duration, or "off" (Infinity: no
 * bound; commander takes a parser's undefined for the option's default, so off cannot be it).
 */
export function futureBound(name: string): (v: string) => number {
  return (v: string) => (v.trim() === 'off' ? Infinity : duration(name)(v)!);
}

/** A positive amount of store currency. */
export function amount(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v.replace(/_/g, ''));
    if (!(n > 0 && Number.isFinite(n)))
      throw new RfmError('RFM_ERR_OPTION', `${name} must be a positive amount, got ${v}`);
    return n;
  };
}
