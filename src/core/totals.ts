/**
 * A snapshot's totals, as both kernels' classify() returns them: customers and cents by
 * segment and retention state, audience counts, the migration matrix, cents by spend bucket.
 * The WASM kernel's twin: assembly/totals.ts.
 */
import * as abi from '../abi/abi.js';

// The ABI's numbers as this module's own constants: V8 folds those into the code, not
// imported bindings (measured on the plain core's ingest: 15.9 -> 18.7 M rows/s).
const { T_CUSTOMERS, T_PER_RETENTION, T_PER_SEGMENT, T_PROSPECTS, T_SEGMENTS, T_UNMATCHED } = abi;

/** Offsets into a kernel's classify() totals. */
export interface TotalsLayout {
  /** [T_CUSTOMERS] customers with an order, [T_UNMATCHED] of them matched by no rule, [T_PROSPECTS] prospects. */
  segments: number;
  retention: number;
  audiences: number;
  migration: number;
  spendCents: number;
  length: number;
}

/** S segments, R retention states, A audiences, B money buckets. */
export function totalsLayout(s: number, r: number, a: number, b: number): TotalsLayout {
  const segments = T_SEGMENTS;
  const retention = segments + T_PER_SEGMENT * s;
  const audiences = retention + T_PER_RETENTION * r;
  const migration = audiences + a;
  const spendCents = migration + (s + 1) * (s + 1);
  return { segments, retention, audiences, migration, spendCents, length: spendCents + b };
}

/** Totals being counted, one customer at a time. */
export class Totals {
  readonly out: Float64Array;
  private readonly layout: TotalsLayout;

  constructor(
    private readonly numSegments: number,
    numRetention: number,
    numAudiences: number,
    buckets: number,
  ) {
    this.layout = totalsLayout(numSegments, numRetention, numAudiences, buckets);
    this.out = new Float64Array(this.layout.length);
  }

  /**
   * A customer with orders: in segment seg (numSegments: none), retention state ret, spend in
   * spendBucket, in segment prev (numSegments: none) at the last committed snapshot.
   */
  addCustomer(seg: number, ret: number, spend: number, spendBucket: number, prev: number): void {
    const { out, layout } = this;
    const cents = Math.round(spend * 100);
    out[T_CUSTOMERS]++;
    if (seg === this.numSegments) out[T_UNMATCHED]++;
    else {
      out[layout.segments + T_PER_SEGMENT * seg]++;
      out[layout.segments + T_PER_SEGMENT * seg + 1] += cents;
    }
    out[layout.retention + T_PER_RETENTION * ret]++;
    out[layout.retention + T_PER_RETENTION * ret + 1] += cents;
    out[layout.migration + prev * (this.numSegments + 1) + seg]++;
    out[layout.spendCents + spendBucket] += cents;
  }

  addProspect(): void {
    this.out[T_PROSPECTS]++;
  }

  addAudience(a: number): void {
    this.out[this.layout.audiences + a]++;
  }
}
