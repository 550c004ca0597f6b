import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { FIXTURES, runCase } from '../harness.js';
import { runRules } from '../../src/engine.js';
import { resolveConfig } from '../../src/config/config.js';
import { defineRule } from '../../src/rules/define-rule.js';
import type { Snapshot } from '../../src/snapshot/types.js';

const snapshot: Snapshot = {
  apiVersion: 'negdoctor.dev/v1',
  kind: 'Snapshot',
  collectedAt: '2024-10-01T10:00:00Z',
  source: 'live',
  tool: { name: 'negdoctor', version: 'test' },
  objects: [],
  data: {},
  errors: [],
  inputs: { files: 0, documents: 0, nonKubernetes: 0, skippedFiles: 0, problems: [], notices: [] },
};

function fingerprintFor(message: string): string {
  const rule = defineRule({
    meta: { id: 'cloud-probe', title: 't', severity: 'warning', category: 'cloud', symptom: '', cause: '', evidence: '', remediation: '', needs: [], defaults: {} },
    check(ctx) {
      ctx.report({ path: [], resource: 'compute/zones/us-central1-a/networkEndpointGroups/k8s1-x', message });
    },
  });
  return runRules(snapshot, { rules: [rule], config: resolveConfig([rule], {}, undefined) }).findings[0]!.fingerprint;
}

describe('cloud findings', () => {
  it('an object-less finding with a resource keeps its fingerprint when its message changes', () => {
    expect(fingerprintFor('3 endpoints')).toBe(fingerprintFor('4 endpoints'));
  });

  it('backend-unhealthy: all unhealthy is an error, some is a warning', async () => {
    const run = async (name: string) => {
      const root = path.join(FIXTURES, 'backend-unhealthy', 'fires', name);
      const result = await runCase({ ruleId: 'backend-unhealthy', kind: 'fires', name, root, inputs: ['service.yaml', 'pods.yaml', 'get-health.json'], expect: [], config: {}, now: '2024-10-01T10:00:00Z' });
      return result.findings.map((f) => f.severity);
    };
    expect(await run('all-endpoints-unhealthy')).toEqual(['error']);
    expect(await run('some-endpoints-unhealthy')).toEqual(['warning']);
  });

  it('orphaned-neg prints the delete command', async () => {
    const root = path.join(FIXTURES, 'orphaned-neg', 'fires', 'cluster-gone');
    const result = await runCase({ ruleId: 'orphaned-neg', kind: 'fires', name: 'cluster-gone', root, inputs: ['cluster.json', 'kube-system.yaml', 'services.yaml', 'negs.json', 'backend-services.json'], expect: [], config: {} });
    expect(result.findings[0]!.evidence?.command).toBe('gcloud compute network-endpoint-groups delete k8s1-e4d3c2b1-billing-invoices-8080-9fc516f8 --zone us-central1-c');
    expect(result.findings[0]!.evidence?.certainty).toBe('only the clusters in the inputs were checked');
  });
});
