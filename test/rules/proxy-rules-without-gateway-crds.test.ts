/**
 * A cluster without the Gateway API CRDs (scan reports the Gateways
 * unavailable) still has internal Ingresses: the proxy-only subnet rules judge
 * them; only their Gateway half depends on the CRDs.
 */
import { describe, expect, it } from 'vitest';
import { caseSnapshot, listCases, runCaseOn } from '../harness.js';
import { DATA } from '../../src/snapshot/data-keys.js';

process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:9';

const UNAVAILABLE = { state: 'missing' as const, reason: 'the Gateway API CRDs are not installed in the cluster' };
const cases = await listCases();
const pick = (rule: string, kind: 'fires' | 'silent', name: string) => cases.find((c) => c.ruleId === rule && c.kind === kind && c.name === name)!;

describe('proxy-only subnet rules without the Gateway API CRDs', () => {
  for (const [rule, name] of [
    ['proxy-only-subnet-missing', 'internal-ingress-no-proxy-subnet'],
    ['firewall-proxy-subnet-blocked', 'proxy-range-blocked-health-checks-open'],
  ] as const) {
    it(`${rule} still fires for an internal Ingress`, async () => {
      const fixture = pick(rule, 'fires', name);
      const { snapshot, locator } = await caseSnapshot(fixture);
      snapshot.data[DATA.gateways] = UNAVAILABLE;
      const result = runCaseOn(fixture, snapshot, locator);
      expect(result.notEvaluated.filter((n) => n.ruleId === rule)).toEqual([]);
      expect(result.findings.filter((f) => f.ruleId === rule).length).toBeGreaterThan(0);
    });
  }

  it('with no internal Ingress either, the rule says the Gateway half was not judged', async () => {
    const fixture = pick('proxy-only-subnet-missing', 'fires', 'internal-ingress-no-proxy-subnet');
    const { snapshot } = await caseSnapshot(fixture);
    snapshot.data[DATA.gateways] = UNAVAILABLE;
    snapshot.objects = snapshot.objects.filter((o) => o.object.kind !== 'Ingress');
    const result = runCaseOn(fixture, snapshot);
    expect(result.notEvaluated).toEqual([
      { ruleId: 'proxy-only-subnet-missing', reason: 'no internal Ingress in the inputs needs one, and the Gateways, the other half, were not collected (the Gateway API CRDs are not installed in the cluster)' },
    ]);
  });
});
