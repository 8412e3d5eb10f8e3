/**
 * The WASM kernel behind the Kernel interface. The only code that touches WASM memory:
 * every view is made fresh from memory.buffer right where it is used, because any call
 * into the kernel may grow memory and detach older views.
 *
 * The kernel is built with AssemblyScript's minimal runtime: no shadow stack (which cost a
 * third of the ingest rate: every access to a global array stored a root), and no
 * collection inside a call. This class collects after each call that can leave garbage
 * (grown arrays, plans, totals), when no kernel frame is live; a collection walks the few
 * hundred objects the kernel holds, not their bytes.
 */
import { instantiateSync } from '@assemblyscript/loader';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RfmError } from '../domain/errors.js';
import { askHugePagesForWasm } from '../native/huge-pages.js';
import {
  STATE_COLUMN_WIDTHS,
  idModeCode,
  idModeFromCode,
  readState,
  spendOfCents,
  writeState,
} from '../domain/state-format.js';
import type {
  ColumnBatch,
  CustomerRows,
  ExactValues,
  FitHistograms,
  IdMode,
  Kernel,
  Sketches,
} from '../domain/types.js';
import {
  COL_ARENA,
  COL_DAYS,
  COL_ENGAGEMENTS,
  COL_FIRST_TS,
  COL_ID_LEN,
  COL_ID_OFF,
  COL_KEY_HI,
  COL_KEY_LO,
  COL_LAST_TS,
  COL_ORDERS,
  COL_FIRST_DAY_CENTS,
  COL_OUT_AOV,
  COL_OUT_AUDIENCES,
  COL_OUT_F,
  COL_SEGMENT,
  COL_OUT_M,
  COL_OUT_R,
  COL_OUT_RETENTION,
  COL_OUT_SEGMENT,
  COL_PURCHASE_DAYS,
  COL_SPEND_CENTS,
  FH_SPEND_COUNTS,
  FH_SPEND_KEYS,
  FH_TRIPLE_COUNTS,
  FH_TRIPLE_KEYS,
  SK_AOV,
  SK_LAST_DAY,
  SK_MEAN_GAP,
  SK_ORDERS,
  SK_SPEND,
} from '../abi/abi.js';
import type { KernelExports } from '../abi/abi.js';
import { packageRoot } from '../package-root.js';

let compiled: WebAssembly.Module | null = null;

function kernelModule(): WebAssembly.Module {
  if (compiled === null) {
    const file = join(packageRoot(), 'build', 'kernel.wasm');
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch {
      throw new RfmError(
        'RFM_ERR_KERNEL',
        `the WASM kernel ${file} is missing: run "npm run build:kernel" (npm install does it)`,
      );
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

/**
 * Rows per ingest call: the engine's first batch (262,144 rows joined) would otherwise run in
 * V8's baseline code to its end (first batch of a fresh kernel 29-32 -> 19-25 ms, measured).
 */
const INGEST_RANGE = 65_536;

/**
 * Customers per sketchRange or classifyRange call: V8 runs a WASM function's first call in
 * its baseline code and compiles the optimized one in the background for the next call, so
 * one call over every customer would run the whole first snapshot unoptimized; with calls of
 * this many, V8 tiers up within it.
 */
const SCAN_RANGE = 16384;

export class WasmKernel implements Kernel {
  private readonly x: KernelExports;
  readonly subBits: number;

  constructor(subBits = 7) {
    this.x = instantiateSync<Record<string, unknown>>(kernelModule(), {}).exports as unknown as KernelExports;
    askHugePagesForWasm(this.x.memory);
    this.subBits = subBits;
    this.x.init(subBits);
  }

  get numCustomers(): number {
    return this.x.customers();
  }

  /** Bytes of linear memory the kernel holds now (WASM memory only grows). */
  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /** Bytes of state it holds now: record and cold chunks, hash index, id arena. */
  get stateBytes(): number {
    return this.x.stateBytes();
  }

  private buf(): ArrayBuffer {
    return this.x.memory.buffer;
  }

  ingest(batch: ColumnBatch, shard: number, numShards: number): void {
    const n = batch.numRows;
    if (n === 0) return;
    const x = this.x;
    const idBytes = batch.idMode === 'utf8' ? batch.idBytes!.length : 0;
    x.reserveInput(n, idBytes);
    const b = this.buf();
    if (batch.idMode === 'utf8') {
      new Int32Array(b, x.inputIdOffsets(), n + 1).set(batch.idOffsets!.subarray(0, n + 1));
      new Uint8Array(b, x.inputIdBytes(), idBytes).set(batch.idBytes!);
    } else {
      new Int32Array(b, x.inputIdWords(), 2 * n).set(batch.idWords!.subarray(0, 2 * n));
    }
    new Float64Array(b, x.inputTs(), n).set(batch.ts.subarray(0, n));
    new Float64Array(b, x.inputAmount(), n).set(batch.amount.subarray(0, n));
    new Uint8Array(b, x.inputKind(), n).set(batch.kind.subarray(0, n));
    let failed = false;
    for (let from = 0; from < n && !failed; from += INGEST_RANGE) {
      failed = x.ingest(from, Math.min(n, from + INGEST_RANGE), idModeCode(batch.idMode), shard, numShards) !== 0;
    }
    x.__collect();
    if (failed) {
      throw new TypeError(
        `customer ids changed from ${idModeFromCode(x.currentIdMode())} to ${batch.idMode} between batches`,
      );
    }
  }

  private classifyScanCount = 0;

  /** Classifications that classified every customer; the others brought the kept classes up to date. */
  get classifyScans(): number {
    return this.classifyScanCount;
  }

  /** Full scans the sketches took so far; the other builds were updates from the customers changed since. */
  get sketchScans(): number {
    return this.x.sketchScanCount();
  }

  sketches(): Sketches {
    const n = this.x.sketchBegin();
    if (n >= 0) {
      // in ranges, each a call, so V8's optimized code takes over (see sketchBegin)
      for (let from = 0; from < n; from += SCAN_RANGE) this.x.sketchRange(from, Math.min(n, from + SCAN_RANGE));
      this.x.sketchEnd();
    }
    const get = (which: number): Uint32Array =>
      new Uint32Array(this.buf(), this.x.sketchPtr(which), this.x.sketchLen(which)).slice();
    return {
      lastDay: get(SK_LAST_DAY),
      orders: get(SK_ORDERS),
      spend: get(SK_SPEND),
      aov: get(SK_AOV),
      meanGap: get(SK_MEAN_GAP),
    };
  }

  /** Full scans the fit histograms took so far; the other builds were updates from the customers changed since. */
  get fitScans(): number {
    return this.x.fitScanCount();
  }

  fitHistograms(): FitHistograms {
    const x = this.x;
    const n = x.fitBegin();
    if (n >= 0) {
      // in ranges, as the sketches
      for (let from = 0; from < n; from += SCAN_RANGE) x.fitRange(from, Math.min(n, from + SCAN_RANGE));
      x.fitEnd();
    }
    x.fitOut();
    const get = (which: number): Float64Array => new Float64Array(this.buf(), x.fitPtr(which), x.fitLen(which)).slice();
    const h = {
      tripleKeys: get(FH_TRIPLE_KEYS),
      tripleCounts: get(FH_TRIPLE_COUNTS),
      spendKeys: get(FH_SPEND_KEYS),
      spendCounts: get(FH_SPEND_COUNTS),
    };
    x.__collect();
    return h;
  }

  exactValues(): ExactValues {
    const n = this.x.exactValues();
    const ng = this.x.exactGapCount();
    const get = (which: number, len: number): Float64Array =>
      new Float64Array(this.buf(), this.x.exactPtr(which), len).slice();
    const values = {
      lastTs: get(SK_LAST_DAY, n),
      orders: get(SK_ORDERS, n),
      spend: get(SK_SPEND, n),
      aov: get(SK_AOV, n),
      meanGap: get(SK_MEAN_GAP, ng),
    };
    this.x.__collect();
    return values;
  }

  private writePlan(plan: Float64Array): void {
    const ptr = this.x.reservePlan(plan.length);
    new Float64Array(this.buf(), ptr, plan.length).set(plan);
  }

  classify(plan: Float64Array, commit: boolean): Float64Array {
    this.writePlan(plan);
    // in ranges, as the sketches (SCAN_RANGE)
    // -1: the classes kept from the last snapshot were brought up to date (assembly/classes.ts)
    const n = this.x.classifyBegin(commit ? 1 : 0);
    if (n >= 0) this.classifyScanCount++;
    for (let from = 0; from < n; from += SCAN_RANGE)
      this.x.classifyRange(from, Math.min(n, from + SCAN_RANGE), commit ? 1 : 0);
    const len = this.x.classifyEnd();
    const totals = new Float64Array(this.buf(), this.x.totalsPtr(), len).slice();
    this.x.__collect();
    return totals;
  }

  exportRows(plan: Float64Array): CustomerRows {
    this.writePlan(plan);
    this.x.exportRows();
    this.x.exportColumns();
    const n = this.numCustomers;
    const b = this.buf();
    const x = this.x;
    const u8 = (col: number): Uint8Array => new Uint8Array(b, x.columnPtr(col), n).slice();
    const u32 = (col: number): Uint32Array => new Uint32Array(b, x.columnPtr(col), n).slice();
    const f64 = (col: number): Float64Array => new Float64Array(b, x.columnPtr(col), n).slice();
    const mode: IdMode = idModeFromCode(x.currentIdMode()) ?? 'int';
    const rows: CustomerRows = {
      numRows: n,
      idMode: mode,
      idWords: null,
      idOffsets: null,
      idBytes: null,
      orders: u32(COL_ORDERS),
      purchaseDays: u32(COL_PURCHASE_DAYS),
      spend: spendOfCents(f64(COL_SPEND_CENTS)),
      firstTs: f64(COL_FIRST_TS),
      lastTs: f64(COL_LAST_TS),
      engagements: u32(COL_ENGAGEMENTS),
      r: u8(COL_OUT_R),
      f: u8(COL_OUT_F),
      m: u8(COL_OUT_M),
      aovScore: u8(COL_OUT_AOV),
      retention: u8(COL_OUT_RETENTION),
      segment: u8(COL_OUT_SEGMENT),
      audiences: u32(COL_OUT_AUDIENCES),
      previousSegment: u8(COL_SEGMENT),
      firstDaySpend: spendOfCents(f64(COL_FIRST_DAY_CENTS)),
    };
    if (mode === 'utf8') {
      const off = u32(COL_ID_OFF);
      const len = u32(COL_ID_LEN);
      const arena = new Uint8Array(b, x.columnPtr(COL_ARENA), x.arenaBytes());
      const offsets = new Int32Array(n + 1);
      const bytes = new Uint8Array(x.arenaBytes());
      let at = 0;
      for (let s = 0; s < n; s++) {
        offsets[s] = at;
        bytes.set(arena.subarray(off[s], off[s] + len[s]), at);
        at += len[s];
      }
      offsets[n] = at;
      rows.idOffsets = offsets;
      rows.idBytes = bytes;
    } else {
      const lo = new Int32Array(b, x.columnPtr(COL_KEY_LO), n);
      const hi = new Int32Array(b, x.columnPtr(COL_KEY_HI), n);
      const words = new Int32Array(2 * n);
      for (let s = 0; s < n; s++) {
        words[2 * s] = lo[s];
        words[2 * s + 1] = hi[s];
      }
      rows.idWords = words;
    }
    x.__collect();
    return rows;
  }

  /** Byte views of the state columns in stored order (state-format.ts), first n entries. */
  private stateColumns(n: number): Uint8Array[] {
    const b = this.buf();
    return STATE_COLUMN_WIDTHS.map((w, i) => new Uint8Array(b, this.x.columnPtr(i), n * w));
  }

  serialize(): Uint8Array {
    const x = this.x;
    const n = this.numCustomers;
    x.exportColumns();
    const arenaLen = x.arenaBytes();
    const arena = new Uint8Array(this.buf(), x.columnPtr(COL_ARENA), arenaLen);
    const dayCount = x.dayCount();
    const days = new Uint8Array(this.buf(), x.columnPtr(COL_DAYS), 4 * dayCount);
    x.__collect();
    return writeState(
      { idMode: idModeFromCode(x.currentIdMode()), numCustomers: n, arenaLen, subBits: this.subBits, dayCount },
      this.stateColumns(n),
      arena,
      days,
    );
  }

  restore(bytes: Uint8Array): void {
    const { header, columns, arena, days } = readState(bytes, this.subBits);
    const n = header.numCustomers;
    this.x.restoreBegin(n, idModeCode(header.idMode), header.arenaLen, header.dayCount);
    for (const [i, view] of this.stateColumns(n).entries()) view.set(columns[i]);
    new Uint8Array(this.buf(), this.x.columnPtr(COL_ARENA), header.arenaLen).set(arena);
    new Uint8Array(this.buf(), this.x.columnPtr(COL_DAYS), days.length).set(days);
    this.x.restoreEnd();
    this.x.__collect();
  }
}
