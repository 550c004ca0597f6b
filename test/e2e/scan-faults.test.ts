/**
 * The fault matrix, through the built CLI: each fault ends with a report,
 * the rules that need the lost data are "not evaluated" (with the reason),
 * and every other rule reports exactly what it reports on a clean scan.
 * Transient faults (a 429 with Retry-After, a 500, a reset, a truncated
 * body) are retried and lose nothing at all.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA } from '../../src/snapshot/data-keys.js';
import type { Fault } from '../fakes/http-fake.js';
import { googleErrorBody, permissionDeniedBody } from '../fakes/gcp-server.js';
import { statusBody } from '../fakes/kube-server.js';
import { ROOT } from './cli.js';
import { runCliAsync, startFakes, type Fakes, type JsonReport, notEvaluatedBesidesLogs, LOG_RULES } from './live-harness.js';

const T = 180_000;
const GCP_KEYS = Object.values(DATA).filter((k) => k.startsWith('gcp:') && k !== DATA.gcpFirewallPolicies);

/** The catalog of the built CLI (what it actually runs; src may be ahead of dist while others work). */
let RULES: Array<{ id: string; needs: string[] }>;
let fakes: Fakes;
let clean: JsonReport;
let cleanStatus: number;

/** Arrival times of the fake's requests (the log itself has none). */
function stampRequests(fake: { requests: unknown[] }): number[] {
  const times: number[] = [];
  const push = fake.requests.push.bind(fake.requests);
  fake.requests.push = (...items: unknown[]) => {
    for (let i = 0; i < items.length; i++) times.push(Date.now());
    return push(...items);
  };
  return times;
}

let kubeTimes: number[];

beforeAll(async () => {
  RULES = (JSON.parse((await runCliAsync(['rules', '--format', 'json'])).stdout) as { rules: Array<{ id: string; needs: string[] }> }).rules;
  fakes = await startFakes();
  kubeTimes = stampRequests(fakes.kube);
  const run = await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json'], { env: fakes.env });
  clean = JSON.parse(run.stdout) as JsonReport;
  cleanStatus = run.status;
  expect(notEvaluatedBesidesLogs(clean.notEvaluated)).toEqual([]);
}, T);

afterAll(async () => {
  await fakes?.close();
});

/** Rules that name a data key in their source without requiring it (they use it when it is there). */
function optionalReaders(keys: string[]): Set<string> {
  const props = Object.entries(DATA).filter(([, v]) => keys.includes(v)).map(([k]) => `DATA.${k}`);
  const ids = new Set<string>();
  for (const rule of RULES) {
    let source = '';
    try {
      source = readFileSync(path.join(ROOT, 'src/rules', `${rule.id}.ts`), 'utf8');
    } catch {
      continue;
    }
    if (props.some((p) => source.includes(p))) ids.add(rule.id);
  }
  return ids;
}

/** Findings of one rule, minus the clock (a later collection ages everything by a few seconds). */
function findingsOf(report: JsonReport, ruleId: string): unknown {
  const list = report.findings.filter((f) => f.ruleId === ruleId);
  // causedBy names findings of other rules, which a fault may take away: each rule is compared on its own findings.
  return JSON.parse(JSON.stringify(list, (key, value: unknown) => (key === 'causedBy' ? undefined : /Seconds$/.test(key) && typeof value === 'number' ? 'N' : value)));
}

interface Case {
  name: string;
  kube?: Fault[];
  gcp?: Fault[];
  args?: string[];
  /** Data keys the fault takes away: exactly their rules go "not evaluated". */
  lost: string[];
  /** What stderr, and the not-evaluated reason of at least one rule, must say. */
  reason?: RegExp;
  /** Rules that use the lost data when it is there without needing it: their findings may say less. */
  alsoChanges?: string[];
  /** Extra check on the fakes' request logs. */
  check?: (fakes: Fakes) => void;
}

const count = (fakes: Fakes, pathname: string) => fakes.kube.requests.filter((r) => r.path === pathname).length;

const CASES: Case[] = [
  {
    name: '401 from Google Cloud (access token rejected)',
    gcp: [{ match: /./, status: 401, body: googleErrorBody(401, 'Request had invalid authentication credentials.') }],
    lost: GCP_KEYS,
    reason: /401|authentication|credentials/i,
  },
  {
    name: '403 on one Kubernetes list (pods)',
    kube: [{ match: /^\/api\/v1\/pods$/, status: 403, body: statusBody(403, 'Forbidden', 'pods is forbidden: User "system:serviceaccount:ci:negdoctor" cannot list resource "pods" in API group "" at the cluster scope') }],
    lost: [DATA.pods],
    reason: /403 Forbidden: pods is forbidden.*needs list on pods/,
    // Maps unhealthy NEG endpoints back to their pods when pods are known.
    alsoChanges: ['backend-unhealthy'],
  },
  {
    name: '403 on one Google Cloud list (firewalls)',
    gcp: [{ match: '/global/firewalls', status: 403, body: permissionDeniedBody('compute.firewalls.list', 'projects/demo-project') }],
    lost: [DATA.gcpFirewalls],
    reason: /compute\.firewalls\.list/,
  },
  {
    name: '404 on a CRD (ServiceNetworkEndpointGroup not installed) is an answer, not an error',
    kube: [{ match: '/servicenetworkendpointgroups', status: 404, body: statusBody(404, 'NotFound', 'the server could not find the requested resource') }],
    lost: [],
  },
  {
    name: '429 with Retry-After, then success',
    kube: [{ match: /^\/api\/v1\/services$/, status: 429, headers: { 'retry-after': '1' }, body: statusBody(429, 'TooManyRequests', 'too many requests, please try again later'), times: 1 }],
    lost: [],
    check: (f) => {
      const indexes = f.kube.requests.map((r, i) => (r.path === '/api/v1/services' ? i : -1)).filter((i) => i >= 0);
      expect(indexes).toHaveLength(2);
      // Retry-After: 1 was honoured.
      expect(kubeTimes[indexes[1]!]! - kubeTimes[indexes[0]!]!).toBeGreaterThanOrEqual(950);
    },
  },
  {
    name: '500 twice, then success',
    kube: [{ match: /^\/apis\/apps\/v1\/deployments$/, status: 500, body: statusBody(500, 'InternalError', 'etcdserver: leader changed'), times: 2 }],
    lost: [],
    check: (f) => expect(count(f, '/apis/apps/v1/deployments')).toBe(3),
  },
  {
    name: 'a connection reset, then success',
    kube: [{ match: /^\/api\/v1\/nodes$/, reset: true, times: 1 }],
    gcp: [{ match: '/aggregated/networkEndpointGroups', reset: true, times: 1 }],
    lost: [],
    check: (f) => {
      expect(count(f, '/api/v1/nodes')).toBe(2);
      expect(f.gcp.requests.filter((r) => r.path.endsWith('/aggregated/networkEndpointGroups'))).toHaveLength(2);
    },
  },
  {
    name: 'a truncated body, then success',
    kube: [{ match: /^\/api\/v1\/events$/, truncate: true, times: 1 }],
    lost: [],
    check: (f) => expect(count(f, '/api/v1/events')).toBe(2),
  },
  {
    name: 'resets on every try of one list (endpointslices)',
    kube: [{ match: /^\/apis\/discovery\.k8s\.io\/v1\/endpointslices$/, reset: true }],
    lost: [DATA.endpointSlices],
    reason: /endpointslices/,
  },
  {
    name: 'a list that hangs past --timeout (pods)',
    kube: [{ match: /^\/api\/v1\/pods$/, hang: true }],
    // Generous: this machine may be busy; the Google Cloud part must still get its share.
    args: ['--timeout', '20'],
    lost: [DATA.pods],
    alsoChanges: ['backend-unhealthy'],
    reason: /timed out|ran out of time|timeout/i,
  },
];

describe('fault matrix through the CLI (scan --format json)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      fakes.kube.requests.length = 0;
      fakes.gcp.requests.length = 0;
      kubeTimes.length = 0;
      fakes.kube.faults.splice(0, Infinity, ...structuredClone(c.kube ?? []));
      fakes.gcp.faults.splice(0, Infinity, ...structuredClone(c.gcp ?? []));
      let run;
      try {
        run = await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json', ...(c.args ?? [])], { env: fakes.env, timeoutMs: 120_000 });
      } finally {
        fakes.kube.faults.length = 0;
        fakes.gcp.faults.length = 0;
      }
      // A report, always: valid JSON on stdout, exit code from the findings.
      const report = JSON.parse(run.stdout) as JsonReport;
      expect(run.status).toBe(report.findings.some((f) => f.severity === 'error') ? 1 : 0);

      const mustLose = new Set(RULES.filter((r) => r.needs.some((k) => c.lost.includes(k))).map((r) => r.id));
      const mayChange = new Set([...optionalReaders(c.lost), ...(c.alsoChanges ?? [])]);
      const notEvaluated = new Map(notEvaluatedBesidesLogs(report.notEvaluated).map((n) => [n.ruleId, n.reason]));
      for (const id of mustLose) {
        // The log rules are out of every scan without --logs, whatever else fails.
        if (LOG_RULES.includes(id)) continue;
        expect(notEvaluated.has(id), `${id} should be not evaluated`).toBe(true);
        expect(notEvaluated.get(id)).toBeTruthy();
      }
      if (c.reason && mustLose.size) expect([...mustLose].some((id) => c.reason!.test(notEvaluated.get(id) ?? '')), 'a reason names the cause').toBe(true);
      for (const id of notEvaluated.keys()) expect(mustLose.has(id) || mayChange.has(id), `${id} should have been evaluated`).toBe(true);
      // Nothing else lost: every other rule says exactly what it says on a clean scan.
      for (const rule of RULES) {
        const id = rule.id;
        if (mustLose.has(id) || mayChange.has(id)) continue;
        expect(findingsOf(report, id), id).toEqual(findingsOf(clean, id));
      }
      if (c.lost.length === 0) {
        expect(notEvaluatedBesidesLogs(report.notEvaluated)).toEqual([]);
        expect(report.findings.map((f) => f.fingerprint)).toEqual(clean.findings.map((f) => f.fingerprint));
        expect(run.status).toBe(cleanStatus);
        expect(run.stderr).toBe('');
      } else {
        // Collection errors: brief lines on stderr, never a stack trace.
        expect(run.stderr).toMatch(/^negdoctor: warning: /m);
        if (c.reason) expect(run.stderr).toMatch(c.reason);
        expect(run.stderr).not.toMatch(/\n\s+at /);
        expect(run.stderr.split('\n').length).toBeLessThan(12);
      }
      c.check?.(fakes);
    }, T);
  }
});
