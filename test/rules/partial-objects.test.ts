/**
 * Partial objects: rules evaluate with the fields present and say in the
 * finding what they assumed for the missing ones (fixtures named partial-*).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listCases, runCase, type FixtureCase } from '../harness.js';

function inline(ruleId: string, files: Record<string, string>): FixtureCase {
  const root = mkdtempSync(path.join(os.tmpdir(), 'negdoctor-partial-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, name), text);
  return { ruleId, kind: 'fires', name: 'inline', root, inputs: Object.keys(files), expect: [], config: {} };
}

const cases = await listCases();
const fixture = (rule: string, name: string) => {
  const found = cases.find((c) => c.ruleId === rule && c.name === name);
  if (!found) throw new Error(`no fixture ${rule}/${name}`);
  return found;
};

describe('partial objects', () => {
  it('a firewall rule without network or targets is taken as the network\'s, for all nodes, and the finding says so', async () => {
    const [finding] = (await runCase(fixture('firewall-health-check-blocked', 'partial-rules-node-ports-only'))).findings;
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/"allow-lb" opens only tcp:30000-32767/);
    expect(finding!.message).toMatch(/Assumed: "allow-lb" names no network and was taken as rules of network default; the rules name no direction and were taken as INGRESS/);
    expect(finding!.evidence?.assumed).toHaveLength(2);
  });

  it('unknown node pools: a block that a targeted allow might lift is reported at info with the condition', async () => {
    const [finding] = (await runCase(fixture('firewall-health-check-blocked', 'partial-node-pools-unknown'))).findings;
    expect(finding!.severity).toBe('info');
    expect(finding!.message).toMatch(/holds only if the nodes lack the tags or service accounts of "allow-hc-web": the cluster input lists no node pools/);
  });

  it('the same trimmed rule opening the pod port keeps the rule silent', async () => {
    expect((await runCase(fixture('firewall-health-check-blocked', 'trimmed-rule-no-network-no-targets'))).findings).toEqual([]);
  });

  it('a pasted cluster without ipAllocationPolicy or selfLink is not taken as routes-based: not evaluated, saying why', async () => {
    const trimmed = await runCase(inline('cluster-not-vpc-native', { 'cluster.json': '{"name": "shop", "location": "us-central1", "currentMasterVersion": "1.30.5-gke.1"}' }));
    expect(trimmed.findings).toEqual([]);
    expect(trimmed.notEvaluated).toEqual([{ ruleId: 'cluster-not-vpc-native', reason: expect.stringMatching(/shop has no ipAllocationPolicy and no selfLink .* unknown; give `gcloud container clusters describe shop --format=json`/) }]);
    const stated = await runCase(inline('cluster-not-vpc-native', { 'cluster.json': '{"name": "shop", "location": "us-central1", "ipAllocationPolicy": {}}' }));
    expect(stated.findings.map((f) => f.ruleId)).toEqual(['cluster-not-vpc-native']);
  });
});
