// Where a customer's state lives. The fields one order touches share one 64-byte record,
// so an update costs one cache line (after the index probe) instead of one line per column:
//
//   offset  0        4        8        12            16       24       32      40        48        56         60        64
//           | keyLo  | keyHi  | orders | purchaseDays| firstTs| lastTs | spend | maxOrder| gapSumSq| firstDay | lastDay |
//             i32      i32      u32      u32           f64      f64      f64     f64       f64       i32        i32
//
// firstDay / lastDay are the UTC days of firstTs / lastTs, kept so an order needs one
// division (its own day) instead of recomputing both. Records start on a 64-byte boundary
// (one cache line each) and live in 4 MiB chunks. Fields an order never touches stay in
// columns: lastEngaged f64, engagements u32, idOff u32, idLen u32, segment u8.
// The hash index is an i32 table of (hash tag << bits) | (slot + 1) (0 = empty), open
// addressing, load <= 1/2 (see state.ts).

export const RECORD_BYTES: usize = 64;
export const RECORD_SHIFT: usize = 6;
export const R_KEY_LO: usize = 0;
export const R_KEY_HI: usize = 4;
export const R_ORDERS: usize = 8;
export const R_PURCHASE_DAYS: usize = 12;
export const R_FIRST_TS: usize = 16;
export const R_LAST_TS: usize = 24;
export const R_SPEND: usize = 32;
export const R_MAX_ORDER: usize = 40;
export const R_GAP_SUM_SQ: usize = 48;
export const R_FIRST_DAY: usize = 56;
export const R_LAST_DAY: usize = 60;
