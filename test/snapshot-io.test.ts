import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { resolveConfig } from '../src/config/config.js';
import { runRules } from '../src/engine.js';
import { LIVE_RULES } from '../src/rules/catalog/live.js';
import { RULES } from '../src/rules/index.js';
import { loadSnapshot, parseSnapshot, saveSnapshot, serializeSnapshot, SnapshotError, validateSnapshot } from '../src/snapshot/io.js';
import { SNAPSHOT_SCHEMA, snapshotSchemaErrors } from '../src/snapshot/schema.js';
import type { Snapshot } from '../src/snapshot/types.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DEMO = path.join(ROOT, 'fixtures/demo/snapshot.json');

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'negdoctor-snapshot-'));
}

function minimal(): Snapshot {
  return {
    apiVersion: 'negdoctor.dev/v1',
    kind: 'Snapshot',
    collectedAt: '2024-10-01T10:30:00Z',
    source: 'live',
    tool: { name: 'negdoctor', version: 'test' },
    objects: [{ id: 0, object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } } }],
    data: { 'k8s:services': { state: 'collected' }, 'gcp:negs': { state: 'error', reason: '403 on networkEndpointGroups.aggregatedList' } },
    errors: [{ source: 'gcp', data: 'gcp:negs', message: 'permission denied', status: 403 }],
    inputs: { files: 0, documents: 0, nonKubernetes: 0, skippedFiles: 0, problems: [], notices: [] },
  };
}

async function loadError(text: string | Buffer, name = 'bad.json'): Promise<SnapshotError> {
  const dir = await tempDir();
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  try {
    await loadSnapshot(file);
  } catch (error) {
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).file).toBe(file);
    expect((error as Error).message).not.toMatch(/\n\s+at /); // a message, not a stack trace
    return error as SnapshotError;
  }
  throw new Error(`loading ${name} should have failed`);
}

describe('snapshot files', () => {
  it('round-trips a snapshot through save and load unchanged', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'bundle.json');
    const snapshot = minimal();
    await saveSnapshot(snapshot, file);
    const text = await fs.readFile(file, 'utf8');
    expect(text).toBe(serializeSnapshot(snapshot));
    expect(text.endsWith('}\n')).toBe(true);
    expect(await loadSnapshot(file)).toEqual(snapshot);
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('round-trips the demo snapshot, gzip-compressed when the name ends in .gz', async () => {
    const demo = await loadSnapshot(DEMO);
    const dir = await tempDir();
    const file = path.join(dir, 'bundle.json.gz');
    await saveSnapshot(demo, file);
    const bytes = await fs.readFile(file);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(await loadSnapshot(file)).toEqual(demo);
  });

  it('accepts the stored fixture snapshots', async () => {
    for (const name of await fs.readdir(path.join(ROOT, 'fixtures/snapshots'))) {
      if (!name.endsWith('.json')) continue;
      const value = JSON.parse(await fs.readFile(path.join(ROOT, 'fixtures/snapshots', name), 'utf8'));
      if (value.kind !== 'Snapshot') continue;
      expect(snapshotSchemaErrors(value), name).toEqual([]);
    }
  });

  it('fills bookkeeping fields a hand-written snapshot lacks and renumbers object ids', () => {
    const { tool: _tool, errors: _errors, inputs: _inputs, ...rest } = minimal();
    const value = { ...rest, objects: [{ object: rest.objects[0]!.object }, { id: 7, object: rest.objects[0]!.object }] };
    const snapshot = validateSnapshot(value, 'hand.json');
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.inputs.problems).toEqual([]);
    expect(snapshot.objects.map((o) => o.id)).toEqual([0, 1]);
  });

  it('exports a draft-07 schema with the snapshot constants', () => {
    expect(SNAPSHOT_SCHEMA.properties.apiVersion.const).toBe('negdoctor.dev/v1');
    expect(SNAPSHOT_SCHEMA.properties.kind.const).toBe('Snapshot');
  });

  describe('clear errors', () => {
    it('for a missing file', async () => {
      const dir = await tempDir();
      await expect(loadSnapshot(path.join(dir, 'nope.json'))).rejects.toThrow(/cannot read snapshot .*nope\.json: no such file/);
      await expect(loadSnapshot(path.join(dir, 'nope.json'))).rejects.toBeInstanceOf(SnapshotError);
    });

    it('for a directory', async () => {
      const dir = await tempDir();
      await expect(loadSnapshot(dir)).rejects.toThrow(/it is a directory/);
    });

    it('for invalid JSON', async () => {
      const error = await loadError('{"apiVersion": "negdoctor.dev/v1", "kind": ');
      expect(error.message).toMatch(/bad\.json is not valid JSON/);
    });

    it('for YAML, pointing at lint', async () => {
      const error = await loadError('apiVersion: v1\nkind: List\nitems: []\n', 'dump.yaml');
      expect(error.message).toMatch(/not valid JSON.*negdoctor lint/);
    });

    it('for a wrong apiVersion', async () => {
      const error = await loadError(JSON.stringify({ ...minimal(), apiVersion: 'negdoctor.dev/v2' }));
      expect(error.message).toMatch(/has apiVersion "negdoctor\.dev\/v2"; this negdoctor reads snapshots of apiVersion negdoctor\.dev\/v1/);
    });

    it('for a wrong kind, such as a kubectl List', async () => {
      const error = await loadError(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] }));
      expect(error.message).toMatch(/is not a negdoctor snapshot: it has kind "List", expected kind Snapshot/);
      expect(error.message).toMatch(/negdoctor lint/);
    });

    it('for JSON that is not an object', async () => {
      const error = await loadError('[1, 2, 3]');
      expect(error.message).toMatch(/is not a negdoctor snapshot/);
    });

    it('for a wrong shape, naming each field', async () => {
      const broken = minimal() as unknown as Record<string, unknown>;
      broken.source = 'cluster';
      (broken.objects as Array<{ object: Record<string, unknown> }>)[0]!.object.kind = undefined;
      delete broken.data;
      const error = await loadError(JSON.stringify(broken));
      expect(error.message).toMatch(/is not a valid negdoctor\.dev\/v1 snapshot/);
      expect(error.message).toContain('(top level): missing required field "data"');
      expect(error.message).toContain('/source: must be one of "manifests", "live"');
      expect(error.message).toContain('/objects/0/object: missing required field "kind"');
    });

    it('for a collectedAt that is not a time', () => {
      expect(() => parseSnapshot(JSON.stringify({ ...minimal(), collectedAt: 'yesterday' }), 'x.json')).toThrow(/collectedAt.*not an ISO 8601 time/);
    });

    it('for corrupt gzip data', async () => {
      const gz = gzipSync('{}');
      const error = await loadError(gz.subarray(0, gz.length - 6), 'bad.json.gz');
      expect(error.message).toMatch(/corrupt gzip data/);
    });

    it('when the target directory does not exist', async () => {
      const dir = await tempDir();
      await expect(saveSnapshot(minimal(), path.join(dir, 'missing', 'bundle.json'))).rejects.toThrow(/cannot write snapshot .*: no such directory/);
    });
  });
});

describe('the demo snapshot', () => {
  it('shows every live failure mode at once, judged as of its collectedAt', async () => {
    const snapshot = await loadSnapshot(DEMO);
    expect(snapshot.source).toBe('live');
    const result = runRules(snapshot, { rules: RULES, config: resolveConfig(RULES, {}, undefined) });
    expect(result.crashed).toEqual([]);
    const live = LIVE_RULES.map((r) => r.meta.id);
    expect(result.notEvaluated.filter((n) => live.includes(n.ruleId))).toEqual([]);
    const found = (ruleId: string) =>
      result.findings.filter((f) => f.ruleId === ruleId).map((f) => `${f.severity} ${f.object?.kind}/${f.object?.namespace ?? ''}/${f.object?.name} ${f.path}`);

    expect(found('readiness-gate-stuck')).toEqual(['error Pod/default/neg-demo-app-5d8b7c9f4-h4r2c status.conditions[1]']);
    expect(found('rollout-stuck')).toEqual(['error Deployment/default/neg-demo-app status.conditions[1]']);
    expect(found('endpointslice-degraded').sort()).toEqual(
      [
        'error EndpointSlice/shop/checkout-7hq2v endpoints[1].nodeName',
        'error EndpointSlice/shop/checkout-7hq2v endpoints[2].targetRef.name',
        'error Service/shop/checkout ',
      ].sort(),
    );
    expect(found('neg-status-missing')).toEqual(['warning Service/shop/search metadata.annotations["cloud.google.com/neg-status"]']);
    expect(found('ingress-no-address')).toEqual(['error Ingress/shop/checkout-ing status.loadBalancer.ingress']);
    expect(found('ingress-sync-errors').sort()).toEqual(['error Ingress/shop/checkout-ing ', 'error Service/shop/search '].sort());
    expect(found('node-zone-missing')).toEqual(['error Node//virtual-kubelet-aci-linux spec.providerID']);
    expect(found('pods-single-zone')).toEqual(['info Deployment/default/neg-demo-app spec.template.spec.topologySpreadConstraints']);

    // The rollout finding names the pod the gate holds; the Ingress finding quotes the controller.
    const rollout = result.findings.find((f) => f.ruleId === 'rollout-stuck')!;
    expect(rollout.message).toContain('neg-demo-app-5d8b7c9f4-h4r2c');
    const noAddress = result.findings.find((f) => f.ruleId === 'ingress-no-address')!;
    expect(noAddress.message).toContain('Translation failed');
  });

  it('ties the stuck rollout to its Google Cloud cause: a firewall that keeps the health checkers off the pod port', async () => {
    const snapshot = await loadSnapshot(DEMO);
    const result = runRules(snapshot, { rules: RULES, config: resolveConfig(RULES, {}, undefined) });
    // The demo scan read no load balancer logs (no --logs): only the symptom rules are left out.
    const symptoms = new Set(RULES.filter((r) => r.meta.category === 'symptom').map((r) => r.meta.id));
    expect(result.notEvaluated.filter((n) => !symptoms.has(n.ruleId))).toEqual([]);
    expect(result.notEvaluated.map((n) => n.ruleId).sort()).toEqual([...symptoms].sort());
    const byRule = (ruleId: string) => result.findings.filter((f) => f.ruleId === ruleId);
    const firewall = byRule('firewall-health-check-blocked');
    expect(firewall).toHaveLength(1);
    expect(firewall[0]!.message).toMatch(/port 9376 .*130\.211\.0\.0\/22.*35\.191\.0\.0\/16/s);
    expect(firewall[0]!.message).toContain('k8s-fw-l7--7f3c9a125b8e4d21');
    expect(byRule('backend-unhealthy').map((f) => `${f.severity} ${f.object?.name}`)).toEqual(['error neg-demo-svc']);
    expect(byRule('neg-endpoints-out-of-sync').map((f) => f.message)).toEqual([expect.stringContaining('10.52.2.58:8080')]);
    const orphan = byRule('orphaned-neg');
    expect(orphan).toHaveLength(1);
    expect(orphan[0]!.message).toContain('gcloud compute network-endpoint-groups delete k8s1-0b9d4e27-default-legacy-web-80-1c2d3e4f --zone us-central1-a');
    for (const id of ['legacy-network', 'cluster-not-vpc-native', 'http-load-balancing-disabled', 'neg-zone-missing']) expect(byRule(id)).toEqual([]);
  });

  it('gives identical findings after a save and reload (replay)', async () => {
    const config = resolveConfig(RULES, {}, undefined);
    const first = runRules(await loadSnapshot(DEMO), { rules: RULES, config });
    const dir = await tempDir();
    const file = path.join(dir, 'replay.json');
    await saveSnapshot(await loadSnapshot(DEMO), file);
    const second = runRules(await loadSnapshot(file), { rules: RULES, config });
    expect(second.findings).toEqual(first.findings);
    expect(second.notEvaluated).toEqual(first.notEvaluated);
  });
});
