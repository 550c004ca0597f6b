/**
 * Inputs read by shape and by explicit type, through the real collector, the
 * Google Cloud input step and the manifest snapshot (what `lint` runs).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectManifests, InputError, isJsonLines } from '../../src/collectors/manifests/index.js';
import { manifestSnapshot } from '../../src/collectors/manifests/snapshot.js';
import { gcloudInputs } from '../../src/collectors/gcloud-inputs.js';
import { DATA } from '../../src/snapshot/data-keys.js';

function tmpdir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-typed-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

async function lint(dir: string, inputs: string[]) {
  const collection = await collectManifests(inputs, { cwd: dir });
  const gcloud = gcloudInputs(collection.foreign, collection.explicit);
  const snapshot = manifestSnapshot(collection, { tool: { name: 'negdoctor', version: 'test' }, ...(gcloud.cloud ? { cloud: gcloud.cloud } : {}) });
  return { collection, gcloud, snapshot };
}

describe('explicit types', () => {
  it('an empty list says nothing untyped, and "there are none" typed', async () => {
    const dir = tmpdir({ 'fw.json': '[]\n', 'pods.json': '{"apiVersion": "v1", "kind": "List", "items": []}\n' });
    const untyped = await lint(dir, ['fw.json', 'pods.json']);
    expect(untyped.snapshot.data[DATA.gcpFirewalls]?.state).toBe('missing');
    expect(untyped.snapshot.data[DATA.pods]?.state).toBe('missing');
    const typed = await lint(dir, ['gcp:firewalls=fw.json', 'k8s:pods=pods.json']);
    expect(typed.snapshot.data[DATA.gcpFirewalls]).toEqual({ state: 'collected' });
    expect(typed.snapshot.cloud?.firewalls).toEqual([]);
    expect(typed.snapshot.data[DATA.pods]).toEqual({ state: 'collected' });
    expect(typed.collection.explicit.map((e) => [e.file, e.explicit.type.name, e.objects])).toEqual([
      ['fw.json', 'gcp:firewalls', 0],
      ['pods.json', 'k8s:pods', 0],
    ]);
  });

  it('fills what the qualifier states, never more: network of trimmed rules, namespace of trimmed objects', async () => {
    const dir = tmpdir({
      'fw.json': JSON.stringify([{ name: 'a', allowed: [{ IPProtocol: 'tcp' }] }, { name: 'b', network: 'other', allowed: [{ IPProtocol: 'tcp' }] }]),
      'pods.yaml': 'metadata:\n  name: web-1\nspec:\n  containers: [{name: app}]\n',
    });
    const { snapshot } = await lint(dir, ['gcp:firewalls:default=fw.json', 'k8s:pods:shop=pods.yaml']);
    expect(snapshot.cloud?.firewalls?.map((f) => [f.name, f.network])).toEqual([
      ['a', 'default'],
      ['b', 'other'],
    ]);
    expect(snapshot.objects.map((o) => [o.object.kind, o.object.apiVersion, o.object.metadata.namespace])).toEqual([['Pod', 'v1', 'shop']]);
  });

  it('takes a trimmed object of the stated type even when its fields alone would not tell', async () => {
    const dir = tmpdir({ 'deploy.yaml': 'metadata:\n  name: web\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: app}]\n' });
    const untyped = await lint(dir, ['deploy.yaml']);
    expect(untyped.snapshot.objects).toEqual([]);
    expect(untyped.collection.notices.map((n) => n.message)).toEqual([expect.stringMatching(/could be a Deployment, a StatefulSet, a ReplicaSet or a Job; skipped — state its type with `negdoctor lint k8s:deployments=FILE`/)]);
    const typed = await lint(dir, ['k8s:deployments=deploy.yaml']);
    expect(typed.snapshot.objects.map((o) => o.object.kind)).toEqual(['Deployment']);
    expect(typed.snapshot.objects[0]!.source).toMatchObject({ file: 'deploy.yaml', line: 1, column: 1 });
  });

  it('attaches list-network-endpoints output to the NEG the qualifier names', async () => {
    const dir = tmpdir({
      'negs.json': JSON.stringify([{ name: 'k8s1-a', zone: 'us-central1-a', networkEndpointType: 'GCE_VM_IP_PORT' }]),
      'endpoints.json': JSON.stringify([{ networkEndpoint: { ipAddress: '10.4.0.5', port: 8080, instance: 'gke-x' } }]),
    });
    const untyped = await lint(dir, ['negs.json', 'endpoints.json']);
    expect(untyped.snapshot.data[DATA.gcpNegEndpoints]?.state).toBe('missing');
    expect(untyped.gcloud.notices.map((n) => n.message)).toEqual([expect.stringMatching(/network endpoints of an unnamed NEG \(state which: `gcp:neg-endpoints:ZONE\/NEG=FILE`\); not used/)]);
    const typed = await lint(dir, ['negs.json', 'gcp:neg-endpoints:us-central1-a/k8s1-a=endpoints.json']);
    expect(typed.snapshot.data[DATA.gcpNegEndpoints]).toEqual({ state: 'collected' });
    expect(typed.snapshot.cloud?.negs?.[0]?.endpoints).toEqual([{ ipAddress: '10.4.0.5', port: 8080, instance: 'gke-x' }]);
  });

  it('reads effective firewalls as the VPC rules and the policies in force, both complete', async () => {
    const dir = tmpdir({
      'effective.json': JSON.stringify({
        firewalls: [{ name: 'allow-hc', sourceRanges: ['35.191.0.0/16'], allowed: [{ IPProtocol: 'tcp', ports: ['8080'] }] }],
        firewallPolicys: [{ name: '123', type: 'HIERARCHY', rules: [{ priority: 10, action: 'deny', direction: 'INGRESS', match: { srcIpRanges: ['35.191.0.0/16'] } }] }],
      }),
    });
    const { snapshot } = await lint(dir, ['effective.json']);
    expect(snapshot.data[DATA.gcpFirewalls]).toEqual({ state: 'collected' });
    expect(snapshot.data[DATA.gcpFirewallPolicies]).toEqual({ state: 'collected', reason: expect.stringMatching(/regional network firewall policies are not included/) });
    expect(snapshot.cloud?.firewalls?.map((f) => f.name)).toEqual(['allow-hc']);
    expect(snapshot.cloud?.firewallPolicies).toHaveLength(1);
  });

  it('says what it recognised but does not use yet (health checks, a lone firewall policy); subnetworks are used', async () => {
    const dir = tmpdir({
      'subnets.json': JSON.stringify([{ name: 'proxy', ipCidrRange: '10.129.0.0/23', purpose: 'REGIONAL_MANAGED_PROXY', region: 'us-central1' }]),
      'hc.json': JSON.stringify({ name: 'hc', httpHealthCheck: { port: 80 } }),
      'policy.json': JSON.stringify({ name: 'p', rules: [{ action: 'allow', match: { srcIpRanges: ['0.0.0.0/0'] } }] }),
    });
    const { gcloud, snapshot } = await lint(dir, ['subnets.json', 'hc.json', 'policy.json']);
    expect(gcloud.notices.map((n) => n.message)).toEqual([
      'recognised 1 health checks (no rule reads them yet; backend health is what the rules judge); not used',
      expect.stringMatching(/^recognised 1 firewall policy; not evaluated, because a shape alone cannot say these are all the policies/),
    ]);
    expect(snapshot.data[DATA.gcpFirewallPolicies]?.state).toBe('missing');
    expect(snapshot.data[DATA.gcpSubnetworks]?.state).toBe('collected');
    expect(snapshot.cloud?.subnetworks?.map((s) => s.name)).toEqual(['proxy']);
  });

  it('rejects an unknown type as a usage error, and reads a file that really is named TYPE=PATH', async () => {
    const dir = tmpdir({ 'gcp:firewalls=odd.json': '[]\n' });
    await expect(collectManifests(['gcp:firewall=x.json'], { cwd: dir })).rejects.toThrow(InputError);
    const { collection } = await lint(dir, ['gcp:firewalls=odd.json']);
    expect(collection.files).toEqual(['gcp:firewalls=odd.json']);
    expect(collection.explicit).toEqual([]);
  });
});

describe('JSON Lines', () => {
  it('reads one object per line, at its own line and column', async () => {
    const pod = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app' }] } });
    const dir = tmpdir({ 'pods.jsonl': `${pod('a')}\n${pod('b')}\n  ${JSON.stringify({ metadata: { name: 'c' }, spec: { containers: [] } })}\n` });
    const { collection } = await lint(dir, ['pods.jsonl']);
    expect(collection.objects.map((o) => [o.object.metadata.name, o.line, o.column])).toEqual([
      ['a', 1, 1],
      ['b', 2, 1],
      ['c', 3, 3],
    ]);
    expect(collection.sources.locate(1, ['metadata', 'name'])).toMatchObject({ line: 2, column: 45, exact: true });
  });

  it('does not take pretty-printed JSON or YAML flow maps for JSON Lines', () => {
    expect(isJsonLines('{\n  "a": 1\n}\n')).toBe(false);
    expect(isJsonLines('{"a": 1}\n')).toBe(false);
    expect(isJsonLines('{"a": 1}\n{"b": 2}\n')).toBe(true);
    expect(isJsonLines('a: 1\n{"b": 2}\n')).toBe(false);
  });
});
