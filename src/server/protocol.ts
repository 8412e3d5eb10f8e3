/**
 * The live protocol, version 1: every message is one JSON object with a "type".
 *
 * Server to client:
 *   hello     on connect: protocol version, model name, the names (with meanings) of every
 *             segment, group, retention state and audience
 *   history   on connect, after hello: the segment counts of the snapshots taken so far
 *             and of the month ends the figures measured (the latest SERIES_LENGTH), so a
 *             page opened late draws the whole series
 *   snapshot  on connect, then at most every interval while the state changes, and on request
 *   predictions  with --predict-every: the purchase and spend models refitted, P(alive) by
 *             bins, expected purchases and CLV (on connect, the latest)
 *   error     a message the server could not take; a client that floods is closed
 * Client to server:
 *   { "type": "snapshot" }   ask for the latest snapshot now
 */
import type { Model } from '../model/model.js';
import type { Report } from '../report/report.js';
import type { Counted } from '../report/counted.js';
import type { LiveFiguresMessage } from './live-figures.js';
import type { PredictionsMessage } from './live-predictions.js';

export const PROTOCOL_VERSION = 1;

export interface HelloMessage {
  type: 'hello';
  protocol: number;
  model: string;
  segments: { name: string; group: string; meaning: string; action: string }[];
  groups: string[];
  retention: { name: string; meaning: string }[];
  audiences: string[];
}

/** Customers who moved between two segments since the previous snapshot (from null: new). */
export interface Migration {
  from: string | null;
  to: string;
  customers: number;
}

/** The report's fields a snapshot carries (it adds the rest itself). */
type ReportFields = Pick<
  Report,
  | 'asOf'
  | 'customers'
  | 'orders'
  | 'revenue'
  | 'rejected'
  | 'segments'
  | 'groups'
  | 'retention'
  | 'audiences'
  | 'concentration'
>;

export interface SnapshotMessage extends ReportFields {
  type: 'snapshot';
  /** The store's currency (a cart export names it, or --currency), null when unknown. */
  currency: string | null;
  /** What was counted and left out, as the report's `counted` (src/report/counted.ts). */
  counted: Counted;
  /** Counts up from 1 with every snapshot the server takes. */
  seq: number;
  /** When the server took it (ms since the epoch, wall clock): a client's lag is now - takenAt. */
  takenAt: number;
  /** Revenue share of the lowest-spending 0, 5, ..., 100 % of customers. */
  lorenz: number[];
  migration: Migration[];
  /**
   * Cultivation by cohort and core retention, measured at each month end the latest event
   * time passes (null: the server runs with --no-figures).
   */
  figures: LiveFiguresMessage | null;
  ingest: {
    /** Rows taken in so far (orders, refunds, engagements, rejected). */
    rows: number;
    /** Orders per second over the last interval. */
    ordersPerSecond: number;
    /** Latest event time taken in (ISO), null before the first. */
    watermark: string | null;
    /** The source has nothing more to give (a replay that ended). */
    sourceDone: boolean;
    /** Why the source stopped before its end (a file corrupt part-way; what was read is kept), else null. */
    sourceError: string | null;
  };
}

/** Snapshots a server keeps the segment counts of, for a client that connects late. */
export const SERIES_LENGTH = 240;

export interface HistoryMessage {
  type: 'history';
  series: { asOf: string; segments: Record<string, number> }[];
}

export interface ErrorMessage {
  type: 'error';
  message: string;
}

export type ServerMessage = HelloMessage | HistoryMessage | SnapshotMessage | PredictionsMessage | ErrorMessage;

export function helloOf(model: Model): HelloMessage {
  const segmentsByName = new Map(model.file.segments.map((s) => [s.name, s]));
  return {
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    model: model.name,
    segments: model.segmentNames.map((name, i) => ({
      name,
      group: model.segmentGroups[i],
      meaning: segmentsByName.get(name)?.meaning ?? '',
      action: segmentsByName.get(name)?.action ?? '',
    })),
    groups: model.groupNames,
    retention: model.file.retention.states.map((s) => ({ name: s.name, meaning: s.meaning ?? '' })),
    audiences: model.audienceNames,
  };
}

export function reportFields(r: Report): ReportFields {
  const { asOf, customers, orders, revenue, rejected, segments, groups, retention, audiences, concentration } = r;
  return { asOf, customers, orders, revenue, rejected, segments, groups, retention, audiences, concentration };
}
