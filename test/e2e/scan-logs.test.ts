/**
 * `scan --logs` against the fakes: the real @google-cloud/logging client
 * (REST) reads entries.list from a fake Cloud Logging server, filtered to the
 * cluster's own backend services and NEGs, paged, capped; a 403 and a backend
 * service with logging disabled make the log rules "not evaluated" with the
 * reason. The only call to Cloud Logging is the read-only POST entries:list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleErrorBody, type GcpFakeState, type RawResource } from '../fakes/gcp-server.js';
import { startLoggingFake, type LoggingFake } from '../fakes/logging-server.js';
import { gcpState, LOG_RULES, runCliAsync, startFakes, type Fakes, type JsonReport } from './live-harness.js';

const T = 180_000;
const BS = 'k8s1-7f3a2b1c-shop-frontend-80-1a2b3c4d';
const OTHER_BS = 'k8s1-c0ffee00-batch-worker-80-5e6f7a8b';
const NEG_ID = '474663027746065862';

/** The basic Google Cloud fixture, with the frontend NEG made the default/web Service's and its backend service logging. */
function state(logConfig: Record<string, unknown> = { enable: true, sampleRate: 1 }): GcpFakeState {
  const s = gcpState();
  const neg = s.networkEndpointGroups!.find((n) => n.name === BS)!;
  neg.description = JSON.stringify({ 'cluster-uid': '7f3a2b1c-5d6e-4f70-8a9b-0c1d2e3f4a5b', namespace: 'default', 'service-name': 'web', port: '80' });
  for (const bs of s.backendServices!) bs.logConfig = bs.name === BS ? logConfig : { enable: true, sampleRate: 1 };
  return s;
}

function request(minutesAgo: number, backend: string, status: number, details: string, serverIp?: string): RawResource {
  const t = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  return {
    httpRequest: { latency: '0.000141s', remoteIp: '198.51.100.7', requestMethod: 'GET', requestUrl: 'https://shop.example.com/?q=1', status, ...(serverIp ? { serverIp } : {}) },
    insertId: `r${minutesAgo}${backend.length}${status}`,
    jsonPayload: { '@type': 'type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry', statusDetails: details },
    logName: 'projects/demo-project/logs/requests',
    resource: { type: 'http_load_balancer', labels: { backend_service_name: backend, project_id: 'demo-project', zone: 'global', url_map_name: 'k8s2-um-x' } },
    severity: status >= 500 ? 'WARNING' : 'INFO',
    timestamp: t,
  };
}

function probe(minutesAgo: number, negId: string, ip: string, state: string, text: string): RawResource {
  return {
    insertId: `p${minutesAgo}${ip}`,
    jsonPayload: { healthCheckProbeResult: { healthState: state, detailedHealthState: state, ipAddress: ip, targetIp: ip, targetPort: 8080, probeRequest: '/', probeResultText: text, previousDetailedHealthState: 'HEALTHY' } },
    logName: 'projects/demo-project/logs/compute.googleapis.com%2Fhealthchecks',
    resource: { type: 'gce_network_endpoint_group', labels: { network_endpoint_group_id: negId, project_id: 'demo-project', zone: 'us-central1-a' } },
    severity: 'INFO',
    timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  };
}

function entries(): RawResource[] {
  return [
    // The cluster's backend: 8 × 502 failed_to_pick_backend in the last hour, a 200, and an old one outside the window.
    ...[5, 6, 7, 8, 9, 10, 11, 12].map((m) => request(m, BS, 502, 'failed_to_pick_backend')),
    request(4, BS, 200, 'response_sent_by_backend', '10.4.0.5'),
    request(600, BS, 502, 'failed_to_pick_backend'),
    // Another cluster's backend service: never asked for.
    ...[3, 4].map((m) => request(m, OTHER_BS, 502, 'failed_to_connect_to_backend', '10.20.0.9')),
    probe(20, NEG_ID, '10.4.0.5', 'UNHEALTHY', 'HTTP response: 404, Error: Not Found'),
    probe(20, NEG_ID, '10.4.1.7', 'UNHEALTHY', 'HTTP response: 404, Error: Not Found'),
    probe(15, '520102979797043147', '10.20.0.9', 'UNHEALTHY', 'Connection refused'),
  ];
}

let fakes: Fakes;
let logging: LoggingFake;

type Report = Omit<JsonReport, 'findings'> & { findings: Array<JsonReport['findings'][number] & { observed?: Record<string, unknown> }> };

async function scan(extra: string[], gcp?: GcpFakeState): Promise<{ report: Report; stderr: string }> {
  // The fake serves the object it was started with: change it in place.
  if (gcp) Object.assign(fakes.gcp.state, gcp);
  const run = await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json', ...extra], { env: { ...fakes.env, CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING: logging.endpoint } });
  expect(run.stdout, run.stderr).not.toBe('');
  return { report: JSON.parse(run.stdout) as never, stderr: run.stderr };
}

beforeAll(async () => {
  fakes = await startFakes({ gcpState: state() });
  logging = await startLoggingFake(entries());
}, T);

afterAll(async () => {
  await Promise.all([fakes?.close(), logging?.close()]);
});

describe('scan --logs', () => {
  it('without --logs: no call to Cloud Logging, and the log rules are not evaluated, naming --logs', async () => {
    const { report } = await scan([]);
    expect(logging.requests).toEqual([]);
    const notEvaluated = report.notEvaluated.filter((n) => LOG_RULES.includes(n.ruleId));
    expect(notEvaluated.map((n) => n.ruleId).sort()).toEqual([...LOG_RULES].sort());
    for (const n of notEvaluated) expect(n.reason).toContain('--logs');
  }, T);

  it("reads only the cluster's backends and NEGs, with the one read-only POST, and judges them", async () => {
    logging.requests.length = 0;
    logging.lists.length = 0;
    const { report } = await scan(['--logs', '1h']);
    expect(logging.requests.every((r) => r.method === 'POST' && r.path === '/v2/entries:list')).toBe(true);
    const filters = logging.lists.map((l) => l.filter ?? '');
    expect(filters.some((f) => f.includes(BS) && f.includes('httpRequest.status>=500'))).toBe(true);
    expect(filters.some((f) => f.includes(NEG_ID) && f.includes('healthchecks'))).toBe(true);
    for (const f of filters) {
      expect(f).not.toContain(OTHER_BS);
      expect(f).not.toContain('520102979797043147');
    }
    const noHealthy = report.findings.find((f) => f.ruleId === 'lb-no-healthy-backend');
    expect(noHealthy?.observed).toMatchObject({ count: 8, statusDetails: { failed_to_pick_backend: 8 }, backends: [BS] });
    const probes = report.findings.find((f) => f.ruleId === 'health-check-probe-failing');
    expect(probes?.message).toContain('HTTP response: 404');
    expect(report.notEvaluated.filter((n) => LOG_RULES.includes(n.ruleId))).toEqual([]);
  }, T);

  it('respects the cap: at most --logs-max entries of each kind, newest first, and says so', async () => {
    logging.lists.length = 0;
    const run = await runCliAsync(['snapshot', '--kubeconfig', fakes.kubeconfig, '-A', '--logs', '1h', '--logs-max', '3', '-o', '-'], {
      env: { ...fakes.env, CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING: logging.endpoint },
    });
    const snapshot = JSON.parse(run.stdout) as { cloud: { requestLogs: Array<{ t: string }>; logWindow: { truncated?: boolean } }; data: Record<string, { reason?: string }> };
    expect(snapshot.cloud.requestLogs).toHaveLength(3);
    expect(snapshot.cloud.logWindow.truncated).toBe(true);
    expect(snapshot.data['gcp:lb-request-logs']?.reason).toContain('more than 3 matching entries');
    expect(logging.lists.every((l) => (l.pageSize ?? 0) <= 3)).toBe(true);
    // What a snapshot keeps of an entry: no client IP, user agent, query string.
    expect(run.stdout).not.toContain('198.51.100.7');
    expect(run.stdout).not.toContain('q=1');
  }, T);

  it('a 403 on entries.list: the log rules are not evaluated, naming logging.logEntries.list', async () => {
    logging.faults.push({ match: '/v2/entries:list', status: 403, body: googleErrorBody(403, "Permission 'logging.logEntries.list' denied on resource (or it may not exist).") });
    const { report } = await scan(['--logs', '1h']);
    logging.faults.length = 0;
    const reasons = report.notEvaluated.filter((n) => LOG_RULES.includes(n.ruleId)).map((n) => n.reason);
    expect(reasons).toHaveLength(LOG_RULES.length);
    for (const r of reasons) expect(r).toContain('logging.logEntries.list');
  }, T);

  it('logging disabled on the backend service: the request-log rules are not evaluated, with the command that enables it', async () => {
    const { report } = await scan(['--logs', '1h'], state({ enable: false }));
    Object.assign(fakes.gcp.state, state());
    const reasons = report.notEvaluated.filter((n) => LOG_RULES.includes(n.ruleId) && n.ruleId !== 'health-check-probe-failing').map((n) => n.reason);
    expect(reasons).toHaveLength(LOG_RULES.length - 1);
    for (const r of reasons) expect(r).toContain(`gcloud compute backend-services update ${BS} --global --enable-logging --logging-sample-rate=1`);
  }, T);
});
