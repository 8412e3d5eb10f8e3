/**
 * Errors a user can meet carry a stable code; the CLI prints the message (no stack) and
 * exits 2. The README lists every code with what to do about it.
 */
export type RfmErrorCode =
  /** A batch or file does not have the columns and types rfmstream needs. */
  | 'RFM_ERR_SCHEMA'
  /** A file could not be read or parsed at all (missing, corrupt, not Arrow, too large). */
  | 'RFM_ERR_INPUT'
  /** An option or a model file is invalid. */
  | 'RFM_ERR_OPTION'
  | 'RFM_ERR_MODEL'
  /** The WASM kernel is missing or failed. */
  | 'RFM_ERR_KERNEL'
  /** A worker thread failed. */
  | 'RFM_ERR_WORKER'
  /** The NATS server cannot be reached, refuses, or its stream does not fit (rfm publish, rfm node). */
  | 'RFM_ERR_NATS';

export class RfmError extends Error {
  readonly code: RfmErrorCode;

  constructor(code: RfmErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'RfmError';
  }
}
