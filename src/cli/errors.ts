/**
 * How the CLI ends on an error: our errors print their message and exit 2, anything else
 * is a bug and says so; no stack traces unless RFM_DEBUG=1.
 */
import { RfmError } from '../domain/errors.js';

export function exitOnError(e: unknown): never {
  const debug = process.env.RFM_DEBUG === '1';
  if (e instanceof RfmError) {
    process.stderr.write(`rfm: ${e.message} [${e.code}]\n`);
    if (debug) process.stderr.write(`${e.stack}\n`);
    process.exit(2);
  }
  const err = e as Error;
  process.stderr.write(
    `rfm: internal error: ${err?.message ?? String(e)}\n(run with RFM_DEBUG=1 for a stack trace,` +
      ` and please report it)\n`,
  );
  if (debug) process.stderr.write(`${err?.stack}\n`);
  process.exit(1);
}

/** Wraps a command's action so its errors end the process as above. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      exitOnError(e);
    }
  };
}
