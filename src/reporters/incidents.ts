/** What every reporter shows of the correlation: incidents as trees, and each explained finding's causes. */
import { SEVERITY_ORDER, type Finding, type Incident, type Severity } from '../findings.js';
import type { Report } from './report.js';

/**
 * One entry of the root-cause section. Incidents whose consequences overlap
 * (two roots explaining the same degraded Service) are merged into one view
 * with every root listed: a reader sees each consequence once, under the
 * roots that must all be fixed, instead of the same chain printed twice as if
 * it were two outages.
 */
export interface IncidentView {
  /** The first of the merged incidents (its id is the view's anchor). */
  incident: Incident;
  /** The first root (the worst, then the one explaining most). */
  root: Finding;
  /** Every root, worst first; `trees[i]` is what `roots[i]` explains that no root before it showed. */
  roots: Finding[];
  trees: Array<Array<{ finding: Finding; depth: number }>>;
  /** All trees, in order: the members below the roots, each under its deepest cause. */
  tree: Array<{ finding: Finding; depth: number }>;
  /** The worst severity among all members (roots included). */
  worst: Severity;
  /** How many objects its findings are about (two findings on one object do not make a bigger outage). */
  size: number;
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

/** Per report: how many findings share a rule and an object (those need telling apart). */
const siblingCounts = new WeakMap<Map<string, Finding>, Map<string, number>>();

function siblingKey(f: Finding): string {
  return `${f.cluster ?? ''}\0${f.ruleId}\0${objectLabel(f)}`;
}

/**
 * What tells a finding apart from another of the same rule about the same
 * object: the field it concerns (`endpoints[1]`), else the endpoint or port in
 * its evidence, else its line. Undefined when it has no such sibling.
 */
export function distinction(f: Finding, byFingerprint: Map<string, Finding>): string | undefined {
  let counts = siblingCounts.get(byFingerprint);
  if (!counts) {
    counts = new Map();
    for (const x of byFingerprint.values()) counts.set(siblingKey(x), (counts.get(siblingKey(x)) ?? 0) + 1);
    siblingCounts.set(byFingerprint, counts);
  }
  if ((counts.get(siblingKey(f)) ?? 0) < 2) return undefined;
  const evidence = f.evidence ?? {};
  const endpoint = ['endpoint', 'ip', 'ipAddress', 'port'].map((k) => evidence[k]).find((v) => typeof v === 'string' || typeof v === 'number');
  return f.path || (endpoint !== undefined ? String(endpoint) : f.location ? `line ${f.location.line}` : undefined);
}

/** The object of a finding, and what distinguishes it from a sibling of the same rule and object: "EndpointSlice shop/x · endpoints[1]". */
export function findingLabel(f: Finding, byFingerprint: Map<string, Finding>): string {
  const d = distinction(f, byFingerprint);
  return d ? `${objectLabel(f)} · ${d}` : objectLabel(f);
}

/** The findings that explain `f`, as shown to a person: "rule-id (Kind ns/name)", plus what tells siblings apart. */
export function causeText(f: Finding, byFingerprint: Map<string, Finding>): string | undefined {
  const causes = (f.causedBy ?? []).map((c) => byFingerprint.get(c)).filter((c): c is Finding => c !== undefined);
  if (causes.length === 0) return undefined;
  return causes.map((c) => `${c.ruleId} (${findingLabel(c, byFingerprint)})`).join(' and ');
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

/** Views of the incidents, outages first: by the worst severity among the members, then by size. */
export function incidentViews(report: Report): IncidentView[] {
  const byFingerprint = findingsByFingerprint(report);
  const incidents = report.result.incidents.filter((i) => byFingerprint.has(i.root));
  // Incidents that share a consequence form one group (union-find on shared members).
  const group = incidents.map((_, i) => i);
  const find = (i: number): number => (group[i] === i ? i : (group[i] = find(group[i]!)));
  const owner = new Map<string, number>();
  incidents.forEach((incident, i) => {
    for (const m of incident.members) {
      if (m === incident.root) continue;
      const other = owner.get(m);
      if (other === undefined) owner.set(m, i);
      else group[find(i)] = find(other);
    }
  });
  const groups = new Map<number, Incident[]>();
  incidents.forEach((incident, i) => {
    const list = groups.get(find(i));
    if (list) list.push(incident);
    else groups.set(find(i), [incident]);
  });
  const views = [...groups.values()].map((merged) => viewOf(merged, byFingerprint));
  return views
    .map((view, index) => ({ view, index }))
    .sort((a, b) => SEVERITY_ORDER[b.view.worst] - SEVERITY_ORDER[a.view.worst] || b.view.size - a.view.size || a.index - b.index)
    .map(({ view }) => view);
}

function viewOf(incidents: Incident[], byFingerprint: Map<string, Finding>): IncidentView {
  const rootIds = new Set(incidents.map((i) => i.root));
  const memberIds = [...new Set(incidents.flatMap((i) => i.members))];
  const members = new Set(memberIds);
  // Depth of a member: its longest chain of causes back to a root inside the view
  // (relaxed at most once per member and round, so a cycle cannot loop).
  const depth = new Map<string, number>([...rootIds].map((r) => [r, 0]));
  for (let round = 0; round < memberIds.length; round++) {
    let changed = false;
    for (const fp of memberIds) {
      if (rootIds.has(fp)) continue;
      for (const c of byFingerprint.get(fp)?.causedBy ?? []) {
        const d = depth.get(c);
        if (!members.has(c) || d === undefined || d + 1 <= (depth.get(fp) ?? 0) || d + 1 > memberIds.length) continue;
        depth.set(fp, d + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  // Each member hangs under its deepest cause: the chain reads cause → effect → effect.
  const children = new Map<string, Finding[]>();
  for (const fp of memberIds) {
    const f = byFingerprint.get(fp);
    if (!f || rootIds.has(fp)) continue;
    let parent: string | undefined;
    for (const c of f.causedBy ?? []) {
      if (members.has(c) && depth.has(c) && (parent === undefined || depth.get(c)! > depth.get(parent)!)) parent = c;
    }
    if (!parent) continue;
    const list = children.get(parent);
    if (list) list.push(f);
    else children.set(parent, [f]);
  }
  const subtreeSize = (fp: string, seen = new Set<string>()): number => {
    if (seen.has(fp)) return 0;
    seen.add(fp);
    return 1 + (children.get(fp) ?? []).reduce((n, c) => n + subtreeSize(c.fingerprint, seen), 0);
  };
  const roots = [...rootIds]
    .map((r) => byFingerprint.get(r)!)
    .sort((a, b) => SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] || subtreeSize(b.fingerprint) - subtreeSize(a.fingerprint));
  const seen = new Set<string>(rootIds);
  const trees = roots.map((root) => {
    const tree: Array<{ finding: Finding; depth: number }> = [];
    const walk = (fp: string, d: number) => {
      for (const child of children.get(fp) ?? []) {
        if (seen.has(child.fingerprint)) continue;
        seen.add(child.fingerprint);
        tree.push({ finding: child, depth: d });
        walk(child.fingerprint, d + 1);
      }
    };
    walk(root.fingerprint, 1);
    return tree;
  });
  const all = memberIds.map((fp) => byFingerprint.get(fp)).filter((f): f is Finding => f !== undefined);
  const worst = all.reduce<Severity>((w, f) => (SEVERITY_ORDER[f.severity] > SEVERITY_ORDER[w] ? f.severity : w), 'info');
  const first = incidents.find((i) => i.root === roots[0]!.fingerprint) ?? incidents[0]!;
  return { incident: first, root: roots[0]!, roots, trees, tree: trees.flat(), worst, size: new Set(all.map(objectLabel)).size };
}

/**
 * The message as the human reports show it: when the finding carries its
 * commands as fix steps (shown as separate blocks), the closing "Fix: …"
 * sentence that names them inline gives way to a pointer to the blocks.
 */
export function proseOf(f: Finding): string {
  const steps = f.fixSteps?.length ?? 0;
  if (steps === 0) return f.message;
  const at = f.message.lastIndexOf(' Fix: ');
  const why = at >= 0 ? f.message.slice(0, at) : f.message;
  return `${why} Fix: ${steps === 1 ? 'the command below' : `the ${steps} commands below`}.`;
}

/** Findings as a table lists them: the worst first, then by object (a stable sort keeps each object's order). */
export function bySeverityThenObject(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] || objectLabel(a).localeCompare(objectLabel(b)));
}

/** Views whose findings are all info: advice, shown apart from the outages. */
export function isAdvice(view: IncidentView): boolean {
  return view.worst === 'info';
}

/** "Root cause: rule-id on Kind ns/name (message)" for an explained finding, for one-line formats (GitHub, JUnit). */
export function rootCauseText(f: Finding, report: Report, byFingerprint: Map<string, Finding>): string | undefined {
  const roots = rootsOf(f, report, byFingerprint);
  if (roots.length === 0) return undefined;
  return `Root cause: ${roots.map((r) => `${r.ruleId} on ${findingLabel(r, byFingerprint)} (${r.message.replace(/\.$/, '')})`).join('; and ')}.`;
}
