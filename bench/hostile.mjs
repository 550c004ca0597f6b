/**
 * Hostile shapes (issue 20): inputs where each item is tiny, and a single-line
 * pod List near the documented 256 MiB limit. Each is linted once; the figure
 * is peak RSS above the baseline (a lint of one small file) as a ratio to the
 * file's size — the bound the README states.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { BIN, ROOT, measure } from './lint.mjs';

const WORK = path.join(ROOT, '.bench');

/** Writes a file from chunks without building it in memory. */
async function write(file, chunks) {
  if (existsSync(file)) return file;
  mkdirSync(WORK, { recursive: true });
  const out = createWriteStream(`${file}.tmp`);
  for (const chunk of chunks()) if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  renameSync(`${file}.tmp`, file);
  return file;
}

/** `[x,x,…]` of about `bytes` bytes. */
export function denseArray(file, item, bytes) {
  const count = Math.floor(bytes / (item.length + 1));
  return write(file, function* () {
    yield '[';
    const block = Array(10_000).fill(item).join(',');
    let left = count;
    let first = true;
    while (left > 0) {
      const n = Math.min(left, 10_000);
      yield (first ? '' : ',') + (n === 10_000 ? block : Array(n).fill(item).join(','));
      first = false;
      left -= n;
    }
    yield ']';
  });
}

/** A pod as `kubectl get pods -o json` gives it (about 2.4 KB). */
function pod(i) {
  const name = `web-${i % 500}-7d9f8c6b5-${(i * 7919).toString(36).padStart(5, 'x')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: `team-${i % 40}`,
      uid: `0b7c${i.toString(16).padStart(8, '0')}-1f2e-4d5c-9b8a-7f6e5d4c3b2a`,
      resourceVersion: String(1_000_000 + i),
      creationTimestamp: '2026-11-30T08:15:00Z',
      labels: { app: `web-${i % 500}`, 'pod-template-hash': '7d9f8c6b5', tier: 'frontend' },
      annotations: { 'cloud.google.com/neg-status': '' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `web-${i % 500}-7d9f8c6b5`, uid: 'a1b2c3d4-0000-4000-8000-000000000000', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'us-docker.pkg.dev/example/web/web:1.42.0',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      readinessGates: [{ conditionType: 'cloud.google.com/load-balancer-neg-ready' }],
      nodeName: `gke-prod-pool-${i % 30}-abcd`,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      schedulerName: 'default-scheduler',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status: {
      phase: 'Running',
      conditions: [
        { type: 'cloud.google.com/load-balancer-neg-ready', status: 'True', lastTransitionTime: '2026-11-30T08:15:20Z' },
        { type: 'Initialized', status: 'True', lastTransitionTime: '2026-11-30T08:15:00Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-11-30T08:15:21Z' },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: '2026-11-30T08:15:12Z' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-30T08:15:00Z' },
      ],
      hostIP: `10.128.0.${i % 250}`,
      podIP: `10.8.${(i >> 8) & 255}.${i & 255}`,
      podIPs: [{ ip: `10.8.${(i >> 8) & 255}.${i & 255}` }],
      startTime: '2026-11-30T08:15:00Z',
      containerStatuses: [{ name: 'web', ready: true, restartCount: 0, started: true, image: 'us-docker.pkg.dev/example/web/web:1.42.0', imageID: 'us-docker.pkg.dev/example/web/web@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0', containerID: `containerd://${i.toString(16).padStart(64, '0')}`, state: { running: { startedAt: '2026-11-30T08:15:11Z' } } }],
      qosClass: 'Burstable',
    },
  };
}

/** A single-line `{"apiVersion":"v1","kind":"List","items":[…]}` of about `bytes` bytes. */
export function podList(file, bytes) {
  return write(file, function* () {
    yield '{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[';
    let written = 0;
    for (let i = 0; written < bytes; i++) {
      const text = (i ? ',' : '') + JSON.stringify(pod(i));
      written += text.length;
      yield text;
    }
    yield ']}';
  });
}

/** Peak RSS of one lint of `file`, above the baseline, as a ratio to the file size. */
export function lintRss(file, baselineKb) {
  const size = statSync(file).size;
  const run = measure(process.execPath, [BIN, 'lint', file, '--format', 'json', '--output', path.join(WORK, 'out.json'), '--fail-on', 'never'], 1);
  const aboveMb = (run.peakKb - baselineKb) / 1024;
  return { megabytes: size / 2 ** 20, ms: run.ms, peakRssMb: run.peakKb / 1024, ratio: (aboveMb * 2 ** 20) / size };
}

export async function hostileBenchmarks({ quick }) {
  const baseline = measure(process.execPath, [BIN, 'lint', 'fixtures/demo/shop.yaml', '--format', 'json', '--output', path.join(WORK, 'out.json'), '--fail-on', 'never'], 3);
  const cases = [
    { label: '10 MB [1,1,…]', file: await denseArray(path.join(WORK, 'dense-ones.json'), '1', quick ? 2e6 : 10e6) },
    { label: '6 MB [{},{},…]', file: await denseArray(path.join(WORK, 'dense-objects.json'), '{}', quick ? 1.2e6 : 6e6) },
    { label: '100 MB single-line pod List', file: await podList(path.join(WORK, 'pod-list.json'), quick ? 20e6 : 100e6) },
  ];
  return { baselineMb: baseline.peakKb / 1024, rows: cases.map((c) => ({ label: c.label, ...lintRss(c.file, baseline.peakKb) })) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.METADATA_SERVER_DETECTION = 'none';
  process.env.GCE_METADATA_HOST = '127.0.0.1:9';
  const result = await hostileBenchmarks({ quick: process.argv.includes('--quick') });
  console.log(`baseline ${result.baselineMb.toFixed(0)} MB`);
  for (const r of result.rows) console.log(`${r.label}: ${r.megabytes.toFixed(1)} MB file, ${(r.ms / 1000).toFixed(1)} s, peak RSS ${r.peakRssMb.toFixed(0)} MB = baseline + ${r.ratio.toFixed(2)}× file size`);
}
