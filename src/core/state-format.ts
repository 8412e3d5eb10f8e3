/**
 * The serialized kernel state (checkpoints, transfers): a 32-byte header of int32s
 *   magic, version, id mode (0 none, 1 int, 2 utf8), customers n, arena bytes, sub-bits, 0, 0
 * then columns of n entries, 8-byte ones first so every column stays aligned:
 *   f64: firstTs lastTs spend maxOrder gapSumSq lastEngaged
 *   i32/u32: keyLo keyHi orders purchaseDays engagements idOff idLen
 *   u8: segment
 * then the id arena. Sketches are not stored: restore rebuilds them from the columns.
 * assembly/state.ts writes and reads the same bytes.
 */
import type { IdMode } from './types.js';

export const STATE_MAGIC = 0x314d4652; // "RFM1"
export const STATE_VERSION = 1;

export function idModeCode(mode: IdMode | null): number {
  return mode === null ? 0 : mode === 'int' ? 1 : 2;
}

export function idModeFromCode(code: number): IdMode | null {
  return code === 0 ? null : code === 1 ? 'int' : 'utf8';
}
