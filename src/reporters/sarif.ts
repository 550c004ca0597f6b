/**
 * `--format sarif`: SARIF 2.1.0 as GitHub code scanning ingests it. Every
 * result points at the offending field (start and end line and column),
 * relative to the repository root through `%SRCROOT%`; findings from live
 * state carry a logical location (the object) and no invented line.
 * Autofixes become `fixes` with the exact text replacement; findings
 * silenced by annotation or config become `suppressions`; input problems and
 * rules not evaluated become tool execution notifications.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Location, Severity } from '../findings.js';
import { requestFor, FileFixer, UnsafeEdit, type TextEdit } from '../fix/index.js';
import type { Rule } from '../model/rule-contract.js';
import { findingLabel, findingsByFingerprint, rootsOf } from './incidents.js';
import { REPOSITORY_URL, ruleDocsUrl } from './rule-docs.js';
import type { RenderOptions, Report } from './report.js';
import { jsonSafe } from './escape.js';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const INFORMATION_URI = REPOSITORY_URL;
/** The key of our fingerprint in `partialFingerprints` (GitHub keeps its own `primaryLocationLineHash`). */
export const FINGERPRINT_KEY = 'negdoctorFingerprint/v1';
const SRCROOT = '%SRCROOT%';
/** `partialFingerprints` key of the cluster, in a scan of several clusters. */
const CLUSTER_KEY = 'negdoctorCluster/v1';

type Level = 'error' | 'warning' | 'note';
type Json = Record<string, unknown>;

export function sarifLevel(severity: Severity): Level {
  return severity === 'info' ? 'note' : severity;
}

export function renderSarif(report: Report, options: RenderOptions): string {
  return `${jsonSafe(JSON.stringify(buildSarif(report, options), null, 2))}\n`;
}

export function buildSarif(report: Report, options: RenderOptions): Json {
  const root = path.resolve(options.root ?? process.cwd());
  const { result } = report;
  const ids = new Set([...result.evaluated, ...result.findings.map((f) => f.ruleId), ...result.suppressed.map((f) => f.ruleId)]);
  const rules = report.rules.filter((r) => ids.has(r.meta.id));
  const ruleIndex = new Map(rules.map((r, i) => [r.meta.id, i]));
  const uris = new UriMapper(root);
  const byFingerprint = findingsByFingerprint(report);
  // Each file with fixes is split into its documents once, for all of its fixes.
  const fixers = new Map<string, FileFixer>();
  const results = [
    ...result.findings.map((f) => toResult(f, report, uris, ruleIndex, byFingerprint, fixers)),
    ...result.suppressed.map((f) => toResult(f, report, uris, ruleIndex, byFingerprint, fixers)),
  ];
  const run: Json = {
    tool: {
      driver: {
        name: report.tool.name,
        version: report.tool.version,
        ...(/^\d+\.\d+\.\d+/.test(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
        informationUri: INFORMATION_URI,
        rules: rules.map(ruleDescriptor),
      },
    },
    automationDetails: { id: `${report.tool.name}/${report.snapshot.source === 'live' ? 'scan' : 'lint'}/` },
    invocations: [invocation(report, uris)],
    originalUriBaseIds: {
      [SRCROOT]: { uri: `${pathToFileURL(root).href.replace(/\/?$/, '/')}`, description: { text: 'The repository root: the directory negdoctor ran in.' } },
    },
    results,
    columnKind: 'utf16CodeUnits',
  };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}

function ruleDescriptor(rule: Rule): Json {
  const m = rule.meta;
  return {
    id: m.id,
    name: pascalCase(m.id),
    shortDescription: { text: sentence(m.title) },
    fullDescription: { text: `${sentence(m.symptom)} ${sentence(m.cause)}` },
    help: {
      text: [`Symptom: ${m.symptom}`, `Cause: ${m.cause}`, `Evidence: ${m.evidence}`, `Fix: ${m.remediation}`].join('\n\n'),
      markdown: [
        `**${m.title}**`,
        `**Symptom.** ${m.symptom}`,
        `**Cause.** ${m.cause}`,
        `**Evidence.** ${m.evidence}`,
        `**Fix.** ${m.remediation}`,
        m.fixable ? '`negdoctor fix` applies a safe autofix for this rule.' : '',
        `Run \`negdoctor explain ${m.id}\` for details.`,
      ]
        .filter(Boolean)
        .join('\n\n'),
    },
    helpUri: ruleDocsUrl(m.id),
    defaultConfiguration: { level: sarifLevel(m.severity) },
    properties: {
      tags: ['kubernetes', 'gke', 'load-balancing', m.category, ...(m.fixable ? ['autofix'] : [])],
      precision: 'high',
      'problem.severity': m.severity === 'info' ? 'recommendation' : m.severity,
    },
  };
}

/** A finding's location: the field in its file, and the object as a logical location. */
function locationOf(f: Finding, uris: UriMapper): { location: Json; physical?: Json } {
  const physical = f.location ? uris.physical(f.location) : undefined;
  const logical = f.object
    ? [
        {
          name: f.object.name,
          fullyQualifiedName: `${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}${f.path ? `#${f.path}` : ''}`,
          kind: 'resource',
        },
      ]
    : typeof f.evidence?.resource === 'string'
      ? // A Google Cloud resource outside the snapshot's objects (an orphaned NEG): named by its path.
        [{ name: f.evidence.resource.slice(f.evidence.resource.lastIndexOf('/') + 1), fullyQualifiedName: f.evidence.resource, kind: 'resource' }]
      : undefined;
  const location: Json = {
    ...(physical ? { physicalLocation: physical } : {}),
    ...(logical ? { logicalLocations: logical } : {}),
  };
  return { location, ...(physical ? { physical } : {}) };
}

/**
 * An explained finding points at the roots of its incidents (relatedLocations,
 * numbered from 1 and named in the message) and lists its direct causes in
 * properties.causedBy.
 */
function relatedRoots(f: Finding, report: Report, uris: UriMapper, byFingerprint: Map<string, Finding>): { related: Json[]; text: string } {
  const related: Json[] = [];
  const names: string[] = [];
  for (const root of rootsOf(f, report, byFingerprint)) {
    const { location } = locationOf(root, uris);
    if (Object.keys(location).length === 0) continue;
    const id = related.length + 1;
    related.push({ id, ...location, message: { text: `Root cause: ${root.ruleId} (${findingLabel(root, byFingerprint)})` } });
    names.push(`[${root.ruleId}](${id})`);
  }
  return { related, text: names.length ? ` Root cause: ${names.join(' and ')}.` : '' };
}

function toResult(
  f: Finding,
  report: Report,
  uris: UriMapper,
  ruleIndex: Map<string, number>,
  byFingerprint: Map<string, Finding>,
  fixers: Map<string, FileFixer>,
): Json {
  const { location, physical } = locationOf(f, uris);
  const roots = relatedRoots(f, report, uris, byFingerprint);
  const fix = physical ? sarifFix(f, report, uris, fixers) : undefined;
  const baselined = report.baselined;
  return {
    ruleId: f.ruleId,
    ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId) } : {}),
    kind: 'fail',
    level: sarifLevel(f.severity),
    message: { text: resultMessage(f, physical !== undefined) + roots.text },
    ...(Object.keys(location).length > 0 ? { locations: [location] } : {}),
    ...(roots.related.length ? { relatedLocations: roots.related } : {}),
    // The same object in two clusters is two alerts: the cluster joins the fingerprint.
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint, ...(f.cluster !== undefined ? { [CLUSTER_KEY]: f.cluster } : {}) },
    ...(fix ? { fixes: [fix] } : {}),
    ...(f.suppressed
      ? {
          suppressions: [
            {
              kind: f.suppressed.kind === 'annotation' ? 'inSource' : 'external',
              status: 'accepted',
              justification: f.suppressed.justification,
            },
          ],
        }
      : {}),
    ...(baselined ? { baselineState: baselined.has(f.fingerprint) ? 'unchanged' : 'new' } : {}),
    properties: {
      severity: f.severity,
      ...(f.cluster !== undefined ? { cluster: f.cluster } : {}),
      ...(f.object ? { object: f.object } : {}),
      ...(f.path ? { path: f.path } : {}),
      ...(f.location && !f.location.exact ? { locationIsParent: true } : {}),
      ...(f.evidence ? { evidence: f.evidence } : {}),
      ...(f.causedBy?.length ? { causedBy: f.causedBy } : {}),
    },
  };
}

/**
 * The first sentence must stand alone (GitHub shows it as the alert title):
 * a finding without a file says which object it is about.
 */
function resultMessage(f: Finding, hasFile: boolean): string {
  let text = sentence(f.message);
  if (!hasFile && f.object && !text.includes(f.object.name)) {
    text = `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}: ${text}`;
  }
  if (f.cluster !== undefined) text = `Cluster ${f.cluster}: ${text}`;
  if (f.location && !f.location.exact && f.path) text += ` The field ${f.path} is missing; the location is that of its nearest parent.`;
  if (f.fix) text += ` Autofix: ${sentence(f.fix.description)}`;
  return text;
}

/** The finding's fix as a text replacement, computed on the file as it was parsed. */
function sarifFix(f: Finding, report: Report, uris: UriMapper, fixers: Map<string, FileFixer>): Json | undefined {
  if (!f.fix || !f.location || !report.sources) return undefined;
  const source = report.sources.files.get(f.location.file);
  if (source?.text === undefined || source.notEditable) return undefined;
  const request = requestFor(report.snapshot, f);
  if (typeof request === 'string') return undefined;
  let fixer = fixers.get(f.location.file);
  if (!fixer) fixers.set(f.location.file, (fixer = new FileFixer(source.text)));
  let edit: TextEdit;
  try {
    edit = fixer.replacement(request);
  } catch (error) {
    if (error instanceof UnsafeEdit) return undefined;
    throw error;
  }
  const before = source.text;
  // The file after the fix, read through the edit instead of built: `before` with [edit.start, edit.end) replaced.
  const delta = edit.text.length - (edit.end - edit.start);
  const afterLength = before.length + delta;
  const afterCode = (i: number) => (i < edit.start ? before.charCodeAt(i) : i < edit.start + edit.text.length ? edit.text.charCodeAt(i - edit.start) : before.charCodeAt(i - delta));
  const afterSlice = (from: number, to: number) =>
    before.slice(from, Math.min(to, edit.start)) +
    edit.text.slice(Math.max(from, edit.start) - edit.start, Math.max(0, Math.min(to, edit.start + edit.text.length) - edit.start)) +
    before.slice(Math.max(from, edit.start + edit.text.length) - delta, Math.max(to, edit.start + edit.text.length) - delta);
  // The smallest changed region: everything before edit.start and after edit.end is the same on both sides.
  let start = edit.start;
  while (start < before.length && start < afterLength && before.charCodeAt(start) === afterCode(start)) start++;
  if (start === before.length && start === afterLength) return undefined;
  const trimmed = Math.min(before.length - edit.end, before.length - start, afterLength - start);
  let endBefore = before.length - trimmed;
  let endAfter = afterLength - trimmed;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === afterCode(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  // Whole lines read better in a review tool: widen the replacement to line boundaries.
  start = before.lastIndexOf('\n', start - 1) + 1;
  if (endBefore > 0 && before[endBefore - 1] !== '\n') {
    const nl = before.indexOf('\n', endBefore);
    const extra = (nl === -1 ? before.length : nl + 1) - endBefore;
    endBefore += extra;
    endAfter += extra;
  }
  const deleted = regionOf(before, start, endBefore);
  return {
    description: { text: sentence(f.fix.description) },
    artifactChanges: [
      {
        artifactLocation: uris.artifact(f.location.file),
        replacements: [{ deletedRegion: deleted, insertedContent: { text: afterSlice(start, endAfter) } }],
      },
    ],
  };
}

/** A line/column region for [from, to) of text (columns in UTF-16 code units, 1-based). */
function regionOf(text: string, from: number, to: number): Json {
  const pos = (offset: number) => {
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: offset - lineStart + 1 };
  };
  const a = pos(from);
  const b = pos(to);
  return { startLine: a.line, startColumn: a.column, endLine: b.line, endColumn: b.column, charOffset: from, charLength: to - from };
}

function invocation(report: Report, uris: UriMapper): Json {
  const notifications: Json[] = [];
  for (const problem of report.snapshot.inputs.problems) {
    const physical = uris.physical({
      file: problem.file,
      line: problem.line ?? 1,
      column: problem.column ?? 1,
      endLine: problem.endLine ?? problem.line ?? 1,
      endColumn: problem.endColumn ?? problem.column ?? 1,
      exact: problem.line !== undefined,
    });
    notifications.push({
      level: 'error',
      descriptor: { id: `input/${problem.kind}` },
      associatedRule: { id: 'yaml-syntax' },
      message: { text: `${problem.kind === 'syntax' ? 'YAML syntax error' : problem.kind === 'unreadable' ? 'Unreadable file' : 'Input not read'} in ${problem.file}: ${sentence(problem.message)}` },
      ...(physical ? { locations: [{ physicalLocation: physical }] } : {}),
    });
  }
  for (const notice of report.snapshot.inputs.notices) {
    notifications.push({
      level: 'note',
      descriptor: { id: 'input/skipped' },
      message: { text: `${notice.file}: ${sentence(notice.message)}` },
    });
  }
  for (const error of report.snapshot.errors) {
    notifications.push({
      level: 'warning',
      descriptor: { id: `collection/${error.source}` },
      message: { text: `Could not collect ${error.data}${error.cluster !== undefined ? ` from ${error.cluster}` : ''}: ${sentence(error.message)}` },
    });
  }
  for (const crash of report.result.crashed) {
    notifications.push({
      level: 'error',
      descriptor: { id: 'rule/crashed' },
      associatedRule: { id: crash.ruleId },
      message: { text: `Rule ${crash.ruleId} failed with an internal error: ${sentence(crash.error)}` },
    });
  }
  const crashed = new Set(report.result.crashed.map((c) => c.ruleId));
  for (const n of report.result.notEvaluated) {
    if (crashed.has(n.ruleId)) continue;
    notifications.push({
      level: 'note',
      descriptor: { id: 'rule/not-evaluated' },
      associatedRule: { id: n.ruleId },
      message: { text: `Rule ${n.ruleId} was not evaluated${n.cluster !== undefined ? ` on ${n.cluster}` : ''}: ${sentence(n.reason)}` },
    });
  }
  return {
    executionSuccessful: report.result.crashed.length === 0,
    ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
  };
}

/** File paths → URIs relative to the repository root; stdin and paths outside it get no %SRCROOT%. */
class UriMapper {
  constructor(private readonly root: string) {}

  artifact(file: string): Json {
    const absolute = path.resolve(this.root, file);
    const relative = path.relative(this.root, absolute);
    if (relative && !relative.startsWith('..') && !path.isAbsolute(relative)) {
      return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
    }
    return { uri: pathToFileURL(absolute).href };
  }

  physical(location: Location): Json | undefined {
    if (location.file === '<stdin>' || location.file === '') return undefined;
    const region: Json = { startLine: location.line, startColumn: location.column };
    const endsLater = location.endLine > location.line || (location.endLine === location.line && location.endColumn > location.column);
    if (endsLater) {
      region.endLine = location.endLine;
      region.endColumn = location.endColumn;
    } else {
      region.endLine = location.line;
      region.endColumn = location.column + 1;
    }
    return { artifactLocation: this.artifact(location.file), region };
  }
}

function pascalCase(id: string): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Ends the text with a period (SARIF messages are sentences). */
function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
