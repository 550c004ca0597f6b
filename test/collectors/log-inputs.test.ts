/**
 * Cloud Logging entries among the inputs: the three file forms (gcloud's JSON
 * array, the entries.list answer, JSON Lines) of both kinds (request logs and
 * health-check logs), gcloud's default YAML, trimmed pastes, other entry
 * types, a truncated dump; and what the snapshot keeps of an entry.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectManifests } from '../../src/collectors/manifests/index.js';
import { manifestSnapshot } from '../../src/collectors/manifests/snapshot.js';
import { gcloudInputs } from '../../src/collectors/gcloud-inputs.js';
import { DATA } from '../../src/snapshot/data-keys.js';
import { snapshotSchemaErrors } from '../../src/snapshot/schema.js';

const request = {
  httpRequest: {
    latency: '0.004211s',
    remoteIp: '198.51.100.23',
    requestMethod: 'POST',
    requestUrl: 'https://shop.example.com/api/checkout?cart=8812&token=secret',
    serverIp: '10.8.0.14',
    status: 502,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  },
  insertId: '1o2p3q4r5s6t7u',
  jsonPayload: {
    '@type': 'type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry',
    remoteIp: '198.51.100.23',
    statusDetails: 'backend_connection_closed_before_data_sent_to_client',
  },
  logName: 'projects/shop-prod/logs/requests',
  resource: {
    type: 'http_load_balancer',
    labels: { backend_service_name: 'k8s1-3f2a9c1d-shop-checkout-80-9b1c2d3e', forwarding_rule_name: 'k8s2-fs-x', project_id: 'shop-prod', target_proxy_name: 'k8s2-ts-x', url_map_name: 'k8s2-um-x', zone: 'global' },
  },
  severity: 'WARNING',
  spanId: '7c1a9f3e2b4d5a60',
  timestamp: '2026-12-01T14:02:11.123456Z',
  trace: 'projects/shop-prod/traces/4f1a2b3c4d5e6f708192a3b4c5d6e7f8',
};
const regional = {
  ...request,
  httpRequest: { ...request.httpRequest, serverIp: '10.8.0.15:8080', status: 503 },
  jsonPayload: { statusDetails: 'failed_to_pick_backend', proxyStatus: 'destination_unavailable' },
  logName: 'projects/shop-prod/logs/loadbalancing.googleapis.com%2Frequests',
  resource: { type: 'internal_http_lb_rule', labels: { backend_target_name: 'gkegw1-a1b2-shop-checkout-80-k3x9p2m1', backend_name: 'k8s1-3f2a9c1d-shop-checkout-80-9b1c2d3e', backend_type: 'NETWORK_ENDPOINT_GROUP', region: 'europe-west1', project_id: 'shop-prod' } },
};
const probe = {
  insertId: 'a1b2c3d4e5f6',
  jsonPayload: {
    healthCheckProbeResult: {
      detailedHealthState: 'UNHEALTHY', healthCheckProtocol: 'HTTP', healthState: 'UNHEALTHY', ipAddress: '10.8.1.21', previousDetailedHealthState: 'HEALTHY',
      probeRequest: '/', probeResultText: 'HTTP response: 404, Error: Not Found', targetIp: '10.8.1.21', targetPort: 8080,
    },
  },
  logName: 'projects/shop-prod/logs/compute.googleapis.com%2Fhealthchecks',
  resource: { type: 'gce_network_endpoint_group', labels: { network_endpoint_group_id: '4817263544219385021', project_id: 'shop-prod', zone: 'europe-west1-b' } },
  timestamp: '2026-12-01T14:01:58.5Z',
};
const container = { insertId: 'x', logName: 'projects/shop-prod/logs/stdout', resource: { type: 'k8s_container', labels: { cluster_name: 'prod' } }, textPayload: 'hello', timestamp: '2026-12-01T14:00:00Z' };

function tmpdir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-logs-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

async function read(files: Record<string, string>, inputs = Object.keys(files)) {
  const dir = tmpdir(files);
  const collection = await collectManifests(inputs, { cwd: dir });
  const gcloud = gcloudInputs(collection.foreign, collection.explicit, collection.logs);
  const snapshot = manifestSnapshot(collection, { tool: { name: 'negdoctor', version: 'test' }, ...(gcloud.cloud ? { cloud: gcloud.cloud } : {}) });
  return { collection, snapshot };
}

describe('log entries by shape', () => {
  it('reads gcloud logging read --format=json arrays of both kinds, and skips other entries with one notice', async () => {
    const { collection, snapshot } = await read({ 'logs.json': JSON.stringify([request, regional, probe, container, container], null, 2) });
    expect(snapshot.data[DATA.gcpRequestLogs]).toEqual({ state: 'collected' });
    expect(snapshot.data[DATA.gcpProbeLogs]).toEqual({ state: 'collected' });
    expect(snapshot.cloud?.requestLogs).toEqual([
      { t: '2026-12-01T14:02:11.123Z', resourceType: 'http_load_balancer', status: 502, statusDetails: 'backend_connection_closed_before_data_sent_to_client', backendService: 'k8s1-3f2a9c1d-shop-checkout-80-9b1c2d3e', serverIp: '10.8.0.14', latency: 0.004211, method: 'POST', path: '/api/checkout' },
      { t: '2026-12-01T14:02:11.123Z', resourceType: 'internal_http_lb_rule', status: 503, statusDetails: 'failed_to_pick_backend', proxyStatus: 'destination_unavailable', backendService: 'gkegw1-a1b2-shop-checkout-80-k3x9p2m1', neg: 'k8s1-3f2a9c1d-shop-checkout-80-9b1c2d3e', serverIp: '10.8.0.15', serverPort: 8080, latency: 0.004211, method: 'POST', path: '/api/checkout' },
    ]);
    expect(snapshot.cloud?.probeLogs).toEqual([
      { t: '2026-12-01T14:01:58.500Z', negId: '4817263544219385021', zone: 'europe-west1-b', ip: '10.8.1.21', port: 8080, healthState: 'UNHEALTHY', detailedHealthState: 'UNHEALTHY', previousDetailedHealthState: 'HEALTHY', probeResultText: 'HTTP response: 404, Error: Not Found', probeRequest: '/' },
    ]);
    expect(collection.notices.map((n) => n.message)).toEqual([
      'skipped 2 Cloud Logging entries of other kinds (k8s_container ×2): only load balancer request logs and health-check logs are read',
    ]);
    expect(snapshot.cloud?.logWindow).toEqual({ from: '2026-12-01T14:01:58.500Z', to: '2026-12-01T14:02:11.123Z', entries: 3 });
    expect(snapshotSchemaErrors(JSON.parse(JSON.stringify(snapshot)))).toEqual([]);
  });

  it('keeps no client IP, user agent, query string or trace id', async () => {
    const { snapshot } = await read({ 'logs.json': JSON.stringify([request]) });
    const text = JSON.stringify(snapshot.cloud);
    for (const secret of ['198.51.100.23', 'Mozilla', 'token=secret', 'cart=8812', '4f1a2b3c4d5e6f708192a3b4c5d6e7f8', '7c1a9f3e2b4d5a60']) expect(text).not.toContain(secret);
  });

  it('reads an entries.list answer, JSON Lines, and an array of entries.list pages', async () => {
    const page = JSON.stringify({ entries: [request, probe], nextPageToken: 'EAA4k-2nxJv1pgFKmwMKHDEyNjQ' }, null, 2);
    const lines = [request, regional, probe].map((e) => JSON.stringify(e)).join('\n') + '\n';
    const pages = JSON.stringify([{ entries: [request] }, { entries: [probe] }]);
    for (const [name, text, requests, probes] of [['page.json', page, 1, 1], ['sink.jsonl', lines, 2, 1], ['pages.json', pages, 1, 1]] as const) {
      const { snapshot, collection } = await read({ [name]: text });
      expect([name, snapshot.cloud?.requestLogs?.length, snapshot.cloud?.probeLogs?.length, collection.problems]).toEqual([name, requests, probes, []]);
    }
  });

  it("reads gcloud's default YAML and entries trimmed as people paste them", async () => {
    const yaml = `---
httpRequest:
  requestUrl: https://shop.example.com/cart
  serverIp: 10.8.0.14
  status: 502
jsonPayload:
  statusDetails: failed_to_connect_to_backend
resource:
  labels:
    backend_service_name: k8s1-3f2a9c1d-shop-checkout-80-9b1c2d3e
  type: http_load_balancer
timestamp: '2026-12-01T14:02:11Z'
---
jsonPayload:
  healthCheckProbeResult:
    healthState: UNHEALTHY
    detailedHealthState: TIMEOUT
    ipAddress: 10.8.1.21
    targetPort: 8080
resource:
  labels:
    network_endpoint_group_id: '4817263544219385021'
timestamp: '2026-12-01T14:01:58Z'
`;
    const { snapshot } = await read({ 'pasted.yaml': yaml });
    expect(snapshot.cloud?.requestLogs).toEqual([{ t: '2026-12-01T14:02:11.000Z', resourceType: 'http_load_balancer', status: 502, statusDetails: 'failed_to_connect_to_backend', backendService: 'k8s1-3f2a9c1d-shop-checkout-80-9b1c2d3e', serverIp: '10.8.0.14', path: '/cart' }]);
    expect(snapshot.cloud?.probeLogs?.[0]).toMatchObject({ negId: '4817263544219385021', detailedHealthState: 'TIMEOUT', ip: '10.8.1.21', port: 8080 });
  });

  it('says a truncated dump is not valid JSON, and an explicitly typed empty file is "no entries"', async () => {
    const truncated = JSON.stringify([request, request], null, 2).slice(0, -40);
    const { collection } = await read({ 'cut.json': truncated });
    expect(collection.problems.map((p) => p.message)).toEqual(['not valid JSON: the array is not closed (a truncated dump?)']);
    const typed = await read({ 'empty.json': '[]\n' }, ['gcp:lb-request-logs=empty.json']);
    expect(typed.snapshot.data[DATA.gcpRequestLogs]).toEqual({ state: 'collected' });
    expect(typed.snapshot.cloud?.requestLogs).toEqual([]);
    const untyped = await read({ 'empty.json': '[]\n' });
    expect(untyped.snapshot.data[DATA.gcpRequestLogs]?.state).toBe('missing');
  });
});
