/** What every reporter shows of the correlation: incidents as trees, and each explained finding's causes. */
import type { Finding, Incident } from '../findings.js';
import type { Report } from './report.js';

export interface IncidentView {
  incident: Incident;
  root: Finding;
  /** The members below the root, depth-first, each under its deepest cause in the incident. */
  tree: Array<{ finding: Finding; depth: number }>;
}

export function objectLabel(f: Finding): string {
  if (f.object) return `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`;
  const resource = f.evidence?.resource;
  if (typeof resource === 'string') return resource;
  return f.location ? `${f.location.file}:${f.location.line}` : '(inputs)';
}

export function findingsByFingerprint(report: Report): Map<string, Finding> {
  return new Map(report.result.findings.map((f) => [f.fingerprint, f]));
}

/** The findings that explain `f`, as shown to a person: "rule-id (Kind ns/name)". */
export function causeText(f: Finding, byFingerprint: Map<string, Finding>): string | undefined {
  const causes = (f.causedBy ?? []).map((c) => byFingerprint.get(c)).filter((c): c is Finding => c !== undefined);
  if (causes.length === 0) return undefined;
  return causes.map((c) => `${c.ruleId} (${objectLabel(c)})`).join(' and ');
}

/** The roots of the incidents a finding belongs to (for one-line mentions in GitHub and JUnit). */
export function rootsOf(f: Finding, report: Report, byFingerprint: Map<string, Finding>): Finding[] {
  return rootIndex(report, byFingerprint).get(f.fingerprint) ?? [];
}

/** Member fingerprint → the roots of its incidents, built once per report (reporters ask per finding). */
const rootIndexes = new WeakMap<Report, Map<string, Finding[]>>();

function rootIndex(report: Report, byFingerprint: Map<string, Finding>): Map<string, Finding[]> {
  let index = rootIndexes.get(report);
  if (index) return index;
  index = new Map();
  for (const incident of report.result.incidents) {
    const root = byFingerprint.get(incident.root);
    if (!root) continue;
    for (const member of incident.members) {
      if (member === incident.root) continue;
      const list = index.get(member);
      if (!list) index.set(member, [root]);
      else if (!list.includes(root)) list.push(root);
    }
  }
  rootIndexes.set(report, index);
  return index;
}

export function incidentViews(report: Report): IncidentView[] {
  const byFingerprint = findingsByFingerprint(report);
  const views: IncidentView[] = [];
  for (const incident of report.result.incidents) {
    const root = byFingerprint.get(incident.root);
    if (!root) continue;
    const members = new Set(incident.members);
    // Depth of a member: its longest chain of causes back to the root inside the incident
    // (relaxed at most once per member, so a cycle cannot loop).
    const depth = new Map<string, number>([[incident.root, 0]]);
    for (let round = 0; round < incident.members.length; round++) {
      let changed = false;
      for (const fp of incident.members) {
        if (fp === incident.root) continue;
        for (const c of byFingerprint.get(fp)?.causedBy ?? []) {
          const d = depth.get(c);
          if (!members.has(c) || d === undefined || d + 1 <= (depth.get(fp) ?? 0) || d + 1 > incident.members.length) continue;
          depth.set(fp, d + 1);
          changed = true;
        }
      }
      if (!changed) break;
    }
    // Each member hangs under its deepest cause: the chain reads cause → effect → effect.
    const children = new Map<string, Finding[]>();
    for (const fp of incident.members) {
      const f = byFingerprint.get(fp);
      if (!f || fp === incident.root) continue;
      let parent: string | undefined;
      for (const c of f.causedBy ?? []) {
        if (members.has(c) && depth.has(c) && (parent === undefined || depth.get(c)! > depth.get(parent)!)) parent = c;
      }
      if (!parent) continue;
      const list = children.get(parent);
      if (list) list.push(f);
      else children.set(parent, [f]);
    }
    const tree: IncidentView['tree'] = [];
    const seen = new Set<string>([root.fingerprint]);
    const walk = (fp: string, depth: number) => {
      for (const child of children.get(fp) ?? []) {
        if (seen.has(child.fingerprint)) continue;
        seen.add(child.fingerprint);
        tree.push({ finding: child, depth });
        walk(child.fingerprint, depth + 1);
      }
    };
    walk(root.fingerprint, 1);
    views.push({ incident, root, tree });
  }
  return views;
}

/** "Root cause: rule-id on Kind ns/name (message)" for an explained finding, for one-line formats (GitHub, JUnit). */
export function rootCauseText(f: Finding, report: Report, byFingerprint: Map<string, Finding>): string | undefined {
  const roots = rootsOf(f, report, byFingerprint);
  if (roots.length === 0) return undefined;
  return `Root cause: ${roots.map((r) => `${r.ruleId} on ${objectLabel(r)} (${r.message.replace(/\.$/, '')})`).join('; and ')}.`;
}
