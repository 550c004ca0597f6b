/**
 * Real formats as people paste them (fixtures/shapes/formats/): each is read
 * as what it is, or skipped with a notice that names what it is — never
 * guessed as something else.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectManifests } from '../../src/collectors/manifests/index.js';
import { gcloudInputs } from '../../src/collectors/gcloud-inputs.js';
import { DATA } from '../../src/snapshot/data-keys.js';

const DIR = path.resolve(import.meta.dirname, '../../fixtures/shapes/formats');

async function read(...inputs: string[]) {
  const collection = await collectManifests(inputs, { cwd: DIR });
  const gcloud = gcloudInputs(collection.foreign, collection.explicit);
  return { collection, gcloud, notices: [...collection.notices, ...gcloud.notices].map((n) => n.message), data: gcloud.cloud?.data ?? {} };
}

describe('formats read right', () => {
  it('a compute#address list is not read as EndpointSlices, with or without its kind', async () => {
    for (const file of ['compute-addresses.json', 'compute-addresses-trimmed.json']) {
      const { collection, notices } = await read(file);
      expect(collection.objects.map((o) => o.object.kind)).toEqual([]);
      expect(collection.foreign).toEqual([]);
      expect(notices.join('\n')).not.toMatch(/EndpointSlice/);
    }
    expect((await read('compute-addresses.json')).notices[0]).toMatch(/declares kind "compute#address", which negdoctor does not read; skipped/);
  });

  it('a declared compute# kind negdoctor does not read gets a notice naming the kind, and no advice to type it as something else', async () => {
    const { notices, collection } = await read('forwarding-rules.json');
    expect(collection.foreign).toEqual([]);
    expect(notices[0]).toMatch(/declares kind "compute#forwardingRule", which negdoctor does not read; skipped$/);
    const typed = await read('gcp:network=forwarding-rules.json');
    expect(typed.gcloud.cloud?.state.networks ?? []).toEqual([]);
    expect(typed.notices[0]).toMatch(/is not gcp:network \(declares kind "compute#forwardingRule"/);
  });

  it('node VMs (compute#instance) are read: their tags, service accounts and GKE cluster; typed as a network, their kind still wins', async () => {
    const { gcloud, notices, data } = await read('instances.json');
    expect(notices).toEqual([]);
    expect(data[DATA.gcpNodeVms]?.state).toBe('collected');
    expect(gcloud.cloud?.state.nodeVms).toEqual([
      expect.objectContaining({ kind: 'instance', name: 'gke-shop-prod-default-pool-5f3e2a1b-x7k2', tags: ['gke-shop-prod-9f8e7d6c-node'], serviceAccounts: ['gke-nodes@shop-prod.iam.gserviceaccount.com'] }),
    ]);
    const typed = await read('gcp:network=instances.json');
    expect(typed.gcloud.cloud?.state.networks ?? []).toEqual([]);
    expect(typed.gcloud.cloud?.state.nodeVms?.map((vm) => vm.kind)).toEqual(['instance']);
  });

  it('Dataproc clusters and an Apigee organization are not GKE clusters; typed as clusters they are refused with the reason', async () => {
    for (const file of ['dataproc-clusters.json', 'apigee-organization.json']) {
      const { gcloud } = await read(file);
      expect(gcloud.cloud?.state.clusters ?? [], file).toEqual([]);
    }
    const typed = await read('gcp:clusters:shop-analytics=dataproc-clusters.json');
    expect(typed.gcloud.cloud?.state.clusters ?? []).toEqual([]);
    expect(typed.notices[0]).toMatch(/is not gcp:clusters \(it has `clusterName`, which a GKE cluster never has; skipped\)/);
  });

  it('get-effective-firewalls of a network without policies is the effective answer: policies collected (there are none)', async () => {
    const { gcloud, data } = await read('effective-firewalls-no-policies.json');
    expect(gcloud.cloud?.state.firewalls?.map((f) => f.name)).toEqual(['k8s-fw-l7--3f9c1a7e5b2d4c60']);
    expect(data[DATA.gcpFirewallPolicies]?.state).toBe('collected');
  });

  it('kind-stated empty lists and {"clusters": []} are complete evidence of none, with a notice', async () => {
    const cases: Array<[string, string]> = [
      ['neg-list-empty.json', DATA.gcpNegs],
      ['firewall-list-empty.json', DATA.gcpFirewalls],
      ['clusters-empty.json', DATA.gcpClusters],
    ];
    for (const [file, key] of cases) {
      const { data, notices } = await read(file);
      expect(data[key]?.state, file).toBe('collected');
      expect(notices.join('\n'), file).toMatch(/an empty list of .* read as evidence that there are none/);
    }
  });

  it('a 0-byte file gets a notice and is no evidence, typed or not', async () => {
    const plain = await read('zero-bytes.json');
    expect(plain.notices).toEqual(['empty file (0 bytes); nothing read — did the command that wrote it fail?']);
    const typed = await read('gcp:firewalls=zero-bytes.json');
    expect(typed.data[DATA.gcpFirewalls]?.state).not.toBe('collected');
    expect(typed.notices[0]).toMatch(/not taken as an empty gcp:firewalls list/);
  });
});
