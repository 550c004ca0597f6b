/**
 * `negdoctor gather`: the printed plan, and `gather --run` with the real
 * kubectl and gcloud (/usr/bin) against the fake API servers, whose bundle
 * `lint` judges as `scan` judges the same cluster.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GCP_IAM_PERMISSIONS } from '../../src/collectors/gcp/index.js';
import { KUBE_LIST_PLAN } from '../../src/collectors/kube/index.js';
import { INPUT_TYPES_BY_NAME } from '../../src/collectors/shapes.js';
import { backendHealthCapture, gcpCaptures, kubeCaptures, negEndpointCapture, networkCaptures, logCaptures } from '../../src/commands/gather.js';
import { clusterObjects, runCliAsync, startFakes, type Fakes, type JsonReport } from './live-harness.js';

function available(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const tools = available('kubectl') && available('gcloud');
if (!tools) {
  if (process.env.CI === 'true') throw new Error('gather.test needs kubectl and gcloud on PATH under CI');
  console.warn('[gather.test] skipping the gather --run checks: kubectl or gcloud is not on PATH');
}

describe('the gather plan', () => {
  it('captures every list of the kube collector, each with an input type lint knows', async () => {
    const captures = await kubeCaptures({ allNamespaces: true }, { context: 'c' });
    for (const list of KUBE_LIST_PLAN) {
      const capture = captures.find((c) => c.covers === list.resource);
      expect(capture, list.resource).toBeDefined();
      expect(INPUT_TYPES_BY_NAME.has(capture!.type), `${list.resource}: ${capture!.type}`).toBe(true);
      expect(capture!.args.slice(0, 4)).toEqual(['--context', 'c', 'get', list.resource]);
    }
    expect(captures.some((c) => /secret|configmap/i.test(c.args.join(' ')))).toBe(false);
  });

  it('covers every Google Cloud call of the collector with a read-only gcloud command', async () => {
    const all = [
      ...(await logCaptures('p', { sinceMs: 3_600_000, maxEntries: 20_000 }, ['bs'], ['1234'])),
      ...gcpCaptures({ project: 'p', location: 'us-central1', cluster: 'c' }),
      ...networkCaptures('p', 'net', 'us-central1'),
      negEndpointCapture('p', 'us-central1-a', 'neg'),
      backendHealthCapture('p', 'bs', undefined),
      backendHealthCapture('p', 'bs', 'us-central1'),
    ];
    const covered = new Set(all.flatMap((c) => c.covers.split(',')));
    for (const permission of GCP_IAM_PERMISSIONS) expect(covered, permission.call).toContain(permission.call);
    for (const c of all) {
      expect(c.args.find((a) => /^(list|describe|get-health|list-network-endpoints|get-effective-firewalls|read)$/.test(a)), c.args.join(' ')).toBeDefined();
      expect(INPUT_TYPES_BY_NAME.has(c.type.split(':').slice(0, 2).join(':')), c.type).toBe(true);
    }
    expect(covered).toContain('compute networks.getEffectiveFirewalls');
    expect(covered).toContain('compute subnetworks.list');
  });
});

describe.skipIf(!tools)('gather with kubectl and gcloud against the fakes', () => {
  let fakes: Fakes;
  let env: Record<string, string>;
  const work = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-gather-'));
  const bundle = path.join(work, 'bundle');
  let gathered: Awaited<ReturnType<typeof runCliAsync>>;
  let gatherRequests: { kube: Fakes['kube']['requests']; gcp: Fakes['gcp']['requests'] };

  beforeAll(async () => {
    fakes = await startFakes();
    env = {
      ...fakes.env,
      CLOUDSDK_CONFIG: path.join(fakes.dir, 'gcloud'),
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
      CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
      NO_PROXY: '127.0.0.1',
    };
    gathered = await runCliAsync(['gather', '--kubeconfig', fakes.kubeconfig, '-A', '--run', bundle], { env, timeoutMs: 300_000 });
    gatherRequests = { kube: [...fakes.kube.requests], gcp: [...fakes.gcp.requests] };
  }, 320_000);
  afterAll(async () => {
    await fakes?.close();
  });

  it('prints the commands with the context, project, location and cluster taken from the context name', async () => {
    const printed = await runCliAsync(['gather', '--kubeconfig', fakes.kubeconfig, '-A'], { env });
    expect(printed.status).toBe(0);
    expect(printed.stdout).toContain(`kubectl --kubeconfig ${fakes.kubeconfig} --context gke_demo-project_us-central1_shop get pods --all-namespaces -o json > gather/k8s.pods.json    # k8s:pods`);
    expect(printed.stdout).toContain('gcloud container clusters describe shop --location us-central1 --project demo-project --format=json > gather/gcp.cluster.json    # gcp:cluster');
    expect(printed.stdout).toContain('gcloud compute network-endpoint-groups list-network-endpoints NEG --zone ZONE');
  });

  it("follows the context's namespace as scan does, unless -n or -A says otherwise", async () => {
    const kubeconfig = fakes.kube.writeKubeconfig({ dir: mkdtempSync(path.join(work, 'ns-')), contextName: 'gke_demo-project_us-central1_shop', namespace: 'shop' });
    const printed = await runCliAsync(['gather', '--kubeconfig', kubeconfig], { env });
    expect(printed.stderr).toBe('');
    expect(printed.stdout).toContain('get pods --namespace shop -o json > gather/k8s.pods.json    # k8s:pods:shop');
    expect(printed.stdout).not.toContain('--namespace default');
    expect((await runCliAsync(['gather', '--kubeconfig', kubeconfig, '-n', 'web'], { env })).stdout).toContain('get pods --namespace web -o json');
    expect((await runCliAsync(['gather', '--kubeconfig', fakes.kubeconfig], { env })).stdout).toContain('get pods --namespace default -o json');
  });

  it('--run writes typed captures and a manifest of what was captured, when, and what failed', () => {
    expect(gathered.status, gathered.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(bundle, 'negdoctor-bundle.json'), 'utf8')) as {
      kind: string;
      capturedAt: string;
      context: string;
      captures: Array<{ file?: string; type: string; command: string; ok: boolean; items?: number; error?: string }>;
    };
    expect(manifest).toMatchObject({ kind: 'EvidenceBundle', context: 'gke_demo-project_us-central1_shop', project: 'demo-project', cluster: 'shop' });
    expect(Date.parse(manifest.capturedAt)).toBeGreaterThan(Date.now() - 600_000);
    const files = readdirSync(bundle).filter((f) => f !== 'negdoctor-bundle.json').sort();
    expect(manifest.captures.filter((c) => c.ok).map((c) => c.file).sort()).toEqual(files);
    const types = manifest.captures.map((c) => c.type);
    for (const t of ['k8s:pods', 'gcp:cluster', 'gcp:clusters:demo-project', 'gcp:firewalls:default', 'gcp:network', 'gcp:negs:demo-project']) expect(types).toContain(t);
    expect(types.filter((t) => t.startsWith('gcp:neg-endpoints:')).length).toBeGreaterThan(0);
    // What the fake does not serve is recorded as failed, with gcloud's message, not dropped.
    for (const failed of manifest.captures.filter((c) => !c.ok)) expect(failed.error, failed.command).toMatch(/\S/);
    console.info(`[gather.test] captures that failed against the fakes: ${manifest.captures.filter((c) => !c.ok).map((c) => c.type).join(', ') || 'none'}`);
  });

  it('is read-only and redacts like scan: no Secrets, ConfigMaps, env values, managedFields or last-applied', () => {
    expect(gatherRequests.kube.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(gatherRequests.kube.filter((r) => /secrets|configmaps/.test(r.path))).toEqual([]);
    expect(gatherRequests.gcp.filter((r) => r.method !== 'GET' && !/\/(listNetworkEndpoints|getHealth)$/.test(r.path))).toEqual([]);
    const text = readdirSync(bundle).map((f) => readFileSync(path.join(bundle, f), 'utf8')).join('\n');
    expect(text).not.toContain('managedFields');
    expect(text).not.toContain('last-applied-configuration');
    const values: string[] = [];
    for (const o of clusterObjects()) {
      JSON.stringify(o, (key, value: unknown) => {
        if (key === 'env' && Array.isArray(value)) for (const e of value as Array<{ value?: string }>) if (e.value) values.push(e.value);
        return value;
      });
    }
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect(text, v).not.toContain(JSON.stringify(v));
  });

  it('lint on the bundle gives the same findings as scan: rule, object, path and severity', async () => {
    const scan = await runCliAsync(['scan', '--kubeconfig', fakes.kubeconfig, '-A', '--format', 'json'], { env });
    const lint = await runCliAsync(['lint', bundle, '--format', 'json'], { env: { HOME: work } });
    const key = (f: JsonReport['findings'][number]) => `${f.ruleId} ${f.severity} ${JSON.stringify(f.object)} ${f.path}`;
    const scanned = (JSON.parse(scan.stdout) as JsonReport).findings.map(key).sort();
    const linted = (JSON.parse(lint.stdout) as JsonReport).findings.map(key).sort();
    expect(scanned.length).toBeGreaterThan(5);
    expect(linted).toEqual(scanned);
    expect((JSON.parse(lint.stdout) as JsonReport).notEvaluated.map((n) => n.ruleId)).toEqual((JSON.parse(scan.stdout) as JsonReport).notEvaluated.map((n) => n.ruleId));
  });
});
