/**
 * Segmentation models are data: a JSON rules file (models/default.json is the default).
 * This module reads one, checks it, and compiles its rules into plan conditions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RfmError } from '../domain/errors.js';
import { Field, Op } from '../domain/types.js';
import type { Condition } from '../core/plan.js';
import { packageRoot } from '../package-root.js';

/** A model as written in its JSON file. */
export interface ModelFile {
  name: string;
  description?: string;
  retention: {
    defaultGapDays: number;
    states: { name: string; maxRatio?: number; meaning?: string }[];
  };
  groups: string[];
  segments: { name: string; group: string; when?: string[]; lostFrom?: string; meaning?: string; action?: string }[];
  lost: { retention: string; r: number };
  audiences: { name: string; when: string[] }[];
}

/** A checked model, with its rules compiled. */
export interface Model {
  name: string;
  file: ModelFile;
  segmentNames: string[];
  segmentGroups: string[];
  groupNames: string[];
  retentionNames: string[];
  retentionLimits: number[];
  defaultGapDays: number;
  lostRetention: number;
  lostR: number;
  audienceNames: string[];
  segments: { lostTarget: number; matchable: boolean; when: Condition[] }[];
  audiences: { when: Condition[] }[];
  /** A rule tests p_alive: every read fits MBG/NBD first (src/engine/alive-fit.ts). */
  usesPAlive: boolean;
}

const FIELDS: Record<string, number> = {
  r: Field.r,
  f: Field.f,
  m: Field.m,
  aov: Field.aov,
  orders: Field.orders,
  purchase_days: Field.purchaseDays,
  gap_cv: Field.gapCv,
  retention: Field.retention,
  spend_over_median: Field.spendOverMedian,
  engaged_since_order: Field.engagedSinceOrder,
  engagements: Field.engagements,
  recency_days: Field.recencyDays,
  spend: Field.spend,
  p_alive: Field.pAlive,
};
const OPS: Record<string, number> = { '<': Op.lt, '<=': Op.le, '=': Op.eq, '!=': Op.ne, '>=': Op.ge, '>': Op.gt };

function fail(source: string, what: string): never {
  throw new RfmError('RFM_ERR_MODEL', `model ${source}: ${what}`);
}

function compileCondition(text: string, retention: string[], source: string, where: string): Condition {
  const m = /^\s*([a-z_]+)\s*(<=|>=|!=|=|<|>)\s*(.+?)\s*$/.exec(text);
  if (!m) fail(source, `${where}: cannot read condition "${text}"; write it as "field op value", e.g. "r >= 4"`);
  const [, name, opText, valueText] = m;
  const field = FIELDS[name];
  if (field === undefined) fail(source, `${where}: unknown field "${name}" (known: ${Object.keys(FIELDS).join(', ')})`);
  let value: number;
  if (field === Field.retention) {
    value = retention.indexOf(valueText);
    if (value < 0) fail(source, `${where}: "${valueText}" is not a retention state (${retention.join(', ')})`);
  } else {
    value = Number(valueText);
    if (!Number.isFinite(value)) fail(source, `${where}: "${valueText}" is not a number`);
  }
  if (field === Field.gapCv && value < 0) fail(source, `${where}: gap_cv is compared with a value >= 0`);
  return { field, op: OPS[opText], value };
}

/** Checks a parsed model file and compiles it. `source` names it in errors. */
export function compileModel(file: ModelFile, source: string): Model {
  if (typeof file !== 'object' || file === null) fail(source, 'is not a JSON object');
  const states = file.retention?.states;
  if (!Array.isArray(states) || states.length < 1) fail(source, 'retention.states must list at least one state');
  const retentionNames = states.map((s) => s.name);
  const retentionLimits: number[] = [];
  for (let i = 0; i < states.length - 1; i++) {
    const limit = states[i].maxRatio;
    if (typeof limit !== 'number' || !(limit >= 0))
      fail(source, `retention state "${states[i].name}" needs maxRatio >= 0`);
    if (i > 0 && limit < retentionLimits[i - 1]) fail(source, 'retention maxRatio values must not decrease');
    retentionLimits.push(limit);
  }
  const defaultGapDays = file.retention.defaultGapDays;
  if (typeof defaultGapDays !== 'number' || !(defaultGapDays > 0)) fail(source, 'retention.defaultGapDays must be > 0');
  if (!Array.isArray(file.groups)) fail(source, 'groups must be a list of names');
  if (!Array.isArray(file.segments) || file.segments.length === 0)
    fail(source, 'segments must list at least one segment');
  if (file.segments.length > 250) fail(source, 'at most 250 segments');
  // an export holds a customer's audiences as the bits of 32
  if ((file.audiences ?? []).length > 32) fail(source, 'at most 32 audiences');
  const segmentNames = file.segments.map((s) => s.name);
  for (const s of file.segments) {
    if (typeof s.name !== 'string' || !s.name) fail(source, 'every segment needs a name');
    if (!file.groups.includes(s.group)) fail(source, `segment "${s.name}": group "${s.group}" is not in groups`);
  }
  const lostRetention = file.lost ? retentionNames.indexOf(file.lost.retention) : -1;
  if (file.lost && lostRetention < 0) fail(source, `lost.retention "${file.lost.retention}" is not a retention state`);
  const segments = file.segments.map((s, i) => {
    const matchable = s.lostFrom === undefined;
    if (matchable && !Array.isArray(s.when))
      fail(source, `segment "${s.name}" needs "when" (a list of conditions) or "lostFrom"`);
    const when = matchable
      ? s.when!.map((c, j) => compileCondition(c, retentionNames, source, `segment "${s.name}" condition ${j + 1}`))
      : [];
    // a lost re-run that lands in this segment moves to the segment whose lostFrom is its group
    const target = file.segments.findIndex((t) => t.lostFrom !== undefined && t.lostFrom === s.group);
    return { lostTarget: matchable ? target : -1, matchable, when, index: i };
  });
  const audiences = (file.audiences ?? []).map((a) => {
    if (!Array.isArray(a.when)) fail(source, `audience "${a.name}" needs "when"`);
    return {
      when: a.when.map((c, j) =>
        compileCondition(c, retentionNames, source, `audience "${a.name}" condition ${j + 1}`),
      ),
    };
  });
  return {
    name: file.name ?? source,
    file,
    segmentNames,
    segmentGroups: file.segments.map((s) => s.group),
    groupNames: file.groups,
    retentionNames,
    retentionLimits,
    defaultGapDays,
    lostRetention,
    lostR: file.lost?.r ?? 5,
    audienceNames: (file.audiences ?? []).map((a) => a.name),
    segments: segments.map(({ lostTarget, matchable, when }) => ({ lostTarget, matchable, when })),
    audiences,
    usesPAlive: [...segments, ...audiences].some((r) => r.when.some((c) => c.field === Field.pAlive)),
  };
}

/** Reads and compiles a model file (JSON). */
export function loadModel(path: string): Model {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RfmError('RFM_ERR_MODEL', `cannot read model file ${path}: ${(e as Error).message}`);
  }
  let parsed: ModelFile;
  try {
    parsed = JSON.parse(text) as ModelFile;
  } catch (e) {
    throw new RfmError('RFM_ERR_MODEL', `model file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return compileModel(parsed, path);
}

let defaultModel: Model | null = null;

/** The model of DESIGN.md, shipped as models/default.json. */
export function loadDefaultModel(): Model {
  defaultModel ??= loadModel(join(packageRoot(), 'models', 'default.json'));
  return defaultModel;
}
