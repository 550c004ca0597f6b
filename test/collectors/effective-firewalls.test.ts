/**
 * One reading of an effective-firewalls answer for the three ways one comes
 * in: the live collector, a gcloud dump read by kind (classifyGcloudDump) and
 * an input read by shape (lint). Each case below is one where the readings
 * used to differ; each is now read alike.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unpackEffectiveFirewalls } from '../../src/collectors/effective-firewalls.js';
import { gcloudInputs } from '../../src/collectors/gcloud-inputs.js';
import { classifyGcloudDump, mergeIntoCloudState } from '../../src/collectors/gcp/dumps.js';
import { collectGcp } from '../../src/collectors/gcp/index.js';
import { collectManifests } from '../../src/collectors/manifests/index.js';
import { DATA } from '../../src/snapshot/data-keys.js';
import type { CloudState } from '../../src/snapshot/types.js';
import { startGcpFake, type GcpFakeState } from '../fakes/gcp-server.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-effective-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rule = { priority: 10, action: 'deny', direction: 'INGRESS', match: { srcIpRanges: ['35.191.0.0/16'], layer4Configs: [{ ipProtocol: 'all' }] } };
const vpcRule = { name: 'allow-hc', sourceRanges: ['35.191.0.0/16'], allowed: [{ IPProtocol: 'tcp', ports: ['8080'] }] };

type Read = Required<Pick<CloudState, 'firewalls' | 'firewallPolicies'>>;

/** A gcloud dump read by kind, as classifyGcloudDump and mergeIntoCloudState read it. */
function readAsDump(answer: unknown): Read {
  const { firewalls = [], firewallPolicies = [] } = mergeIntoCloudState({}, classifyGcloudDump(answer));
  return { firewalls, firewallPolicies };
}

let files = 0;
/** The same answer as a file given to lint, recognised by its shape. */
async function readAsInput(answer: unknown): Promise<Read> {
  const file = `effective-${files++}.json`;
  writeFileSync(path.join(dir, file), JSON.stringify(answer));
  const collection = await collectManifests([file], { cwd: dir });
  const state = gcloudInputs(collection.foreign, collection.explicit).cloud?.state;
  // An answer read as an input states its lists complete, so an empty one is there as `[]`: compared as the dump's absent one.
  return { firewalls: state?.firewalls ?? [], firewallPolicies: state?.firewallPolicies ?? [] };
}

/** Both offline paths, and the unpacker the live collector calls on its decoded answer. */
async function readAllWays(answer: unknown) {
  const dump = readAsDump(answer);
  const input = await readAsInput(answer);
  expect(input).toEqual(dump);
  const unpacked = unpackEffectiveFirewalls(answer);
  expect(unpacked.firewalls).toEqual(dump.firewalls);
  expect(unpacked.policies).toEqual(dump.firewallPolicies);
  return dump;
}

describe('effective-firewalls answers where the readings used to differ', () => {
  it('`firewallPolicies` (not the API\'s `firewallPolicys`): the dump path did not recognise the answer, the input path read it', async () => {
    const read = await readAllWays({ firewalls: [vpcRule], firewallPolicies: [{ name: '123', type: 'HIERARCHY', rules: [rule] }] });
    expect(read.firewalls?.map((f) => f.name)).toEqual(['allow-hc']);
    expect(read.firewallPolicies).toEqual([{ name: '123', type: 'HIERARCHY', rules: [rule] }]);
  });

  it('`organizationFirewalls` entries: the dump path dropped them, the input path read them without a name; now each is known by its id', async () => {
    const read = await readAllWays({ organizationFirewalls: [{ id: '456', rules: [rule] }] });
    expect(read.firewallPolicies).toEqual([{ id: '456', name: '456', rules: [rule] }]);
  });

  it('an `organizationFirewalls` entry repeating a `firewallPolicys` one (same id) is one policy, not two', async () => {
    const read = await readAllWays({
      firewallPolicys: [{ name: '456', type: 'HIERARCHY', shortName: 'org-baseline', rules: [rule] }],
      organizationFirewalls: [{ id: '456', rules: [rule] }],
    });
    expect(read.firewallPolicies).toEqual([{ id: '456', name: '456', type: 'HIERARCHY', shortName: 'org-baseline', rules: [rule] }]);
  });

  it('a key beside the lists (here `etag`): the dump path did not recognise the answer, the input path read it', async () => {
    const read = await readAllWays({ etag: 'abc', firewallPolicys: [{ name: 'demo-global', type: 'NETWORK', rules: [rule] }] });
    expect(read.firewallPolicies?.map((p) => [p.type, p.name])).toEqual([['NETWORK', 'demo-global']]);
  });

  it('entries that are not objects: the input path made nameless firewall rules of them, the live path nameless policies; now all skip them', async () => {
    const read = await readAllWays({ firewalls: [vpcRule, 'x', null], firewallPolicys: [{ name: '123', type: 'HIERARCHY', rules: [rule] }, 7] });
    expect(read.firewalls?.map((f) => f.name)).toEqual(['allow-hc']);
    expect(read.firewallPolicies?.map((p) => p.name)).toEqual(['123']);
  });

  it('the live collector reads the answer the fake API gives as a dump and an input of it do', async () => {
    process.env.METADATA_SERVER_DETECTION = 'none';
    process.env.GCE_METADATA_HOST = '127.0.0.1:9';
    const state = JSON.parse(readFileSync(new URL('../../fixtures/snapshots/gcp-basic.json', import.meta.url), 'utf8')) as GcpFakeState;
    const fake = await startGcpFake(state);
    try {
      const raw = (await (await fetch(`${fake.computeEndpoint}projects/demo-project/global/networks/default/getEffectiveFirewalls`)).json()) as unknown;
      const tokenFile = path.join(dir, 'token');
      writeFileSync(tokenFile, 'fake-access-token\n');
      const live = await collectGcp({
        project: 'demo-project',
        location: 'us-central1',
        cluster: 'shop',
        timeoutMs: 20_000,
        env: { CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: tokenFile, CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: fake.computeEndpoint, CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER: fake.containerEndpoint },
      });
      expect(live.data[DATA.gcpFirewallPolicies]?.state).toBe('collected');
      // The regional answer adds the region's own policies; the global answer's are the rest.
      const global = live.cloud.firewallPolicies?.filter((p) => p.region === undefined);
      const read = await readAllWays(raw);
      expect(global).toEqual(read.firewallPolicies);
    } finally {
      await fake.close();
    }
  });
});
