// The kernel ABI: every number and name the WASM kernel (assembly/) and the plain core
// (src/core/) must agree on, in one place. `npm run gen:abi` (run by `prepare`) writes
// assembly/abi.ts and src/abi/abi.ts from it; test/abi/abi.test.ts fails when either is
// stale. Edit here, then regenerate: never edit the generated files.
//
// A group is a set of constants with one AssemblyScript type. `prefix` + the key in
// UPPER_SNAKE names each constant; `object` also writes a TypeScript object of the keys
// (Kind.order, Field.gapCv) for the code that works with names.

/** Bytes of a customer record: one cache line, so an order costs one line after the index probe. */
const RECORD_BYTES = 64;

/**
 * The hot record (see assembly/records.ts). The fields one order touches; lastDay is the
 * UTC day of lastTs, kept so an order needs one division; daysOff is where the customer's
 * purchase-day list starts in the day arena (assembly/days.ts). The TypeScript side also
 * gets word (W_) and double (D_) indices of each field.
 */
export const record = {
  keyLo: ['i32', 0],
  keyHi: ['i32', 4],
  orders: ['u32', 8],
  purchaseDays: ['u32', 12],
  firstTs: ['f64', 16],
  lastTs: ['f64', 24],
  /** Net spend in whole cents (each amount rounded to cents): sums of integers, exact in any order. */
  spendCents: ['f64', 32],
  maxOrder: ['f64', 40],
  gapSumSq: ['f64', 48],
  daysOff: ['u32', 56],
  lastDay: ['i32', 60],
};

/** The cold record of the WASM kernel: fields an order never touches (the plain core keeps them as columns). */
export const cold = {
  lastEngaged: ['f64', 0],
  engagements: ['u32', 8],
  idOff: ['u32', 12],
  idLen: ['u32', 16],
  segment: ['u8', 20],
  /**
   * Cents of the orders on the first purchase day (refunds not counted): what the spend
   * model leaves out, its mean being of the repeat days. Touched only by an order dated on
   * or before that day.
   */
  firstDayCents: ['f64', 24],
};
const COLD_BYTES = 32;

/**
 * The stored state (src/core/state-format.ts): columns of n entries in this order, 8-byte
 * ones first so every column stays aligned, then the id arena. The WASM kernel's
 * columnPtr(i) answers column i of this list; `from` says where a column's values live.
 */
export const stateColumns = [
  ['firstTs', 8, 'record'],
  ['lastTs', 8, 'record'],
  ['spendCents', 8, 'record'],
  ['maxOrder', 8, 'record'],
  ['gapSumSq', 8, 'record'],
  ['lastEngaged', 8, 'cold'],
  ['firstDayCents', 8, 'cold'],
  ['keyLo', 4, 'record'],
  ['keyHi', 4, 'record'],
  ['orders', 4, 'record'],
  ['purchaseDays', 4, 'record'],
  ['engagements', 4, 'cold'],
  ['idOff', 4, 'cold'],
  ['idLen', 4, 'cold'],
  ['segment', 1, 'cold'],
];

export const groups = [
  {
    doc: 'Record sizes (the fields: `record` and `cold` in src/abi/table.mjs).',
    type: 'usize',
    values: {
      RECORD_BYTES,
      RECORD_SHIFT: Math.log2(RECORD_BYTES),
      COLD_BYTES,
      /**
       * Record s's first Int32 word is s << RECORD_WORD_SHIFT, its first Float64 s <<
       * RECORD_DOUBLE_SHIFT (the plain core's views).
       */
      RECORD_WORD_SHIFT: Math.log2(RECORD_BYTES / 4),
      RECORD_DOUBLE_SHIFT: Math.log2(RECORD_BYTES / 8),
    },
  },
  {
    doc: 'Event kinds, one byte a row. skip: not applied (rejected at the boundary, or after the as-of time).',
    type: 'u8',
    prefix: 'KIND_',
    object: 'Kind',
    values: { order: 0, refund: 1, visit: 2, emailOpen: 3, skip: 255 },
  },
  {
    doc: 'A customer with no segment (no order yet), in segment and retention columns.',
    type: 'u8',
    values: { NO_SEGMENT: 255 },
  },
  {
    doc: 'How customer ids arrive: none yet, 64-bit integers as (lo, hi) words, or UTF-8 bytes hashed to 64 bits.',
    type: 'i32',
    prefix: 'ID_',
    values: { none: 0, int: 1, utf8: 2 },
  },
  {
    doc: 'The classification plan (src/core/plan.ts): fixed slots, then variable parts.',
    type: 'i32',
    prefix: 'P_',
    values: {
      asOf: 0,
      mode: 1,
      subBits: 2,
      /** 4 dimensions x 4 cut points (values in exact mode, bucket indices in sketch mode). */
      cuts: 3,
      medianSpend: 19,
      storeGap: 20,
      /** MBG/NBD's r, alpha, a, b in weeks, for the p_alive field (NaN: no fit). */
      pAlive: 21,
      /** R retention states, then R - 1 ratio limits from P_LIMITS. */
      numRetention: 25,
      limits: 26,
      /** A segment's head in the plan: lost target, matchable, condition count. */
      segmentHead: 3,
      /** A condition in the plan: field, op, value. */
      condition: 3,
    },
  },
  {
    doc: 'Plan modes.',
    type: 'i32',
    prefix: 'MODE_',
    values: { exact: 0, sketch: 1 },
  },
  {
    doc: 'Score dimensions, in cut order; each has CUTS_PER_DIM cut points and scores 1..CUTS_PER_DIM + 1.',
    type: 'i32',
    prefix: 'DIM_',
    values: { r: 0, f: 1, m: 2, aov: 3 },
  },
  {
    doc: 'Cut points per score dimension.',
    type: 'i32',
    values: { NUM_DIMS: 4, CUTS_PER_DIM: 4 },
  },
  {
    doc:
      'Condition fields a model may test: the plan encodes them by these numbers, and the ' +
      'block columns of assembly/rules.ts are numbered the same.',
    type: 'i32',
    prefix: 'FIELD_',
    object: 'Field',
    values: {
      r: 0,
      f: 1,
      m: 2,
      aov: 3,
      orders: 4,
      purchaseDays: 5,
      gapCv: 6,
      retention: 7,
      /** spend minus the store's median spend (so ">= 0" means at or above the median). */
      spendOverMedian: 8,
      /** 1 when the customer engaged (visit, email open) after the last order, else 0. */
      engagedSinceOrder: 9,
      engagements: 10,
      recencyDays: 11,
      spend: 12,
      /** MBG/NBD's P(alive) under the plan's fit (P_P_ALIVE): NaN without one, or for a customer without an order. */
      pAlive: 13,
    },
  },
  {
    doc:
      'Block columns of assembly/rules.ts beside the fields: the R a segment sees (the lost ' +
      "re-run), and sum(gap)^2, the scale of a gap_cv condition's right side. The per-customer " +
      'walk keeps FIELD_VALUES values: the fields, then sum(gap)^2 at FV_SPAN_SQ.',
    type: 'i32',
    values: {
      NUM_FIELDS: 14,
      BLOCK_R_SEGMENT: 14,
      BLOCK_SPAN_SQ: 15,
      BLOCK_COLUMNS: 16,
      FV_SPAN_SQ: 14,
      FIELD_VALUES: 15,
    },
  },
  {
    doc: 'Comparison ops of a condition.',
    type: 'i32',
    prefix: 'OP_',
    object: 'Op',
    values: { lt: 0, le: 1, eq: 2, ne: 3, ge: 4, gt: 5 },
  },
  {
    doc:
      'The totals classify() returns (layout: totalsLayout in src/core/plan.ts): customers ' +
      'with an order, of them matched by no rule, prospects; then per-segment (count, cents) ' +
      'from T_SEGMENTS.',
    type: 'i32',
    prefix: 'T_',
    values: { customers: 0, unmatched: 1, prospects: 2, segments: 3, perSegment: 2, perRetention: 2 },
  },
  {
    doc:
      'State columns (see `stateColumns`): COL_ARENA is the id arena; COL_OUT_* the export ' +
      'columns exportRows fills (u8 each; COL_OUT_AUDIENCES u32, bit a for audience a).',
    type: 'i32',
    prefix: 'COL_',
    values: {
      ...Object.fromEntries(stateColumns.map(([name], i) => [name, i])),
      arena: stateColumns.length,
      /** Every customer's purchase days, in slot order (the state's day lists). */
      days: stateColumns.length + 1,
      outR: 20,
      outF: 21,
      outM: 22,
      outAov: 23,
      outRetention: 24,
      outSegment: 25,
      outAudiences: 26,
    },
  },
  {
    doc: 'Sketches (sketchPtr) and exact values (exactPtr), by number.',
    type: 'i32',
    prefix: 'SK_',
    values: { lastDay: 0, orders: 1, spend: 2, aov: 3, meanGap: 4 },
  },
  {
    doc:
      'Bucket maps of the sketches (src/core/buckets.ts says why): money exponents with ' +
      'buckets of their own (2^-10 ~ 0.001 to 2^40 ~ 1.1e12), orders linear below ' +
      'ORDERS_LINEAR then 2^ORDERS_SUB_BITS per power of two, one day bucket a UTC day for ' +
      '2^16 days (to 2149).',
    type: 'i32',
    values: {
      MONEY_EXP_MIN: -10,
      MONEY_EXP_MAX: 40,
      ORDERS_LINEAR: 1024,
      ORDERS_SUB_BITS: 7,
      ORDERS_BUCKETS: 1024 + 22 * 128,
      DAY_BUCKETS: 65536,
    },
  },
  {
    doc:
      'The day arena grows by chunks of 2^DAYS_CHUNK_SHIFT days, and a list never straddles ' +
      "two: one customer has at most that many purchase days. A list's first block holds " +
      '2^DAYS_MIN_CLASS days (larger first blocks cost more memory than the moves they save: ' +
      'measured). The journal before the lists grows by chunks of 2^DAYS_JOURNAL_SHIFT entries ' +
      'and is reviewed at each: both kernels build their lists at the same entry, so their ' +
      'blocks lie alike. An arena or journal chunk starts at 2^DAYS_FIRST_SHIFT entries and ' +
      'doubles as it fills, so an engine of a few customers holds kilobytes, not 8 MiB.',
    type: 'u32',
    values: { DAYS_CHUNK_SHIFT: 20, DAYS_MIN_CLASS: 1, DAYS_JOURNAL_SHIFT: 20, DAYS_FIRST_SHIFT: 12 },
  },
  {
    doc:
      'Milliseconds in a UTC day; cents in a unit of the store currency (spend is kept in ' +
      "whole cents); days in a week (the p_alive field's unit).",
    type: 'f64',
    values: { DAY_MS: 86400000, CENTS: 100, WEEK_DAYS: 7 },
  },
  {
    doc:
      'The fit histograms (assembly/fit-histograms.ts, src/core/fit-histograms.ts; decoded in ' +
      'src/predict/kernel-histograms.ts). A customer with an order is keyed by x (repeat ' +
      'purchase days), t_x and first purchase day, in whole UTC days: (x * FIT_TX_SCALE + t_x) ' +
      '* FIT_DAY_SCALE + first day + FIT_DAY_OFFSET (t_x below 2^16 days, first day from 1790 ' +
      'to 2149). A repeat customer by x and its mean repeat-day value m: x * FIT_SPEND_SCALE + ' +
      'floor(ln m / FIT_SPEND_BIN + 0.5) + FIT_SPEND_OFFSET, or x * FIT_SPEND_SCALE alone when ' +
      'm is not above 0 (refunded away). Keys are whole numbers below 2^53.',
    type: 'f64',
    values: {
      FIT_TX_SCALE: 65536,
      FIT_DAY_SCALE: 131072,
      FIT_DAY_OFFSET: 65536,
      FIT_SPEND_BIN: 0.001,
      FIT_SPEND_SCALE: 4294967296,
      FIT_SPEND_OFFSET: 2147483648,
    },
  },
  {
    doc: 'Which fit histogram fitPtr and fitLen name: keys or counts, of the triples or of the spend bins.',
    type: 'i32',
    prefix: 'FH_',
    values: { tripleKeys: 0, tripleCounts: 1, spendKeys: 2, spendCounts: 3 },
  },
  {
    doc:
      'Hash constants (assembly/hash.ts, src/core/hash.ts): slot and shard of a customer ' +
      'depend on them. fmix32 is "lowbias32"; string ids take FNV-1a (lo) and a murmur-style ' +
      'mix (hi); the index tag is a Fibonacci multiply.',
    type: 'i32',
    prefix: 'HASH_',
    hex: true,
    values: {
      mix1: 0x7feb352d,
      mix2: 0x846ca68b,
      keyHi: 0x9e3779b9,
      keyMul: 0x85ebca6b,
      loSeed: 0x811c9dc5,
      loPrime: 0x01000193,
      hiSeed: 0x3c6ef372,
      hiPrime: 0x5bd1e995,
      tag: 0x9e3779b1,
    },
  },
  {
    doc:
      'The CSV scanner (assembly/csv/, src/sources/csv/scanner.ts): what it says of a row, a ' +
      'bit each. ID_INT: the id read as an Int64; ID_ZERO: it has a leading zero (007); the ' +
      '*_TEXT bits: the scanner left that value to the plain reader (a form it does not read ' +
      'itself: a currency sign, a time zone name, an id with non-ASCII ends), whose rules then ' +
      'decide; FIELDS: the record has another number of fields than the header.',
    type: 'u32',
    prefix: 'CSV_',
    values: {
      idEmpty: 1,
      idInt: 2,
      idZero: 4,
      idText: 8,
      tsText: 16,
      amountText: 32,
      amountEmpty: 64,
      kindText: 128,
      fields: 256,
    },
  },
  {
    doc: 'Date formats the CSV scanner reads (--date-format), by number.',
    type: 'u32',
    prefix: 'DATE_',
    values: { iso: 0, epochMs: 1, epochS: 2, yyyymmdd: 3, mdy: 4, dmy: 5, dmyDots: 6 },
  },
  {
    doc: 'Rows looked up together in ingest: their index slots and records are read ahead of the updates.',
    type: 'i32',
    values: { GROUP: 256 },
  },
];

/**
 * The WASM kernel's exports (assembly/index.ts), as src/kernel/wasm-kernel.ts calls them:
 * [name, parameters, result, doc]. Pointers are byte addresses in the kernel's memory.
 */
export const kernelExports = [
  ['init', ['bits'], 'void', 'Starts an empty state with the given money sub-bucket bits.'],
  ['customers', [], 'number', 'Customers held.'],
  ['reserveInput', ['rows', 'idBytes'], 'void', 'Room for a batch of rows rows and idBytes bytes of string ids.'],
  ['inputIdWords', [], 'number'],
  ['inputIdOffsets', [], 'number'],
  ['inputIdBytes', [], 'number'],
  ['inputTs', [], 'number'],
  ['inputAmount', [], 'number'],
  ['inputKind', [], 'number'],
  [
    'ingest',
    ['from', 'to', 'mode', 'shard', 'numShards'],
    'number',
    "Applies rows [from, to) of the reserved input; 1 if the id mode differs from the state's.",
  ],
  ['sketchBegin', [], 'number', 'Customers to pass to sketchRange, or -1 when the sketches are current.'],
  ['sketchRange', ['from', 'to'], 'void'],
  ['sketchEnd', [], 'void'],
  ['sketchScanCount', [], 'number', 'Full scans the sketches took so far.'],
  ['sketchPtr', ['which'], 'number', 'Sketch SK_*.'],
  ['sketchLen', ['which'], 'number'],
  ['fitBegin', [], 'number', 'Customers to pass to fitRange, or -1 when the fit histograms are current.'],
  ['fitRange', ['from', 'to'], 'void'],
  ['fitEnd', [], 'void'],
  ['fitScanCount', [], 'number', 'Full scans the fit histograms took so far.'],
  ['fitOut', [], 'void', "Writes the fit histograms' entries with a count into the FH_* arrays."],
  ['fitPtr', ['which'], 'number', 'Fit histogram array FH_*.'],
  ['fitLen', ['which'], 'number', 'Entries of FH_* (keys and counts alike).'],
  ['exactValues', [], 'number', 'Fills the exact-value arrays; returns how many customers have an order.'],
  ['exactGapCount', [], 'number'],
  ['exactPtr', ['which'], 'number', 'Exact values SK_*.'],
  ['reservePlan', ['len'], 'number', 'Room for a plan of len f64s.'],
  [
    'classifyBegin',
    ['commit'],
    'number',
    'Customers to pass to classifyRange, or -1 when the kept classes were brought up to date instead.',
  ],
  ['classifyRange', ['from', 'to', 'commit'], 'void'],
  ['classifyEnd', [], 'number', 'Length of the totals.'],
  ['totalsPtr', [], 'number'],
  ['exportRows', [], 'void', 'Classifies every customer into the COL_OUT_* columns.'],
  ['exportColumns', [], 'void', 'Copies the record fields into the state columns.'],
  ['columnPtr', ['which'], 'number', 'Column COL_*.'],
  ['arenaBytes', [], 'number'],
  ['stateBytes', [], 'number', 'Bytes of state held: record and cold chunks, index, arena.'],
  ['currentIdMode', [], 'number', 'ID_*.'],
  ['dayCount', [], 'number', "Purchase days of every customer (the COL_DAYS column's length, after exportColumns)."],
  ['restoreBegin', ['n', 'mode', 'arenaSize', 'days'], 'void'],
  ['restoreEnd', [], 'void', 'Rebuilds the index and the day lists from the restored columns.'],
];
