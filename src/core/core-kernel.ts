/**
 * The plain TypeScript core: the same per-customer state, sketches and classification as
 * the WASM kernel (assembly/), written as well as plain JS allows (typed-array columns, no
 * per-row objects), so that it is both the reference the kernel is checked against and a
 * fair baseline for the kernel's speed. Laid out file for file as assembly/ is: records,
 * index-table, sketch, ingest, plan, totals, classify, columns; this is the facade.
 */
import { classifyAll } from './classify.js';
import { allDays, exactValues, exportRows, restoreColumns, stateColumns } from './columns.js';
import { DayLists } from './days.js';
import { fitHistograms } from './fit-histograms.js';
import { IndexTable } from './index-table.js';
import { ingestRows } from './ingest.js';
import { Records } from './records.js';
import { Sketch } from './sketch.js';
import { daysOf, readState, writeState } from '../domain/state-format.js';
import type {
  ColumnBatch,
  CustomerRows,
  ExactValues,
  FitHistograms,
  IdMode,
  Kernel,
  Sketches,
} from '../domain/types.js';

export class CoreKernel implements Kernel {
  readonly subBits: number;
  private idMode: IdMode | null = null;
  private records = new Records();
  private table = new IndexTable(this.records);
  private days = new DayLists();
  private readonly sketch: Sketch;

  constructor(subBits = 7) {
    this.subBits = subBits;
    this.sketch = new Sketch(subBits);
    this.table.growTo(1024);
  }

  get numCustomers(): number {
    return this.records.numCustomers;
  }

  ingest(batch: ColumnBatch, shard: number, numShards: number): void {
    if (batch.numRows === 0) return;
    if (this.idMode === null) this.idMode = batch.idMode;
    else if (this.idMode !== batch.idMode) {
      throw new TypeError(`customer ids changed from ${this.idMode} to ${batch.idMode} between batches`);
    }
    this.sketch.valid = false;
    ingestRows(this.records, this.table, this.days, batch, shard, numShards);
  }

  sketches(): Sketches {
    return this.sketch.of(this.records);
  }

  fitHistograms(): FitHistograms {
    return fitHistograms(this.records);
  }

  exactValues(): ExactValues {
    return exactValues(this.records);
  }

  classify(plan: Float64Array, commit: boolean): Float64Array {
    return classifyAll(this.records, plan, commit);
  }

  exportRows(plan: Float64Array): CustomerRows {
    return exportRows(this.records, this.idMode, plan);
  }

  serialize(): Uint8Array {
    const r = this.records;
    const columns = stateColumns(r).map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const days = allDays(r, this.days);
    return writeState(
      {
        idMode: this.idMode,
        numCustomers: r.numCustomers,
        arenaLen: r.arenaLen,
        subBits: this.subBits,
        dayCount: days.length,
      },
      columns,
      r.arena,
      new Uint8Array(days.buffer),
    );
  }

  restore(bytes: Uint8Array): void {
    const { header, columns, arena, days } = readState(bytes, this.subBits);
    const n = header.numCustomers;
    let cap = 1024;
    while (cap < n) cap *= 2;
    this.records = new Records();
    this.table = new IndexTable(this.records);
    this.days = new DayLists();
    this.records.grow(cap);
    this.records.numCustomers = n;
    this.idMode = header.idMode;
    restoreColumns(this.records, this.days, columns, daysOf(days));
    this.records.arena = arena.slice();
    this.records.arenaLen = header.arenaLen;
    this.table.rebuild(cap * 2);
    this.sketch.valid = false;
  }
}
