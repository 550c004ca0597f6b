/**
 * The engine: runs the enabled rules over a snapshot and turns their raw
 * reports into findings — severity overrides, locations, fingerprints and
 * suppressions — and reports rules without their data as not evaluated.
 */
import { hash } from 'node:crypto';
import type { Config, IgnoreEntry } from './config/config.js';
import { correlate } from './correlate/index.js';
import { pathToString, type Finding, type Incident, type Location, type NotEvaluated, type ObjectRef, type Suppression } from './findings.js';
import { modelOf, type Model } from './model/index.js';
import { namespaceOf, nameOf, workloadOf } from './model/workloads.js';
import type { RawFinding, Rule, RuleContext } from './model/rule-contract.js';
import type { Snapshot, SnapshotObject } from './snapshot/types.js';

export const IGNORE_ANNOTATION = 'negdoctor.dev/ignore';

/** Resolves a field path of an object to a source location (manifests only). */
export interface Locator {
  locate(objectId: number, path: ReadonlyArray<string | number>): Location | undefined;
}

export interface EngineOptions {
  rules: Rule[];
  config: Config;
  locator?: Locator;
  /** --enable / --disable from the command line: win over the config file. */
  enable?: string[];
  disable?: string[];
  now?: Date;
}

export interface EngineResult {
  findings: Finding[];
  /** Findings silenced by annotation or config (kept for SARIF `suppressions`). */
  suppressed: Finding[];
  notEvaluated: NotEvaluated[];
  evaluated: string[];
  disabled: string[];
  /** Rules that threw: an internal error, reported as not evaluated. */
  crashed: Array<{ ruleId: string; error: string }>;
  /** Root causes with what they explain (src/correlate/); each finding's `causedBy` is filled too. */
  incidents: Incident[];
  /**
   * The model the rules ran on: for reporters that draw the path (html, markdown). Findings' join keys
   * are not kept (about 0.6 KB per finding, 29 MB for a 50,000-document lint): those reporters recompute them.
   */
  model?: Model;
}

export function runRules(snapshot: Snapshot, options: EngineOptions): EngineResult {
  const { config } = options;
  const model = modelOf(snapshot, config.settings);
  const now = options.now ?? new Date(snapshot.collectedAt);
  const result: EngineResult = { findings: [], suppressed: [], notEvaluated: [], evaluated: [], disabled: [], crashed: [], incidents: [] };
  const enable = new Set(options.enable ?? []);
  const disable = new Set(options.disable ?? []);
  const fingerprints = new Map<string, number>();

  for (const rule of options.rules) {
    const id = rule.meta.id;
    const ruleConfig = config.rules.get(id) ?? { enabled: true, options: { ...rule.meta.defaults } };
    const enabled = disable.has(id) ? false : enable.has(id) ? true : ruleConfig.enabled;
    if (!enabled) {
      result.disabled.push(id);
      continue;
    }
    const missing = rule.meta.needs
      .map((key) => ({ key, availability: snapshot.data[key] }))
      .filter(({ availability }) => availability?.state !== 'collected');
    if (missing.length > 0) {
      const first = missing[0]!;
      result.notEvaluated.push({
        ruleId: id,
        reason: first.availability?.reason ?? `${first.key} was not collected`,
      });
      continue;
    }
    const raw: RawFinding[] = [];
    let skipped: string | undefined;
    const ctx: RuleContext<Record<string, unknown>> = {
      snapshot,
      model,
      options: ruleConfig.options,
      settings: config.settings,
      now,
      report: (finding) => raw.push(finding),
      skip: (reason) => {
        skipped ??= reason;
      },
    };
    try {
      rule.check(ctx);
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      result.crashed.push({ ruleId: id, error: message });
      result.notEvaluated.push({ ruleId: id, reason: `internal error in the rule: ${message}` });
      continue;
    }
    if (skipped !== undefined && raw.length === 0) {
      result.notEvaluated.push({ ruleId: id, reason: skipped });
      continue;
    }
    result.evaluated.push(id);
    for (const r of raw) {
      const finding = toFinding(rule, r, ruleConfig.severity, options.locator);
      const count = fingerprints.get(finding.fingerprint) ?? 0;
      fingerprints.set(finding.fingerprint, count + 1);
      if (count > 0) finding.fingerprint = `${finding.fingerprint}:${count + 1}`;
      const suppression = suppressionFor(id, r, finding, config.ignore);
      if (suppression) result.suppressed.push({ ...finding, suppressed: suppression });
      else result.findings.push(finding);
    }
  }
  result.findings = sortFindings(result.findings);
  result.suppressed = sortFindings(result.suppressed);
  // After the rules, before the reporters: causes and consequences among the findings shown.
  const correlation = correlate(result.findings, options.rules, model);
  result.incidents = correlation.incidents;
  result.model = model;
  return result;
}

function toFinding(rule: Rule, raw: RawFinding, severityOverride: Finding['severity'] | undefined, locator?: Locator): Finding {
  const object = raw.object ? objectRef(raw.object) : null;
  const path = pathToString(raw.path);
  const location = raw.location ?? (raw.object && locator ? (locator.locate(raw.object.id, raw.path) ?? null) : null);
  const identity = object
    ? `${object.kind}/${object.namespace ?? ''}/${object.name}`
    : raw.resource !== undefined
      ? `resource:${raw.resource}`
      : `${location?.file ?? ''}:${location?.line ?? ''}:${location?.column ?? ''}:${raw.message}`;
  return {
    ruleId: rule.meta.id,
    // A rule's own severity for this finding (e.g. error vs warning) is its default; config overrides it.
    severity: severityOverride ?? raw.severity ?? rule.meta.severity,
    message: flatString(raw.message),
    object,
    path: flatString(path),
    location,
    fingerprint: fingerprint(rule.meta.id, identity, path),
    fix: raw.fix ?? null,
    ...(raw.fixSteps?.length ? { fixSteps: raw.fixSteps } : {}),
    ...(raw.evidence ? { evidence: raw.evidence } : {}),
    ...(raw.observed ? { observed: raw.observed } : {}),
  };
}

const CLUSTER_SCOPED_KINDS = new Set(['Node', 'IngressClass', 'Namespace', 'GatewayClass']);

export function objectRef(obj: SnapshotObject): ObjectRef {
  const clusterScoped = CLUSTER_SCOPED_KINDS.has(obj.object.kind);
  return {
    apiVersion: obj.object.apiVersion,
    kind: obj.object.kind,
    namespace: clusterScoped ? null : namespaceOf(obj),
    name: nameOf(obj),
  };
}

/** Stable across line moves and apiVersion bumps: rule, object identity and field path. */
export function fingerprint(ruleId: string, identity: string, path: string): string {
  // One-shot crypto.hash (Node ≥ 20.12): same digest as createHash, without a Hash object per finding.
  // Hex of the first 10 bytes is the first 20 hex digits, as a string of its own (a slice of the
  // 64-digit hex would keep all 64 alive, per finding).
  return (hash('sha256', `${ruleId}\0${identity}\0${path}`, 'buffer') as unknown as Buffer).toString('hex', 0, 10);
}

/**
 * The same text as one flat string. A message built from a template literal is
 * a tree of string pieces in V8 (about 32 bytes per piece); findings are kept
 * until the report is written, and at 47,000 findings (a 50,000-document lint)
 * flat messages and paths hold 17 MB less.
 */
function flatString(text: string): string {
  return text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);
}

function suppressionFor(ruleId: string, raw: RawFinding, finding: Finding, ignore: IgnoreEntry[]): Suppression | undefined {
  for (const obj of [raw.object, ...(raw.related ?? [])]) {
    if (!obj) continue;
    const annotations = [obj.object.metadata.annotations?.[IGNORE_ANNOTATION]];
    const workload = workloadOf(obj);
    if (workload) annotations.push(workload.templateAnnotations[IGNORE_ANNOTATION]);
    for (const value of annotations) {
      if (typeof value !== 'string') continue;
      const ids = value.split(',').map((s) => s.trim());
      if (ids.includes(ruleId) || ids.includes('*') || ids.includes('all')) {
        return { kind: 'annotation', justification: `${IGNORE_ANNOTATION} on ${obj.object.kind} ${nameOf(obj)}` };
      }
    }
  }
  for (const entry of ignore) {
    if (matchesIgnore(entry, ruleId, finding)) {
      return { kind: 'config', justification: entry.reason ?? 'ignored by .negdoctor.yaml' };
    }
  }
  return undefined;
}

function matchesIgnore(entry: IgnoreEntry, ruleId: string, finding: Finding): boolean {
  const rules = entry.rule === undefined ? undefined : Array.isArray(entry.rule) ? entry.rule : [entry.rule];
  if (rules && !rules.some((r) => glob(r, ruleId))) return false;
  if (entry.kind !== undefined && entry.kind !== finding.object?.kind) return false;
  if (entry.namespace !== undefined && !glob(entry.namespace, finding.object?.namespace ?? '')) return false;
  if (entry.name !== undefined && !glob(entry.name, finding.object?.name ?? '')) return false;
  if (entry.file !== undefined && !glob(entry.file, finding.location?.file ?? '')) return false;
  return true;
}

/** `*` matches any run of characters (including `/` for file paths). */
function glob(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
  return regex.test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Report order: file, line, column, then object and rule. Each finding's keys are read once, not per comparison. */
function sortFindings<F extends Finding>(findings: F[]): F[] {
  const keyed = findings.map((finding) => ({
    finding,
    file: finding.location?.file ?? '\uffff',
    line: finding.location?.line ?? 0,
    column: finding.location?.column ?? 0,
    object: `${finding.object?.kind}/${finding.object?.namespace}/${finding.object?.name}`,
  }));
  keyed.sort((a, b) => {
    if (a.file !== b.file) return a.file < b.file ? -1 : 1;
    if (a.line !== b.line) return a.line - b.line;
    if (a.column !== b.column) return a.column - b.column;
    if (a.object !== b.object) return a.object < b.object ? -1 : 1;
    const ra = a.finding.ruleId;
    const rb = b.finding.ruleId;
    return ra < rb ? -1 : ra > rb ? 1 : 0;
  });
  return keyed.map((k) => k.finding);
}
