/**
 * Log reading benchmark: one `gcloud logging read --format=json` dump of
 * 100,000 request log entries (~60 MB, pretty-printed as gcloud prints it)
 * linted with the manifests of its backend, against JSON.parse of the same
 * file plus a lint of the manifests alone; peak RSS against the file size
 * plus that lint's own.
 */
import { existsSync, mkdirSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { BIN, ROOT, measure } from './lint.mjs';

const WORK = path.join(ROOT, '.bench');
const NEG = 'k8s1-3f2a9c1d-shop-checkout-80-9b1c2d3e';
const DETAILS = ['response_sent_by_backend', 'response_sent_by_backend', 'response_sent_by_backend', 'backend_connection_closed_before_data_sent_to_client', 'failed_to_connect_to_backend', 'backend_timeout'];

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: checkout, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: checkout}}
  template:
    metadata: {labels: {app: checkout}}
    spec:
      terminationGracePeriodSeconds: 60
      containers:
      - name: checkout
        image: europe-docker.pkg.dev/shop-prod/apps/checkout:2.14.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}}
---
apiVersion: v1
kind: Service
metadata:
  name: checkout
  namespace: shop
  annotations:
    cloud.google.com/neg: '{"ingress": true}'
    cloud.google.com/neg-status: '{"network_endpoint_groups":{"80":"${NEG}"},"zones":["europe-west1-b"]}'
spec:
  selector: {app: checkout}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop, annotations: {kubernetes.io/ingress.class: gce}}
spec:
  defaultBackend: {service: {name: checkout, port: {number: 80}}}
`;

function entry(i, start) {
  const t = new Date(start + i * 250).toISOString().replace('Z', '123Z');
  const detail = DETAILS[i % DETAILS.length];
  const status = detail === 'response_sent_by_backend' ? (i % 7 === 0 ? 500 : 200) : 502;
  return {
    httpRequest: {
      latency: detail === 'backend_timeout' ? '30.001204s' : `0.0${(i % 90) + 10}412s`,
      remoteIp: `203.0.113.${i % 250}`,
      requestMethod: i % 3 ? 'GET' : 'POST',
      requestSize: '1187',
      requestUrl: `https://shop.example.com/api/items/${i}?session=${(i * 7919) % 100000}`,
      responseSize: '332',
      serverIp: `10.8.${Math.floor(i / 200) % 4}.${(i % 200) + 10}`,
      status,
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15',
    },
    insertId: `${(i * 2654435761 >>> 0).toString(16)}x${i}`,
    jsonPayload: {
      '@type': 'type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry',
      backendTargetProjectNumber: 'projects/812034569912',
      remoteIp: `203.0.113.${i % 250}`,
      statusDetails: detail,
    },
    logName: 'projects/shop-prod/logs/requests',
    receiveTimestamp: t,
    resource: {
      labels: { backend_service_name: NEG, forwarding_rule_name: 'k8s2-fs-5w2nq8c1-shop-shop-qx4ln0ke', project_id: 'shop-prod', target_proxy_name: 'k8s2-ts-5w2nq8c1-shop-shop-qx4ln0ke', url_map_name: 'k8s2-um-5w2nq8c1-shop-shop-qx4ln0ke', zone: 'global' },
      type: 'http_load_balancer',
    },
    severity: status >= 500 ? 'WARNING' : 'INFO',
    spanId: '7c1a9f3e2b4d5a60',
    timestamp: t,
    trace: 'projects/shop-prod/traces/4f1a2b3c4d5e6f708192a3b4c5d6e7f8',
  };
}

/** Writes the app manifests and a gcloud-style JSON array of `entries` request log entries. */
export function generateLogDump(entries) {
  const dir = path.join(WORK, `logs-${entries}`);
  const file = path.join(dir, 'requests.json');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'app.yaml'), APP);
  if (!existsSync(file)) {
    const fd = openSync(file, 'w');
    const start = Date.parse('2026-12-01T08:00:00Z');
    writeSync(fd, '[\n');
    for (let i = 0; i < entries; i++) {
      const text = JSON.stringify(entry(i, start), null, 2).replace(/^/gm, '  ');
      writeSync(fd, i + 1 < entries ? `${text},\n` : `${text}\n`);
    }
    writeSync(fd, ']\n');
    closeSync(fd);
  }
  return { dir, file, megabytes: statSync(file).size / 2 ** 20 };
}

const PARSE = `
import { readFileSync } from 'node:fs';
const entries = JSON.parse(readFileSync(process.argv[2], 'utf8'));
if (!Array.isArray(entries) || entries.length === 0) process.exit(1);
`;

export function logBenchmark({ entries, runs }) {
  const { dir, file, megabytes } = generateLogDump(entries);
  const parseScript = path.join(WORK, 'parse-logs.mjs');
  writeFileSync(parseScript, PARSE);
  const out = path.join(WORK, 'logs-out.json');
  const parse = measure(process.execPath, [parseScript, file], runs);
  const lintAlone = measure(process.execPath, [BIN, 'lint', 'app.yaml', '--format', 'json', '--output', out, '--fail-on', 'never'], runs, { cwd: dir });
  const lintLogs = measure(process.execPath, [BIN, 'lint', 'app.yaml', 'requests.json', '--format', 'json', '--output', out, '--fail-on', 'never'], runs, { cwd: dir });
  return {
    entries,
    megabytes,
    parseMs: parse.ms,
    lintMs: lintAlone.ms,
    logsMs: lintLogs.ms,
    timeRatio: lintLogs.ms / (parse.ms + lintAlone.ms),
    lintRssMb: lintAlone.peakKb / 1024,
    logsRssMb: lintLogs.peakKb / 1024,
    parseRssMb: parse.peakKb / 1024,
    memoryRatio: (lintLogs.peakKb / 1024 - lintAlone.peakKb / 1024) / megabytes,
  };
}
