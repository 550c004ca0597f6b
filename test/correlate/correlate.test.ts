import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { correlate } from '../../src/correlate/index.js';
import { resolveConfig } from '../../src/config/config.js';
import { runRules } from '../../src/engine.js';
import type { Finding } from '../../src/findings.js';
import { modelOf } from '../../src/model/index.js';
import { renderJson } from '../../src/reporters/json.js';
import { renderText } from '../../src/reporters/text.js';
import { renderGithub } from '../../src/reporters/github.js';
import { renderJunit } from '../../src/reporters/junit.js';
import type { Report } from '../../src/reporters/report.js';
import { RULES } from '../../src/rules/index.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { FINDING_OF, findingOf, KIND_OF_KEY, worldSnapshot } from './world.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const TOOL = { name: 'negdoctor', version: '0.1.0' };
const config = resolveConfig(RULES, {}, undefined);
const EDGES = RULES.flatMap((r) => (r.meta.explains ?? []).map((e) => ({ from: r.meta.id, ...e })));

function demoSnapshot(): Snapshot {
  return JSON.parse(readFileSync(path.join(REPO, 'fixtures/demo/snapshot.json'), 'utf8')) as Snapshot;
}

function reportOf(snapshot: Snapshot): Report {
  return { tool: TOOL, snapshot, result: runRules(snapshot, { rules: RULES, config }), rules: RULES };
}

/** "rule Kind/name" of a finding, to read expectations. */
function label(f: Finding): string {
  return `${f.ruleId} ${f.object ? `${f.object.kind}/${f.object.name}` : '-'}${f.path.startsWith('endpoints[') ? `#${f.path}` : ''}`;
}

function causesOf(report: Report, f: Finding): string[] {
  const byFp = new Map(report.result.findings.map((x) => [x.fingerprint, x]));
  return (f.causedBy ?? []).map((c) => label(byFp.get(c)!)).sort();
}

function correlateWorld(findings: Finding[]) {
  const snapshot = worldSnapshot();
  return correlate(findings, RULES, modelOf(snapshot, config.settings));
}

describe('the edge catalog (explains in the rule metadata)', () => {
  it('every edge names a registered rule, other than its own, and justifies itself in one sentence', () => {
    // Choice: edges name only registered rules. Rules being added elsewhere (Gateway, proxy-only
    // subnet) declare their own edges in their own metadata when they land; this test then checks them.
    const ids = new Set(RULES.map((r) => r.meta.id));
    expect(EDGES.length).toBeGreaterThanOrEqual(20);
    for (const e of EDGES) {
      expect(ids, `${e.from} explains ${e.rule}`).toContain(e.rule);
      // A rule explains its own findings only about another kind of object (endpointslice-degraded: slice → Service).
      if (e.rule === e.from) expect(e.kind, `${e.from} → itself`).toBeDefined();
      expect(e.why, `${e.from} → ${e.rule}`).toMatch(/^[A-Z].*[.)"]$/);
      expect(e.why.replace(/e\.g\.|\("[^"]*"\)/g, '').split(/[.!?] /).length, `${e.from} → ${e.rule}: one sentence`).toBe(1);
    }
  });

  it('an edge to a rule with no findings links nothing and breaks nothing', () => {
    const source = findingOf('backend-unhealthy', 'a');
    const result = correlateWorld([source]);
    expect(result.incidents).toEqual([]);
    expect(source.causedBy).toEqual([]);
  });
});

describe('each edge links only when its join key matches', () => {
  it.each(EDGES.map((e) => [`${e.from} → ${e.rule} (${e.on})`, e] as const))('%s', (_name, edge) => {
    // The chain fires together: same object on both sides.
    const cause = findingOf(edge.from, 'a', edge.fromKind ?? KIND_OF_KEY[edge.on]);
    const effect = findingOf(edge.rule, 'a', edge.kind);
    if (edge.targetReasons) effect.evidence = { ...effect.evidence, reason: edge.targetReasons[0] };
    if (edge.fromKind) expect(cause.object?.kind).toBe(edge.fromKind);
    else if (KIND_OF_KEY[edge.on] && cause.object) expect(cause.object.kind, 'the cause is about the object its join key names').toBe(KIND_OF_KEY[edge.on]);
    if (edge.kind) expect(effect.object?.kind).toBe(edge.kind);
    if (edge.reasons) expect(edge.reasons).toContain(cause.evidence?.reason);
    const linked = correlateWorld([cause, effect]);
    expect(effect.causedBy).toEqual([cause.fingerprint]);
    expect(cause.causedBy).toEqual([]);
    expect(linked.incidents).toEqual([
      { id: `incident-${cause.fingerprint}`, title: expect.stringContaining(RULES.find((r) => r.meta.id === edge.from)!.meta.title), root: cause.fingerprint, members: [cause.fingerprint, effect.fingerprint] },
    ]);

    // Each link alone stays unlinked when its key differs (a cluster setting has one cluster to reach).
    if (edge.on === 'cluster') return;
    const otherCause = findingOf(edge.from, 'a', edge.fromKind ?? KIND_OF_KEY[edge.on]);
    const otherEffect = findingOf(edge.rule, 'b', edge.kind);
    if (edge.targetReasons) otherEffect.evidence = { ...otherEffect.evidence, reason: edge.targetReasons[0] };
    const unlinked = correlateWorld([otherCause, otherEffect]);
    expect(otherEffect.causedBy).toEqual([]);
    expect(unlinked.incidents).toEqual([]);
  });

  it('an edge limited to some reasons does not link a cause with another reason', () => {
    // A wrong endpoint address is only dropped in degraded mode: it does not send the Service there.
    const wrongIp = findingOf('endpointslice-degraded', 'a');
    wrongIp.evidence = { ...wrongIp.evidence, reason: 'EPIPNotFromPod' };
    const degraded = findingOf('endpointslice-degraded', 'a', 'Service');
    const zoneMissing = findingOf('endpointslice-degraded', 'a');
    correlateWorld([wrongIp, degraded]);
    expect(degraded.causedBy).toEqual([]);
    correlateWorld([wrongIp, zoneMissing, degraded]);
    expect(degraded.causedBy).toEqual([zoneMissing.fingerprint]);
    // Neither slice finding explains the other: the edge ends at Service findings only.
    expect(wrongIp.causedBy).toEqual([]);
    expect(zoneMissing.causedBy).toEqual([]);
  });

  it('a Gateway policy explains the default health check only as a HealthCheckPolicy that cannot apply to that Service', () => {
    const defaultCheck = () => findingOf('gateway-health-check-default', 'a');
    // The losing HealthCheckPolicy of a conflict: the winner decides the check, not it.
    const loser = findingOf('gateway-policy-invalid', 'a');
    loser.path = 'spec.targetRef';
    loser.evidence = { reason: 'conflict', winner: 'shop/web-a-old' };
    let effect = defaultCheck();
    correlateWorld([loser, effect]);
    expect(effect.causedBy).toEqual([]);
    // An invalid GCPBackendPolicy on the same Service sets no health check.
    const backendPolicy = findingOf('gateway-policy-invalid', 'a');
    backendPolicy.object = { apiVersion: 'networking.gke.io/v1', kind: 'GCPBackendPolicy', namespace: 'shop', name: 'web-a' };
    effect = defaultCheck();
    correlateWorld([backendPolicy, effect]);
    expect(effect.causedBy).toEqual([]);
    // The rejected HealthCheckPolicy is read through its targetRef: it names Service web-a.
    const rejected = findingOf('gateway-policy-invalid', 'a');
    effect = defaultCheck();
    correlateWorld([rejected, effect]);
    expect(effect.causedBy).toEqual([rejected.fingerprint]);
  });

  it('an ignored BackendConfig explains the default health check only on the ports it sets a health check for', () => {
    const timeoutOnly = findingOf('gateway-backendconfig-ignored', 'a');
    timeoutOnly.evidence = { lost: ['backend timeout → GCPBackendPolicy timeoutSec'], backendConfigs: ['web-a'] };
    const effect = findingOf('gateway-health-check-default', 'a');
    correlateWorld([timeoutOnly, effect]);
    expect(effect.causedBy).toEqual([]);
    const otherPort = findingOf('gateway-backendconfig-ignored', 'a');
    otherPort.evidence = { ...otherPort.evidence, healthCheckPorts: [443] };
    correlateWorld([otherPort, effect]);
    expect(effect.causedBy).toEqual([]);
  });

  it('has a finding shape for every rule an edge touches', () => {
    for (const e of EDGES) {
      expect(FINDING_OF, e.from).toHaveProperty([e.from]);
      expect(FINDING_OF, e.rule).toHaveProperty([e.rule]);
    }
  });

  it('the shapes are those the rules really report (checked on the demo snapshot)', () => {
    const report = reportOf(demoSnapshot());
    let compared = 0;
    const norm = (p: string) => p.replace(/\[\d+\]/g, '[]');
    for (const rule of new Set(report.result.findings.map((f) => f.ruleId))) {
      const shape = FINDING_OF[rule];
      if (!shape) continue;
      const made = shape('a');
      // Some real finding of the rule has the shape's object kind and field path…
      const real = report.result.findings.find((f) => f.ruleId === rule && (f.object?.kind ?? null) === (made.object?.kind ?? null) && norm(f.path) === norm(made.path));
      expect(real, `${rule}: no finding about ${made.object?.kind} at ${made.path}`).toBeDefined();
      // …and writes the evidence fields the correlation reads.
      for (const key of ['neg', 'unhealthy', 'heldPods', 'missing', 'negs', 'ports', 'nodeTargets']) {
        if (made.evidence && key in made.evidence) expect(real!.evidence, `${rule} evidence.${key}`).toHaveProperty([key]);
      }
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(12);
  });
});

describe('two causes, incidents and contradictions', () => {
  it('a finding with two candidate causes lists both, and each cause roots its own incident', () => {
    const firewall = findingOf('firewall-health-check-blocked', 'a');
    const policy = findingOf('network-policy-blocks-health-checks', 'a');
    const unhealthy = findingOf('backend-unhealthy', 'a');
    const gate = findingOf('readiness-gate-stuck', 'a');
    const result = correlateWorld([firewall, policy, unhealthy, gate]);
    expect(unhealthy.causedBy).toEqual([firewall.fingerprint, policy.fingerprint]);
    expect(gate.causedBy).toEqual([unhealthy.fingerprint]);
    expect(result.incidents.map((i) => [i.root, i.members])).toEqual([
      [firewall.fingerprint, [firewall.fingerprint, unhealthy.fingerprint, gate.fingerprint]],
      [policy.fingerprint, [policy.fingerprint, unhealthy.fingerprint, gate.fingerprint]],
    ]);
  });

  it('orders incidents by severity, then size', () => {
    const small = findingOf('zone-spread-missing', 'a');
    const single = findingOf('pods-single-zone', 'a');
    const big = findingOf('node-zone-missing', 'b');
    const slice = findingOf('endpointslice-degraded', 'b');
    const sync = findingOf('neg-endpoints-out-of-sync', 'b');
    const mid = findingOf('ingress-service-port-mismatch', 'a');
    const noAddress = findingOf('ingress-no-address', 'a');
    small.severity = 'error';
    single.severity = 'info';
    for (const f of [big, slice, sync, mid, noAddress]) f.severity = 'warning';
    const { incidents } = correlateWorld([small, single, mid, noAddress, big, slice, sync]);
    expect(incidents.map((i) => i.root)).toEqual([small.fingerprint, big.fingerprint, mid.fingerprint]);
  });

  it('the demo snapshot: its incidents, and every explained finding says by what', () => {
    const report = reportOf(demoSnapshot());
    const byFp = new Map(report.result.findings.map((f) => [f.fingerprint, f]));
    const incidents = report.result.incidents.map((i) => i.members.map((m) => label(byFp.get(m)!)));
    expect(incidents).toEqual([
      ['firewall-health-check-blocked Service/neg-demo-svc', 'backend-unhealthy Service/neg-demo-svc', 'readiness-gate-stuck Pod/neg-demo-app-5d8b7c9f4-h4r2c', 'rollout-stuck Deployment/neg-demo-app'],
      ['node-zone-missing Node/virtual-kubelet-aci-linux', 'endpointslice-degraded EndpointSlice/checkout-7hq2v#endpoints[1].nodeName', 'endpointslice-degraded Service/checkout', 'neg-endpoints-out-of-sync Service/checkout'],
      ['ingress-service-port-mismatch Ingress/checkout-ing', 'ingress-no-address Ingress/checkout-ing', 'ingress-sync-errors Ingress/checkout-ing'],
      ['endpointslice-degraded EndpointSlice/checkout-7hq2v#endpoints[2].targetRef.name', 'endpointslice-degraded Service/checkout', 'neg-endpoints-out-of-sync Service/checkout'],
      ['zone-spread-missing Deployment/neg-demo-app', 'pods-single-zone Deployment/neg-demo-app'],
    ]);
    const degraded = report.result.findings.find((f) => f.ruleId === 'endpointslice-degraded' && f.object?.kind === 'Service')!;
    expect(causesOf(report, degraded)).toEqual(['endpointslice-degraded EndpointSlice/checkout-7hq2v#endpoints[1].nodeName', 'endpointslice-degraded EndpointSlice/checkout-7hq2v#endpoints[2].targetRef.name']);
    const noAddress = report.result.findings.find((f) => f.ruleId === 'ingress-no-address')!;
    expect(causesOf(report, noAddress)).toEqual(['ingress-service-port-mismatch Ingress/checkout-ing', 'ingress-sync-errors Ingress/checkout-ing']);
    // Unrelated findings stay unlinked: the search Service's NEG conflict and the orphaned NEG.
    for (const id of ['neg-status-missing', 'orphaned-neg', 'prestop-hook-missing']) {
      for (const f of report.result.findings.filter((x) => x.ruleId === id)) expect(f.causedBy, label(f)).toEqual([]);
    }
  });

  it('the demo chain breaks where its join key does: a stuck pod that is no endpoint of the unhealthy NEG is not explained by it', () => {
    const snapshot = demoSnapshot();
    // The stuck pod's IP leaves the NEG's health report: backend-unhealthy no longer names that pod.
    const pod = snapshot.objects.find((o) => o.object.metadata.name === 'neg-demo-app-5d8b7c9f4-h4r2c')!;
    const ip = (pod.object.status as { podIP: string }).podIP;
    for (const h of snapshot.cloud!.backendHealth!) h.healthStatus = h.healthStatus.filter((s) => s.ipAddress !== ip);
    const report = reportOf(snapshot);
    const gate = report.result.findings.find((f) => f.ruleId === 'readiness-gate-stuck')!;
    expect(gate.causedBy).toEqual([]);
    const unhealthy = report.result.findings.find((f) => f.ruleId === 'backend-unhealthy')!;
    expect(causesOf(report, unhealthy)).toEqual(['firewall-health-check-blocked Service/neg-demo-svc']);
    // The gate and the rollout now form their own incident: the gate is a root.
    const roots = report.result.incidents.map((i) => label(report.result.findings.find((f) => f.fingerprint === i.root)!));
    expect(roots).toContain('readiness-gate-stuck Pod/neg-demo-app-5d8b7c9f4-h4r2c');
  });

  it('contradiction: the firewall says blocked but the NEG endpoints are HEALTHY → a warning that says so, not a cause', () => {
    const snapshot = demoSnapshot();
    for (const h of snapshot.cloud!.backendHealth!) {
      if (h.group.includes('neg-demo-svc')) for (const s of h.healthStatus) s.healthState = 'HEALTHY';
    }
    const report = reportOf(snapshot);
    const firewall = report.result.findings.find((f) => f.ruleId === 'firewall-health-check-blocked')!;
    expect(firewall.severity).toBe('warning');
    expect(firewall.message).toMatch(/reports 4 of 4 endpoints of NEG k8s1-7f3c9a12-default-neg-demo-svc-80-5c1d2e3f HEALTHY .*something outside the collected firewall rules must allow them/);
    expect(firewall.evidence?.contradiction).toMatchObject({ endpoints: 4, negs: ['k8s1-7f3c9a12-default-neg-demo-svc-80-5c1d2e3f'] });
    expect(report.result.findings.some((f) => f.ruleId === 'backend-unhealthy')).toBe(false);
    expect(report.result.incidents.some((i) => i.root === firewall.fingerprint)).toBe(false);
    // The stuck gate is no longer put down to the firewall.
    const gate = report.result.findings.find((f) => f.ruleId === 'readiness-gate-stuck')!;
    expect(gate.causedBy).toEqual([]);
  });

  it('contradiction from the health-check logs: probes that got an HTTP answer passed the firewall', () => {
    const snapshot = demoSnapshot();
    const neg = snapshot.cloud!.negs!.find((n) => n.name === 'k8s1-7f3c9a12-default-neg-demo-svc-80-5c1d2e3f')!;
    neg.id = '5550001112223334445';
    snapshot.cloud!.probeLogs = ['10.52.0.14', '10.52.0.15'].map((ip) => ({
      t: '2024-06-03T09:59:00.000Z', negId: '5550001112223334445', ip, port: 9376, healthState: 'UNHEALTHY', detailedHealthState: 'UNHEALTHY', probeResultText: 'HTTP response: 404, Error: Not Found', probeRequest: '/',
    }));
    snapshot.data['gcp:health-check-logs'] = { state: 'collected' };
    const report = reportOf(snapshot);
    const firewall = report.result.findings.find((f) => f.ruleId === 'firewall-health-check-blocked')!;
    expect(firewall.severity).toBe('warning');
    expect(firewall.message).toMatch(/health-check logs show probes to 2 endpoints of NEG k8s1-7f3c9a12-default-neg-demo-svc-80-5c1d2e3f getting HTTP answers/);
    expect(firewall.evidence?.contradiction).toMatchObject({ answeredProbes: ['10.52.0.14:9376', '10.52.0.15:9376'] });
    expect(report.result.incidents.some((i) => i.root === firewall.fingerprint)).toBe(false);
  });

  it('contradiction with some endpoints HEALTHY: the remaining unhealthy ones are not put down to the firewall', () => {
    const snapshot = demoSnapshot();
    snapshot.cloud!.backendHealth![0]!.healthStatus[0]!.healthState = 'HEALTHY';
    const report = reportOf(snapshot);
    const firewall = report.result.findings.find((f) => f.ruleId === 'firewall-health-check-blocked')!;
    expect(firewall.severity).toBe('warning');
    const unhealthy = report.result.findings.find((f) => f.ruleId === 'backend-unhealthy')!;
    expect(unhealthy.causedBy).toEqual([]);
  });

  it('no contradiction without backend health, or when the health report is all UNHEALTHY', () => {
    const snapshot = demoSnapshot();
    snapshot.data['gcp:backend-health'] = { state: 'missing', reason: 'not collected' };
    const report = reportOf(snapshot);
    expect(report.result.findings.find((f) => f.ruleId === 'firewall-health-check-blocked')!.severity).toBe('error');
    expect(reportOf(demoSnapshot()).result.findings.find((f) => f.ruleId === 'firewall-health-check-blocked')!.severity).toBe('error');
  });
});

describe('reporters show the correlation', () => {
  const report = reportOf(demoSnapshot());

  it('json: incidents and causedBy, valid against schemas/report.schema.json', () => {
    const json = JSON.parse(renderJson(report)) as { version: number; incidents: unknown[]; findings: Array<{ causedBy: string[]; ruleId: string }> };
    const schema = JSON.parse(readFileSync(path.join(REPO, 'schemas/report.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.version).toBe(1);
    expect(json.incidents).toEqual(report.result.incidents);
    expect(json.findings.every((f) => Array.isArray(f.causedBy))).toBe(true);
    expect(json.findings.find((f) => f.ruleId === 'rollout-stuck')!.causedBy).toHaveLength(1);
    // The schema rejects what it must: a finding without causedBy, an incident without members.
    const broken = structuredClone(json) as { findings: Array<Record<string, unknown>> };
    delete broken.findings[0]!.causedBy;
    expect(validate(broken)).toBe(false);
  });

  it('text: the report opens with the root causes, and explained findings name their cause', () => {
    const text = renderText(report, { color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Root causes');
    expect(lines[1]).toMatch(/^ {2}error {4}Service default\/neg-demo-svc: Load balancer health checks cannot reach .* firewall-health-check-blocked$/);
    // The fix commands, each on its own line under what it does, then the tree.
    const tree = lines.findIndex((l) => l.includes('└─ backend-unhealthy'));
    const commands = lines.slice(2, tree);
    expect(commands.length).toBe(4);
    commands.forEach((l, i) => expect(l).toMatch(i % 2 === 0 ? /^ {13}# / : /^ {13}gcloud compute /));
    expect(lines[1]).toContain('Fix: the 2 commands below.');
    expect(lines[1]).not.toContain('`gcloud');
    expect(lines.slice(tree, tree + 3)).toEqual([
      '    └─ backend-unhealthy  Service default/neg-demo-svc',
      '      └─ readiness-gate-stuck  Pod default/neg-demo-app-5d8b7c9f4-h4r2c',
      '        └─ rollout-stuck  Deployment default/neg-demo-app',
    ]);
    expect(text).toContain('caused by readiness-gate-stuck (Pod default/neg-demo-app-5d8b7c9f4-h4r2c)');
    // Two causes of one rule and object are told apart by their field.
    expect(text).toContain('caused by endpointslice-degraded (EndpointSlice shop/checkout-7hq2v · endpoints[1].nodeName) and endpointslice-degraded (EndpointSlice shop/checkout-7hq2v · endpoints[2].targetRef.name)');
    // Advice after every outage.
    expect(text.indexOf('Also worth fixing')).toBeGreaterThan(text.indexOf('ingress-service-port-mismatch'));
    expect(text).toContain('caused by ingress-service-port-mismatch (Ingress shop/checkout-ing) and ingress-sync-errors (Ingress shop/checkout-ing)');
    const quietNone = renderText({ ...report, result: { ...report.result, incidents: [] } }, { color: false });
    expect(quietNone.startsWith('Root causes')).toBe(false);
  });

  it('github and junit: explained findings mention their root cause', () => {
    const github = renderGithub(report, { color: false });
    const gate = github.split('\n').find((l) => l.includes('negdoctor readiness-gate-stuck'))!;
    expect(gate).toContain('%0ARoot cause: firewall-health-check-blocked on Service default/neg-demo-svc (Load balancer health checks cannot reach');
    const firewall = github.split('\n').find((l) => l.includes('negdoctor firewall-health-check-blocked'))!;
    expect(firewall).not.toContain('Root cause');
    const junit = renderJunit(report, { color: false });
    expect(junit).toMatch(/<failure type="error" message="Deployment neg-demo-app behind NEG Service neg-demo-svc:80 exceeded[^"]*Root cause: firewall-health-check-blocked on Service default\/neg-demo-svc/);
  });
});
