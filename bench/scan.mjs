/**
 * Scan benchmark: the fake Kubernetes and Compute servers (test/fakes,
 * compiled by bench/tsconfig.json into .bench/build) with a uniform latency
 * per request, a synthetic cluster generated here, and the built CLI
 * `negdoctor scan` as a child process pointed at them. Reports wall time
 * against the critical-path bound of the request plan, the request count
 * against the plan, and peak RSS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, BIN } from './lint.mjs';

const BUILD = path.join(ROOT, '.bench/build/test/fakes');
const CLUSTER_UID = '7f3a2b1c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const CONTEXT = 'gke_demo-project_us-central1_shop';
const ZONES = ['us-central1-a', 'us-central1-b', 'us-central1-c'];
const COMPUTE = 'https://www.googleapis.com/compute/v1/projects/demo-project';

/** The collectors' bounds (src/collectors/kube/index.ts, src/collectors/gcp/index.ts defaults). */
export const PLAN = { kubeConcurrency: 6, kubePageSize: 500, gcpConcurrency: 8, gcpPageSize: 500 };

async function loadFakes() {
  if (!existsSync(path.join(BUILD, 'gcp-server.js'))) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'bench/tsconfig.json')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`compiling the fakes failed: ${r.stdout}${r.stderr}`);
  }
  const kube = await import(path.join(BUILD, 'kube-server.js'));
  const gcp = await import(path.join(BUILD, 'gcp-server.js'));
  return { ...kube, ...gcp };
}

/** A synthetic cluster: `services` NEG Services (one Deployment each), `pods` Pods, one EndpointSlice per Service; `negs` NEGs over `backendServices` backend services. */
export function syntheticCluster({ services, pods, negs, backendServices }) {
  const kubeBasic = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/snapshots/kube-basic.json'), 'utf8'));
  const base = kubeBasic.objects.map((o) => o.object).filter((o) => ['Namespace', 'Node'].includes(o.kind));
  const kubeSystem = base.find((o) => o.kind === 'Namespace' && o.metadata.name === 'kube-system');
  if (kubeSystem) kubeSystem.metadata.uid = CLUSTER_UID;
  const objects = [...base];
  const namespaces = 20;
  for (let n = 0; n < namespaces; n++) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `team-${n}`, uid: `ns-${n}` } });
  const podsPerService = Math.max(1, Math.floor(pods / services));
  let podCount = 0;
  for (let s = 0; s < services; s++) {
    const ns = `team-${s % namespaces}`;
    const name = `app-${s}`;
    const labels = { app: name };
    objects.push({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name, namespace: ns, uid: `svc-${s}`, annotations: { 'cloud.google.com/neg': '{"ingress": true}', 'cloud.google.com/neg-status': `{"network_endpoint_groups":{"80":"k8s1-7f3a2b1c-${ns}-${name}-80-0000"},"zones":["us-central1-a"]}` } },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], type: 'ClusterIP' },
    });
    const template = {
      metadata: { labels },
      spec: {
        terminationGracePeriodSeconds: 60,
        containers: [{ name: 'web', image: `example/${name}:1`, ports: [{ containerPort: 8080, name: 'http' }], readinessProbe: { httpGet: { path: '/healthz', port: 8080 } }, lifecycle: { preStop: { exec: { command: ['sleep', '15'] } } } }],
      },
    };
    objects.push({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name, namespace: ns, uid: `dep-${s}` },
      spec: { replicas: podsPerService, selector: { matchLabels: labels }, strategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }, template },
      status: { replicas: podsPerService, readyReplicas: podsPerService, updatedReplicas: podsPerService, availableReplicas: podsPerService },
    });
    const endpoints = [];
    const count = s === services - 1 ? pods - podCount : podsPerService;
    for (let p = 0; p < count; p++, podCount++) {
      const ip = `10.${4 + (podCount >> 16)}.${(podCount >> 8) & 255}.${podCount & 255}`;
      const zone = ZONES[podCount % ZONES.length];
      objects.push({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${name}-${p}`, namespace: ns, uid: `pod-${podCount}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-rs`, uid: `rs-${s}`, controller: true }] },
        spec: { ...template.spec, nodeName: `node-${zone}` },
        status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }, { type: 'cloud.google.com/load-balancer-neg-ready', status: 'True' }] },
      });
      endpoints.push({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false }, zone, targetRef: { kind: 'Pod', name: `${name}-${p}`, namespace: ns } });
    }
    objects.push({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: `${name}-abcde`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4', endpoints, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  }

  const gcpBasic = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/snapshots/gcp-basic.json'), 'utf8'));
  const negTemplate = gcpBasic.networkEndpointGroups[0];
  const bsTemplate = gcpBasic.backendServices[0];
  const negList = [];
  const networkEndpoints = {};
  for (let i = 0; i < negs; i++) {
    const s = i % services;
    const ns = `team-${s % namespaces}`;
    const zone = ZONES[i % ZONES.length];
    const name = `k8s1-7f3a2b1c-${ns}-app-${s}-80-${String(i).padStart(4, '0')}`;
    negList.push({
      ...negTemplate,
      id: String(1e15 + i),
      name,
      selfLink: `${COMPUTE}/zones/${zone}/networkEndpointGroups/${name}`,
      zone: `${COMPUTE}/zones/${zone}`,
      description: JSON.stringify({ 'cluster-uid': CLUSTER_UID, namespace: ns, 'service-name': `app-${s}`, port: '80' }),
      size: 2,
    });
    networkEndpoints[`${zone}/${name}`] = [0, 1].map((e) => ({ networkEndpoint: { ipAddress: `10.9.${i & 255}.${e}`, port: 8080, instance: `gke-shop-default-pool-${zone}` } }));
  }
  const bsList = [];
  const backendHealth = {};
  for (let b = 0; b < backendServices; b++) {
    const name = `k8s1-7f3a2b1c-bs-${b}`;
    const mine = negList.filter((_, i) => i % backendServices === b);
    bsList.push({
      ...bsTemplate,
      id: String(2e15 + b),
      name,
      selfLink: `${COMPUTE}/global/backendServices/${name}`,
      backends: mine.map((n) => ({ ...(bsTemplate.backends?.[0] ?? {}), group: n.selfLink })),
    });
    backendHealth[name] = Object.fromEntries(mine.map((n) => [`${n.zone.split('/').pop()}/${n.name}`, [{ ipAddress: '10.9.0.0', port: 8080, healthState: 'HEALTHY' }]]));
  }
  const state = { ...gcpBasic, networkEndpointGroups: negList, networkEndpoints, backendServices: bsList, backendHealth };
  return { objects, state };
}

/**
 * Critical-path bound of the request plan, in rounds of one latency each:
 * kube (version first, then the lists with `kubeConcurrency` slots; a list's
 * pages are dependent) and, beside the lists, Google Cloud, which needs only
 * the kube-system UID (rounds 1–2: version, then the Namespace read): NEG
 * and backend-service lists, then one listNetworkEndpoints per NEG and one
 * getHealth per (backend service, NEG) pair, with `gcpConcurrency` slots.
 * Each part is at least its longest dependent chain and at least its
 * request count divided by the concurrency; the scan is at least the longer
 * of the two. (Until the collectors overlapped, the bound was the sum: the
 * plan then ran Google Cloud after every list.)
 */
export function criticalPath(kubeLists, gcp) {
  const kubeChain = Math.max(...kubeLists.map((l) => l.pages));
  const kubeRequests = kubeLists.reduce((n, l) => n + l.pages, 0);
  const kubeRounds = 1 + Math.max(kubeChain, Math.ceil(kubeRequests / PLAN.kubeConcurrency));
  const gcpChain = 1 + Math.max(gcp.negPages, gcp.bsPages) + 1; // getCluster→network | lists→per-object reads
  const gcpRounds = Math.max(gcpChain, Math.ceil(gcp.requests / PLAN.gcpConcurrency));
  return { kubeRounds, gcpRounds, rounds: Math.max(kubeRounds, 2 + gcpRounds) };
}

function runAsync(args, env) {
  return new Promise((resolve, reject) => {
    const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
    const cmd = timeBin ?? process.execPath;
    // BENCH_NODE_ARGS: extra node flags for the scan process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const argv = timeBin ? ['-f', '%M', process.execPath, ...nodeArgs, BIN, ...args] : [...nodeArgs, BIN, ...args];
    const started = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const kb = timeBin ? Number(stderr.trim().split('\n').pop()) : NaN;
      resolve({ status: code, stdout, stderr, ms, peakKb: kb });
    });
  });
}

/** One scan of a cluster of the given size, `runs` times; median wall time, max RSS, requests of the last run. */
export async function scanBenchmark({ scale, latencyMs, runs }) {
  const fakes = await loadFakes();
  const size = { services: Math.round(2000 * scale), pods: Math.round(10000 * scale), negs: Math.round(500 * scale), backendServices: Math.round(200 * scale) };
  const { objects, state } = syntheticCluster(size);
  const kube = await fakes.startKubeFake(objects, { latencyMs });
  const gcp = await fakes.startGcpFake(state, { latencyMs });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-bench-'));
  const kubeconfig = kube.writeKubeconfig({ dir, contextName: CONTEXT });
  const tokenFile = path.join(dir, 'token');
  writeFileSync(tokenFile, 'fake-access-token\n');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    NO_COLOR: '1',
    METADATA_SERVER_DETECTION: 'none',
    GCE_METADATA_HOST: '127.0.0.1:9',
    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: tokenFile,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: gcp.computeEndpoint,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER: gcp.containerEndpoint,
  };
  const times = [];
  let peakKb = 0;
  let last;
  try {
    for (let i = 0; i < runs; i++) {
      kube.requests.length = 0;
      gcp.requests.length = 0;
      const out = path.join(dir, 'report.json');
      const r = await runAsync(['scan', '--kubeconfig', kubeconfig, '-A', '--format', 'json', '--output', out, '--fail-on', 'never', '--timeout', '600'], env);
      if (r.status !== 0) throw new Error(`scan exited ${r.status}: ${r.stderr.slice(-800)}`);
      times.push(r.ms);
      if (Number.isFinite(r.peakKb)) peakKb = Math.max(peakKb, r.peakKb);
      last = { kube: [...kube.requests], gcp: [...gcp.requests], report: JSON.parse(readFileSync(out, 'utf8')) };
    }
  } finally {
    await Promise.all([kube.close(), gcp.close()]);
  }
  times.sort((a, b) => a - b);
  const wallMs = times[Math.floor(times.length / 2)];

  // The plan: list pages per resource as the kube fake pages them, and the per-NEG / per-pair reads.
  const kubeByResource = new Map();
  for (const req of last.kube) {
    if (req.path === '/version' || req.path.endsWith('/namespaces/kube-system')) continue;
    const key = req.path.replace(/\/namespaces\/[^/]+\//, '/');
    kubeByResource.set(key, (kubeByResource.get(key) ?? 0) + 1);
  }
  const kubeLists = [...kubeByResource].map(([resource, pages]) => ({ resource, pages }));
  const gcpPages = (n) => Math.max(1, Math.ceil(n / PLAN.gcpPageSize));
  const pairs = state.backendServices.reduce((n, b) => n + (b.backends?.length ?? 0), 0);
  const gcpLists = last.gcp.filter((r) => !/listNetworkEndpoints$|getHealth$/.test(r.path));
  const expectedGcp = gcpLists.length + size.negs + pairs;
  const bound = criticalPath(kubeLists, { negPages: gcpPages(size.negs), bsPages: gcpPages(size.backendServices), requests: expectedGcp });
  const perObjectKube = last.kube.filter((r) => /\/(pods|services|endpointslices|deployments)\/[^/]+$/.test(r.path)).length;
  const expectedKube = 2 + kubeLists.reduce((n, l) => n + l.pages, 0);
  return {
    scale,
    size,
    objects: objects.length,
    wallMs,
    boundMs: bound.rounds * latencyMs,
    bound,
    ratio: wallMs / (bound.rounds * latencyMs),
    requests: { kube: last.kube.length, gcp: last.gcp.length, expectedKube, expectedGcp, perObjectKube, negEndpoints: last.gcp.length - gcpLists.length - pairs, pairs },
    peakRssMb: peakKb / 1024,
    findings: last.report.findings.length,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const scale = Number(process.argv[2] ?? 1);
  console.log(JSON.stringify(await scanBenchmark({ scale, latencyMs: 50, runs: 1 }), null, 2));
}
