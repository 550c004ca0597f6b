/**
 * pruneProtoJSON on Compute's real descriptors: the services the collector
 * calls keep every type their methods reach (protobufjs resolves the pruned
 * Root, which throws on a missing type), and the rest is cut.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { pruneProtoJSON, type ProtoNamespace } from '../../src/collectors/gcp/protos.js';

const require = createRequire(import.meta.url);
const computeJson = require('@google-cloud/compute/build/protos/protos.json') as ProtoNamespace;
const gaxRequire = createRequire(require.resolve('@google-cloud/compute'));
const protobuf = createRequire(gaxRequire.resolve('google-gax'))('protobufjs') as {
  Root: { fromJSON(json: unknown): { resolveAll(): unknown; lookupService(name: string): { methodsArray: Array<{ resolvedRequestType: unknown; resolvedResponseType: unknown }> } } };
};
const PKG = 'google.cloud.compute.v1';
const SERVICES = ['Firewalls', 'Networks', 'NetworkEndpointGroups', 'BackendServices', 'RegionBackendServices', 'RegionNetworkFirewallPolicies', 'Subnetworks'];
const members = (json: ProtoNamespace) => Object.keys(json.nested!.google!.nested!.cloud!.nested!.compute!.nested!.v1!.nested!);

describe('pruneProtoJSON', () => {
  it('keeps the services and everything their methods reach, and resolves', () => {
    const pruned = pruneProtoJSON(computeJson, PKG, SERVICES)!;
    expect(pruned).toBeDefined();
    const kept = members(pruned);
    expect(kept.length).toBeLessThan(members(computeJson).length / 3);
    for (const name of [...SERVICES, 'Operation', 'NetworkEndpointGroup', 'BackendServiceGroupHealth', 'FirewallPolicyRule', 'NetworkEndpointGroupsListEndpointsRequest']) {
      expect(kept).toContain(name);
    }
    expect(kept).not.toContain('Instances');
    // The other versions in the same file (v1beta, v1small) are dropped.
    expect(Object.keys(pruned.nested!.google!.nested!.cloud!.nested!.compute!.nested!)).toEqual(['v1']);
    const root = protobuf.Root.fromJSON(pruned);
    root.resolveAll();
    for (const service of SERVICES) {
      for (const method of root.lookupService(`${PKG}.${service}`).methodsArray) {
        expect(method.resolvedRequestType).toBeTruthy();
        expect(method.resolvedResponseType).toBeTruthy();
      }
    }
  });

  it('leaves the input untouched and declines what it cannot prune', () => {
    const before = members(computeJson).length;
    pruneProtoJSON(computeJson, PKG, SERVICES);
    expect(members(computeJson).length).toBe(before);
    expect(pruneProtoJSON(computeJson, 'google.container.v1', ['ClusterManager'])).toBeUndefined();
    expect(pruneProtoJSON(computeJson, PKG, ['NoSuchService'])).toBeUndefined();
  });
});
