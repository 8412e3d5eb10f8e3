/**
 * The report's cultivation and core-retention figures, kept live. The report measures every
 * customer at each month end (report --cohorts); a live engine cannot read its input again,
 * so it measures as its clock (the latest event time) passes each month end: a batch that
 * spans one is applied in two (split-time.ts), the customers are taken as of the month end
 * between the halves. On time-ordered input the figures are the report's; an order that
 * arrives after its month end was measured counts from the next measurement on.
 *
 * Core retention live: of the customers Core at the latest month end at least 90 days
 * before the latest measurement, the share not Lost (and still Core) at it; the Core marks of
 * the last few measurements are kept for that.
 */
import { Kind } from '../abi/abi.js';
import { columnBatchOver } from '../batch/column-batch.js';
import { splitAtTime } from '../batch/split-time.js';
import type { ConvertedInput } from '../batch/converted.js';
import type { Engine } from '../engine/engine.js';
import type { CustomerExport } from '../results.js';
import { CultivationTracker } from '../report/cultivation.js';
import type { CoreMarks, Cultivation, TrackerState } from '../report/cultivation.js';
import { coreRetention } from '../report/headlines.js';
import type { CoreRetention } from '../report/headlines.js';

const DAY_MS = 86_400_000;
/** How far back the live core retention looks. */
export const RETENTION_DAYS = 90;

export interface LiveFiguresMessage {
  /** Cultivation by cohort as of the latest measurement (null before the first month end). */
  cultivation: Cultivation | null;
  /** Null until a measurement RETENTION_DAYS after another. */
  coreRetention: CoreRetention | null;
  /** When the figures were measured (ISO), null before the first time. */
  measuredAt: string | null;
}

/** The last millisecond of t's month (UTC). */
export function monthEndOf(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1;
}

/** What LiveFigures keeps, as JSON: in rfm serve --data's checkpoints, so the figures go on after a restart. */
export interface LiveFiguresState {
  next: number | null;
  cores: { at: number; count: number; parts: string[] }[];
  figures: LiveFiguresMessage;
  tracker: TrackerState;
}

export class LiveFigures {
  private tracker = new CultivationTracker();
  /** The month end to measure at next; null before the first order. */
  private next: number | null = null;
  /** Core marks at the measurements still within reach of a baseline, oldest first. */
  private cores: { at: number; marks: CoreMarks }[] = [];
  private figures: LiveFiguresMessage = { cultivation: null, coreRetention: null, measuredAt: null };

  /**
   * onPoint: each measurement's segment counts (the live series gains a point a month, even from a
   * replay that came in one batch).
   */
  constructor(
    private readonly engine: Engine,
    private readonly onPoint: (asOf: string, segments: Record<string, number>) => void = () => undefined,
  ) {}

  /** Applies a batch, measuring at every month end it passes. Calls must not overlap (LiveEngine chains them). */
  async ingest(batch: ConvertedInput): Promise<void> {
    const applied = batch.orders + batch.refunds + batch.engagements;
    if (this.next === null && applied > 0) this.next = monthEndOf(Math.max(this.engine.watermark, minTimeOf(batch)));
    while (this.next !== null && applied > 0 && batch.maxTs > this.next) {
      const [before, after] = splitAtTime(batch, this.next, this.engine.pool);
      await this.engine.ingest(before);
      batch = after;
      await this.measure(this.next);
      this.next = monthEndOf(this.next + 1);
    }
    await this.engine.ingest(batch);
  }

  /** Measures at the latest event (a source that ended: its last figures). */
  async measureNow(): Promise<void> {
    const at = this.engine.watermark;
    if (Number.isFinite(at) && (this.cores.length === 0 || this.cores[this.cores.length - 1].at < at))
      await this.measure(at);
  }

  private async measure(at: number): Promise<void> {
    // the baseline: the latest measurement at least RETENTION_DAYS before this one
    let base = -1;
    for (let i = 0; i < this.cores.length; i++) if (this.cores[i].at <= at - RETENTION_DAYS * DAY_MS) base = i;
    const baseline = base >= 0 ? this.cores[base] : null;
    const customers = await this.engine.customers('sketch', at);
    const seen = this.tracker.observe(customers, at, { keep: true, baseline: baseline?.marks });
    this.onPoint(iso(at), segmentCounts(customers));
    // customers dealt out again (ids turned to text): the earlier marks are of other places
    if (baseline !== null && seen.notLost === null) this.cores = [];
    else if (base > 0) this.cores = this.cores.slice(base);
    this.cores.push({ at, marks: seen.core! });
    this.figures = {
      cultivation: this.tracker.table(at),
      coreRetention:
        baseline === null || seen.notLost === null
          ? null
          : coreRetention(iso(baseline.at), iso(at), baseline.marks.count, seen.notLost, seen.stillCore!),
      measuredAt: iso(at),
    };
  }

  get latest(): LiveFiguresMessage {
    return this.figures;
  }

  state(): LiveFiguresState {
    return {
      next: this.next,
      cores: this.cores.map((c) => ({
        at: c.at,
        count: c.marks.count,
        parts: c.marks.parts.map((p) => Buffer.from(p).toString('base64')),
      })),
      figures: this.figures,
      tracker: this.tracker.state(),
    };
  }

  /** Takes up a state (of the checkpoint the engine was restored from). */
  restore(s: LiveFiguresState): void {
    this.next = s.next;
    this.cores = s.cores.map((c) => ({
      at: c.at,
      marks: { count: c.count, parts: c.parts.map((p) => new Uint8Array(Buffer.from(p, 'base64'))) },
    }));
    this.figures = s.figures;
    this.tracker = CultivationTracker.of(s.tracker);
  }
}

function segmentCounts(exp: CustomerExport): Record<string, number> {
  const names = exp.model.segmentNames;
  const n = new Array<number>(names.length).fill(0);
  for (const part of exp.parts) for (let i = 0; i < part.numRows; i++) if (part.orders[i] > 0) n[part.segment[i]]++;
  return Object.fromEntries(names.map((name, k) => [name, n[k]]));
}

const iso = (t: number): string => new Date(t).toISOString();

/** The earliest event time of the rows a batch applies. */
function minTimeOf(batch: ConvertedInput): number {
  const { ts, kind, numRows } = columnBatchOver(batch.parts[0].buffer, batch.parts[0].shape);
  let min = Infinity;
  for (let i = 0; i < numRows; i++) if (kind[i] !== Kind.skip && ts[i] < min) min = ts[i];
  return min;
}
