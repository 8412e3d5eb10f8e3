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
import { RfmError } from '../core/errors.js';
import { askHugePagesForWasm } from './huge-pages.js';
import { STATE_COLUMN_WIDTHS, idModeCode, idModeFromCode, readState, writeState } from '../core/state-format.js';
import type { ColumnBatch, CustomerRows, ExactValues, IdMode, Kernel, Sketches } from '../core/types.js';
import { packageRoot } from './package-root.js';

/** The raw exports of assembly/index.ts. Pointers and lengths are in bytes or elements as named. */
interface KernelExports {
  memory: WebAssembly.Memory;
  init(bits: number): void;
  customers(): number;
  reserveInput(rows: number, idBytes: number): void;
  inputIdWords(): number;
  inputIdOffsets(): number;
  inputIdBytes(): number;
  inputTs(): number;
  inputAmount(): number;
  inputKind(): number;
  ingest(from: number, to: number, mode: number, shard: number, numShards: number): number;
  sketchesBegin(): number;
  sketchRange(from: number, to: number): void;
  sketchesEnd(): void;
  sketchScanCount(): number;
  sketchPtr(which: number): number;
  sketchLen(which: number): number;
  exactValues(): number;
  exactGapCount(): number;
  exactPtr(which: number): number;
  reservePlan(len: number): number;
  classifyBegin(): number;
  classifyRange(from: number, to: number, commit: number): void;
  classifyEnd(): number;
  totalsPtr(): number;
  exportRows(): void;
  exportColumns(): void;
  columnPtr(which: number): number;
  arenaBytes(): number;
  stateBytes(): number;
  currentIdMode(): number;
  restoreBegin(n: number, mode: number, arenaSize: number): void;
  restoreEnd(): void;
  /** The minimal runtime's full collection; safe only between calls (no kernel frames live). */
  __collect(): void;
}

let compiled: WebAssembly.Module | null = null;

function kernelModule(): WebAssembly.Module {
  if (compiled === null) {
    const file = join(packageRoot(), 'build', 'kernel.wasm');
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch {
      throw new RfmError('RFM_ERR_KERNEL', `the WASM kernel ${file} is missing: run "npm run build:kernel" (npm install does it)`);
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

// columnPtr() in assembly/index.ts numbers the state columns 0..13 in stored order, then:
const COL_ARENA = 14;

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
      throw new TypeError(`customer ids changed from ${idModeFromCode(x.currentIdMode())} to ${batch.idMode} between batches`);
    }
  }

  /** Full scans the sketches took so far; the other builds were updates from the customers changed since. */
  get sketchScans(): number {
    return this.x.sketchScanCount();
  }

  sketches(): Sketches {
    const n = this.x.sketchesBegin();
    if (n >= 0) {
      // in ranges, each a call, so V8's optimized code takes over (see sketchesBegin)
      for (let from = 0; from < n; from += SCAN_RANGE) this.x.sketchRange(from, Math.min(n, from + SCAN_RANGE));
      this.x.sketchesEnd();
    }
    const get = (which: number): Uint32Array =>
      new Uint32Array(this.buf(), this.x.sketchPtr(which), this.x.sketchLen(which)).slice();
    return { lastDay: get(0), orders: get(1), spend: get(2), aov: get(3), meanGap: get(4) };
  }

  exactValues(): ExactValues {
    const n = this.x.exactValues();
    const ng = this.x.exactGapCount();
    const get = (which: number, len: number): Float64Array =>
      new Float64Array(this.buf(), this.x.exactPtr(which), len).slice();
    const values = { lastTs: get(0, n), orders: get(1, n), spend: get(2, n), aov: get(3, n), meanGap: get(4, ng) };
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
    const n = this.x.classifyBegin();
    for (let from = 0; from < n; from += SCAN_RANGE) this.x.classifyRange(from, Math.min(n, from + SCAN_RANGE), commit ? 1 : 0);
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
      numRows: n, idMode: mode, idWords: null, idOffsets: null, idBytes: null,
      orders: u32(8), purchaseDays: u32(9), spend: f64(2), firstTs: f64(0), lastTs: f64(1),
      engagements: u32(10), r: u8(20), f: u8(21), m: u8(22), aovScore: u8(23), retention: u8(24), segment: u8(25),
    };
    if (mode === 'utf8') {
      const off = u32(11);
      const len = u32(12);
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
      const lo = new Int32Array(b, x.columnPtr(6), n);
      const hi = new Int32Array(b, x.columnPtr(7), n);
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
    x.__collect();
    return writeState({ idMode: idModeFromCode(x.currentIdMode()), numCustomers: n, arenaLen, subBits: this.subBits }, this.stateColumns(n), arena);
  }

  restore(bytes: Uint8Array): void {
    const { header, columns, arena } = readState(bytes, this.subBits);
    const n = header.numCustomers;
    this.x.restoreBegin(n, idModeCode(header.idMode), header.arenaLen);
    this.stateColumns(n).forEach((view, i) => view.set(columns[i]));
    new Uint8Array(this.buf(), this.x.columnPtr(COL_ARENA), header.arenaLen).set(arena);
    this.x.restoreEnd();
    this.x.__collect();
  }
}
