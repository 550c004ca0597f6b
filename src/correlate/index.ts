/**
 * Correlation: the step between the rules and the reporters that turns a flat
 * list of findings into causes and consequences.
 *
 * Each rule declares in its metadata (`explains`) which failure modes it can
 * cause and on which key the two findings must agree (src/correlate/keys.ts).
 * A finding is linked to another only when that key matches: edges are sound
 * or absent. A finding with several candidate causes lists them all in
 * `causedBy`. A root is a finding that nothing present explains and that
 * explains at least one other; an incident is a root with everything it
 * explains, transitively.
 *
 * Contradictions are findings too: when the firewall evaluation says health
 * checks are blocked but Google Cloud reports endpoints of that Service port
 * HEALTHY, something outside the collected rules lets the probes through. That
 * finding is lowered to a warning, says so, and is not taken as a cause.
 */
import { SEVERITY_ORDER, type Finding, type Incident } from '../findings.js';
import type { Model } from '../model/index.js';
import type { Rule } from '../model/rule-contract.js';
import { clusterIdentity } from '../model/cluster-identity.js';
import { negKeyOfGroup, negsOfServicePort } from '../model/neg-index.js';
import { negStatusNames } from '../model/neg-status.js';
import { answeredProbeEndpoints } from '../model/probe-results.js';
import { sample } from '../util/text.js';
import { DATA } from '../snapshot/data-keys.js';
import { KeyReader, type FindingKeys } from './keys.js';

export type { FindingKeys };

export const FIREWALL_RULE = 'firewall-health-check-blocked';

export interface CorrelationResult {
  incidents: Incident[];
  /** Fingerprints of findings lowered because other evidence contradicts them. */
  contradicted: string[];
}

/** Fills `causedBy` on every finding (mutating them) and returns the incidents. */
export function correlate(findings: Finding[], rules: readonly Rule[], model: Model): CorrelationResult {
  const reader = new KeyReader(model);
  const keys = new Map<Finding, FindingKeys>();
  const keysOf = (f: Finding) => {
    let k = keys.get(f);
    if (!k) keys.set(f, (k = reader.keysOf(f)));
    return k;
  };
  const contradicted = new Set<Finding>();
  for (const f of findings) {
    if (f.ruleId === FIREWALL_RULE && contradictFirewall(f, keysOf(f), model)) contradicted.add(f);
  }

  const byRule = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  const causes = new Map<Finding, Set<Finding>>();
  const effects = new Map<Finding, Set<Finding>>();
  for (const rule of rules) {
    const sources = byRule.get(rule.meta.id);
    if (!sources) continue;
    for (const edge of rule.meta.explains ?? []) {
      const targets = byRule.get(edge.rule);
      if (!targets) continue;
      // Targets by key value: one lookup per source key instead of a pairwise scan.
      const index = new Map<string, Finding[]>();
      for (const t of targets) {
        if (edge.kind !== undefined && t.object?.kind !== edge.kind) continue;
        if (edge.targetReasons && !edge.targetReasons.includes(String(t.evidence?.reason ?? ''))) continue;
        for (const value of keysOf(t).get(edge.on) ?? []) {
          const list = index.get(value);
          if (list) list.push(t);
          else index.set(value, [t]);
        }
      }
      for (const source of sources) {
        if (contradicted.has(source)) continue;
        if (edge.fromKind !== undefined && source.object?.kind !== edge.fromKind) continue;
        if (edge.reasons && !edge.reasons.includes(String(source.evidence?.reason ?? ''))) continue;
        for (const value of keysOf(source).get(edge.on) ?? []) {
          for (const target of index.get(value) ?? []) {
            if (target === source) continue;
            link(causes, target, source);
            link(effects, source, target);
          }
        }
      }
    }
  }

  const order = new Map(findings.map((f, i) => [f, i]));
  const byOrder = (a: Finding, b: Finding) => order.get(a)! - order.get(b)!;
  for (const f of findings) f.causedBy = [...(causes.get(f) ?? [])].sort(byOrder).map((c) => c.fingerprint);

  const incidents: Array<Incident & { severity: number; worst: number; position: number }> = [];
  for (const root of findings) {
    if (causes.has(root) || !effects.has(root)) continue;
    const members: Finding[] = [root];
    const seen = new Set<Finding>(members);
    for (let i = 0; i < members.length; i++) {
      for (const next of [...(effects.get(members[i]!) ?? [])].sort(byOrder)) {
        if (seen.has(next)) continue;
        seen.add(next);
        members.push(next);
      }
    }
    // The worst severity once per incident, not once per member (a cluster-wide root can explain thousands).
    let severity = -Infinity;
    for (const m of members) severity = Math.max(severity, SEVERITY_ORDER[m.severity]);
    incidents.push({
      id: `incident-${root.fingerprint}`,
      title: incidentTitle(root, rules),
      root: root.fingerprint,
      members: members.map((m) => m.fingerprint),
      severity,
      worst: members.filter((m) => SEVERITY_ORDER[m.severity] === severity).length,
      position: order.get(root)!,
    });
  }
  // Worst severity first, then the larger incident, then the one with more findings at that severity, then report order.
  incidents.sort((a, b) => b.severity - a.severity || b.members.length - a.members.length || b.worst - a.worst || a.position - b.position);
  return {
    incidents: incidents.map(({ id, title, root, members }) => ({ id, title, root, members })),
    contradicted: [...contradicted].map((f) => f.fingerprint),
  };
}

function link(map: Map<Finding, Set<Finding>>, from: Finding, to: Finding): void {
  const set = map.get(from);
  if (set) set.add(to);
  else map.set(from, new Set([to]));
}

function incidentTitle(root: Finding, rules: readonly Rule[]): string {
  const title = rules.find((r) => r.meta.id === root.ruleId)?.meta.title ?? root.ruleId;
  const o = root.object;
  return o ? `${title}: ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}` : title;
}

/**
 * A firewall finding says the health-check ranges cannot reach a Service
 * port; if Google Cloud reports endpoints of that port's NEGs HEALTHY, the
 * probes do get through. With one node target (every node has the same tags
 * and service account) the verdict covers every endpoint, so the two cannot
 * both hold: lower the finding and say what must be going on. With several
 * node pools the healthy endpoints may sit on a pool the rules do open.
 */
function contradictFirewall(f: Finding, keys: FindingKeys, model: Model): boolean {
  const snapshot = model.snapshot;
  const probeLogs = snapshot.data[DATA.gcpProbeLogs]?.state === 'collected';
  if (snapshot.data[DATA.gcpBackendHealth]?.state !== 'collected' && !probeLogs) return false;
  const evidence = f.evidence ?? {};
  const targets = Array.isArray(evidence.nodeTargets) ? evidence.nodeTargets.length : 1;
  if (targets > 1) return false;
  const negs = snapshot.cloud?.negs ?? [];
  const identity = clusterIdentity(snapshot, model);
  const names = new Set<string>();
  for (const key of keys.get('service-port') ?? []) {
    const match = /^(.*)\/(.*):(\d+)$/.exec(key);
    if (!match) continue;
    const [, ns, name, port] = match as unknown as [string, string, string, string];
    for (const service of model.servicesNamed(ns, name)) {
      for (const neg of negsOfServicePort(negs, service, Number(port), identity)) names.add(neg.name);
    }
    for (const negName of negNamesByServicePort(model).get(key) ?? []) names.add(negName);
  }
  if (names.size === 0) return false;
  const healthy = new Set<string>();
  const all = new Set<string>();
  for (const health of snapshot.cloud?.backendHealth ?? []) {
    const group = negKeyOfGroup(health.group);
    if (!group || !names.has(group.slice(group.indexOf('/') + 1))) continue;
    for (const status of health.healthStatus) {
      if (!status.ipAddress) continue;
      const id = `${status.ipAddress}:${status.port ?? ''}`;
      all.add(id);
      if ((status.healthState ?? '').toUpperCase() === 'HEALTHY') healthy.add(id);
    }
  }
  // Health-check logs: a probe that got an HTTP answer (even an error) reached the endpoint through the firewall.
  const answered = probeLogs ? answeredProbeEndpoints(model, names) : new Set<string>();
  const negList = [...names].sort();
  if (healthy.size === 0 && answered.size > 0) {
    f.message = `${f.message.replace(/\s*$/, '')} Yet the health-check logs show probes to ${answered.size} endpoint${answered.size === 1 ? '' : 's'} of NEG ${negList.join(', ')} getting HTTP answers (${sample([...answered].sort())}), so the probes do reach them: something outside the collected firewall rules must allow them. Lowered to a warning and not taken as the cause of other findings.`;
    if (f.severity === 'error') f.severity = 'warning';
    f.evidence = { ...evidence, contradiction: { answeredProbes: [...answered].sort(), negs: negList } };
    return true;
  }
  if (healthy.size === 0) return false;
  f.message = `${f.message.replace(/\s*$/, '')} Yet Google Cloud reports ${healthy.size} of ${all.size} endpoints of NEG ${negList.join(', ')} HEALTHY (${sample([...healthy].sort())}), so the health checks do reach them: something outside the collected firewall rules must allow them (a hierarchical or network firewall policy, or a rule of a project that was not read). Lowered to a warning and not taken as the cause of other findings.`;
  if (f.severity === 'error') f.severity = 'warning';
  f.evidence = { ...evidence, contradiction: { healthyEndpoints: [...healthy].sort(), endpoints: all.size, negs: negList } };
  return true;
}

/** The NEG names the Services' neg-status annotations give, by `namespace/name:port`. */
function negNamesByServicePort(model: Model): Map<string, string[]> {
  return model.memo('correlate:negNamesByServicePort', () => {
    const out = new Map<string, string[]>();
    for (const [negName, owner] of negStatusNames(model)) {
      const key = `${owner.service.namespace}/${owner.service.name}:${owner.port}`;
      const list = out.get(key);
      if (list) list.push(negName);
      else out.set(key, [negName]);
    }
    return out;
  });
}
